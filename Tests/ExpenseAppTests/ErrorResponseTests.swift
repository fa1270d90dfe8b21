import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ExpenseApp

/// Errors no request can provoke on purpose, answered by the production error middleware in the
/// caller's format: a database that is busy or unreachable is 503 with `Retry-After`; anything
/// unexpected is 500 with the request id and never the error's text.
@Suite struct ErrorResponseTests {
    /// An error whose text must never reach a response body.
    struct Internals: Error, CustomStringConvertible {
        var description: String { "secret internals: token=hunter2" }
    }

    /// The request log and error middlewares as `buildRouter` installs them, in front of routes
    /// that throw: under `/api/v1/` and as pages.
    static func app(logLines: LoggingTests.Lines = .init()) async throws -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(
            middleware: ErrorRenderingMiddleware(pages: try await PageRenderer.load(), allowedMethods: .init()))
        for prefix in ["/api/v1", ""] {
            router.get("\(prefix)/busy") { _, _ -> Response in throw StoreError.retryable }
            router.get("\(prefix)/down") { _, _ -> Response in
                throw StoreError.unavailable(reason: "cannot connect to db.internal:5432")
            }
            router.get("\(prefix)/broken") { _, _ -> Response in throw Internals() }
        }
        let logger = Logger(label: "test") { label in
            AppLogHandler(label: label, level: .info, format: .text, sink: { logLines.append($0) })
        }
        return Application(router: router, logger: logger)
    }

    static func problem(_ response: TestResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(String(buffer: response.body).utf8))
    }

    @Test func aRetryableStoreErrorIs503WithRetryAfterInTheCallersFormat() async throws {
        try await Self.app().test(.router) { client in
            let api = try await client.execute(uri: "/api/v1/busy", method: .get, headers: [.xRequestID: "busy-1"])
            #expect(RobustnessTests.isProblem(api, status: .serviceUnavailable))
            #expect(api.headers[.retryAfter] == "2")
            let problem = try Self.problem(api)
            #expect(problem.type == "/problems/service-unavailable")
            #expect(problem.title == "Service Unavailable")
            #expect(problem.requestID == "busy-1")
            #expect(api.headers[.xRequestID] == "busy-1")

            let page = try await client.execute(uri: "/busy", method: .get)
            #expect(RobustnessTests.isPage(page, status: .serviceUnavailable))
            #expect(page.headers[.retryAfter] == "2")
            #expect(String(buffer: page.body).contains("Try again in 2 seconds"))
        }
    }

    @Test func anUnreachableDatabaseIs503WithRetryAfterAndNoDetail() async throws {
        try await Self.app().test(.router) { client in
            let api = try await client.execute(uri: "/api/v1/down", method: .get)
            #expect(RobustnessTests.isProblem(api, status: .serviceUnavailable))
            #expect(api.headers[.retryAfter] == "5")
            #expect(!String(buffer: api.body).contains("db.internal"))

            let page = try await client.execute(uri: "/down", method: .get)
            #expect(RobustnessTests.isPage(page, status: .serviceUnavailable))
            #expect(page.headers[.retryAfter] == "5")
            #expect(!String(buffer: page.body).contains("db.internal"))
        }
    }

    @Test func anUnexpectedErrorOnAPageIsTheHTMLErrorPageWithTheRequestID() async throws {
        let lines = LoggingTests.Lines()
        try await Self.app(logLines: lines).test(.router) { client in
            let page = try await client.execute(uri: "/broken", method: .get, headers: [.xRequestID: "page-42"])
            #expect(RobustnessTests.isPage(page, status: .internalServerError))
            let body = String(buffer: page.body)
            #expect(body.contains("Something went wrong"))
            #expect(body.contains("page-42"))
            #expect(!body.contains("hunter2") && !body.contains("Internals"))
            #expect(page.headers[.xRequestID] == "page-42")
        }
        // The error is in the log, under the request's id.
        #expect(
            lines.all.contains { $0.contains("unhandled error") && $0.contains("page-42") && $0.contains("hunter2") })
    }

    @Test func anUnexpectedErrorOnAnAPIPathIsProblemJSONWithNoErrorText() async throws {
        let lines = LoggingTests.Lines()
        try await Self.app(logLines: lines).test(.router) { client in
            let api = try await client.execute(uri: "/api/v1/broken", method: .get, headers: [.xRequestID: "api-42"])
            #expect(RobustnessTests.isProblem(api, status: .internalServerError))
            let problem = try Self.problem(api)
            #expect(problem.type == "/problems/internal-error")
            #expect(problem.requestID == "api-42")
            #expect(!String(buffer: api.body).contains("hunter2"))
        }
        #expect(lines.all.contains { $0.contains("unhandled error") && $0.contains("api-42") })
    }
}
