import ExpenseTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import ExpenseApp

/// Unknown routes, wrong methods, oversized bodies and wrong media types: a clear 4xx in the
/// caller's format (problem+json under /api/, an HTML page elsewhere), never a 5xx.
@Suite struct RobustnessTests {
    static func isProblem(_ response: TestResponse, status: HTTPResponse.Status) -> Bool {
        response.status == status && response.headers[.contentType] == "application/problem+json"
            && String(buffer: response.body).contains("\"status\":\(status.code)")
    }

    static func isPage(_ response: TestResponse, status: HTTPResponse.Status) -> Bool {
        response.status == status && response.headers[.contentType] == "text/html; charset=utf-8"
            && String(buffer: response.body).contains("<h1>")
    }

    @Test func unknownRoutesAre404InTheCallersFormat() async throws {
        try await HealthTests.app(.sqlite).test(.router) { client async throws in
            let api = try await client.execute(uri: "/api/v1/nothing-here", method: .get)
            #expect(Self.isProblem(api, status: .notFound))
            // ".." in a path is just a path that names nothing (the static files stay under /static).
            #expect(Self.isProblem(try await client.execute(uri: "/api/v1/a..b", method: .get), status: .notFound))
            #expect(Self.isPage(try await client.execute(uri: "/a..b", method: .get), status: .notFound))
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            let escape = try await client.execute(uri: "/static/../Package.swift", method: .get)
            #expect(Self.isPage(escape, status: .badRequest))  // a path that climbs out is refused, not looked up
            let page = try await client.execute(uri: "/nothing-here", method: .get)
            #expect(Self.isPage(page, status: .notFound))
            #expect(String(buffer: page.body).contains("Page not found"))
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await HealthTests.app(.sqlite).test(.router) { client async throws in
            let api = try await client.execute(uri: "/api/v1/auth/register", method: .delete)
            #expect(Self.isProblem(api, status: .methodNotAllowed))
            #expect(api.headers[.allow] == "POST")
            let org = try await client.execute(
                uri: "/api/v1/orgs/3fa85f64-5717-4562-b3fc-2c963f66afa6/expenses", method: .put)
            #expect(org.status == .methodNotAllowed && org.headers[.allow] == "GET, HEAD, POST")
            let page = try await client.execute(uri: "/login", method: .put)
            #expect(Self.isPage(page, status: .methodNotAllowed))
            #expect(page.headers[.allow] == "GET, HEAD, POST")
            // HEAD is answered wherever GET is, without a body.
            let head = try await client.execute(uri: "/login", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 70_000)
        try await HealthTests.app(.sqlite).test(.router) { client async throws in
            let api = try await client.execute(
                uri: "/api/v1/auth/register", method: .post, headers: [.contentType: "application/json"], body: big)
            #expect(Self.isProblem(api, status: .contentTooLarge))
            let page = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: big)
            #expect(Self.isPage(page, status: .contentTooLarge))
        }
    }

    @Test func otherMediaTypesAre415() async throws {
        try await HealthTests.app(.sqlite).test(.router) { client async throws in
            let api = try await client.execute(
                uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "email=a@example.org"))
            #expect(Self.isProblem(api, status: .unsupportedMediaType))
            let page = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"email":"a@example.org","password":"x"}"#))
            #expect(Self.isPage(page, status: .unsupportedMediaType))
            #expect(String(buffer: page.body).contains("Send the form as a web page would"))
        }
    }
}
