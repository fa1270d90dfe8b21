import ExpenseStore
import ExpenseTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ExpenseApp

/// The application as the server builds it, driven through its router.
@Suite struct HealthTests {
    static func app(_ backend: TestBackend, url given: String? = nil, migrate: Bool = true) async throws
        -> some ApplicationProtocol
    {
        let url: String
        if let given { url = given } else { url = try await TestDatabases.makeURL(backend) }
        var config = AppConfig()
        config.database =
            backend == .sqlite ? .sqlite(path: String(url.dropFirst("sqlite://".count))) : .postgres(url: url)
        let dependencies = AppDependencies(
            database: try await TestDatabases.open(url: url), mailTransport: RecordingTransport(answers: []),
            logger: TestDatabases.logger, clock: ManualClock().clock, ids: .sequential(), tokens: .sequential())
        return try await buildApplication(
            config: config, options: ServeOptions(migrate: migrate), dependencies: dependencies)
    }

    struct Ready: Decodable, Equatable {
        var status: String
        var database: String
        var schema: String
    }

    @Test(arguments: TestBackend.available)
    func liveAndReadyAnswerOnceMigrated(_ backend: TestBackend) async throws {
        try await Self.app(backend).test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = try JSONDecoder().decode(Ready.self, from: Data(String(buffer: response.body).utf8))
                #expect(body == Ready(status: "ok", database: "ok", schema: "current"))
            }
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        try await Self.app(.sqlite).test(.router) { client in
            let generated = try await client.execute(uri: "/health/live", method: .get) { $0.headers[.xRequestID] }
            #expect((generated?.count ?? 0) >= 16)
            try await client.execute(uri: "/health/live", method: .get, headers: [.xRequestID: "lb-1234.abc_9"]) {
                response in
                #expect(response.headers[.xRequestID] == "lb-1234.abc_9")
            }
            // An id that could forge a log line is replaced, not echoed.
            try await client.execute(uri: "/health/live", method: .get, headers: [.xRequestID: "x\u{7F}y"]) {
                response in
                #expect(response.headers[.xRequestID] != "x\u{7F}y")
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.xRequestID] != nil)
            }
        }
    }

    @Test(.enabled(if: TestBackend.available.contains(.postgres)))
    func postgresWithPendingMigrationsRefusesToStartUnlessAskedToMigrate() async throws {
        let url = try await TestDatabases.makeURL(.postgres)
        await #expect(throws: StoreError.schemaBehind(pending: try Migration.bundled(for: .postgres).map(\.name))) {
            try await Self.app(.postgres, url: url, migrate: false).test(.router) { _ in }
        }
        try await Self.app(.postgres, url: url, migrate: true).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .ok) }
        }
        // Now current, so a plain start works.
        try await Self.app(.postgres, url: url, migrate: false).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test(.enabled(if: TestBackend.available.contains(.postgres)))
    func postgresAsASuperuserRefusesToStart() async throws {
        let superuserURL = try #require(TestDatabases.postgresSuperuserURL, "TEST_SUPERUSER_URL is not set")
        await #expect {
            try await Self.app(.postgres, url: superuserURL, migrate: false).test(.router) { _ in }
        } throws: { error in
            guard case StoreError.unsafeDatabaseRole = error else { return false }
            return true
        }
    }

    @Test(.enabled(if: TestBackend.available.contains(.postgres)))
    func readinessReportsAnUnreachableDatabase() async throws {
        var config = AppConfig()
        config.database = .postgres(url: "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
        let database = try await TestDatabases.open(
            url: "postgres://nobody@127.0.0.1:1/none?sslmode=disable", leaseTimeout: .seconds(1))
        let migrations = try Migration.bundled(for: .postgres)
        let router = try await buildRouter(
            config: config,
            dependencies: .init(
                database: database, mailTransport: RecordingTransport(answers: []), logger: TestDatabases.logger,
                clock: ManualClock().clock, ids: .sequential(), tokens: .sequential()),
            migrations: migrations
        )
        let app = Application(router: router, services: [database], logger: TestDatabases.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode(Ready.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.database == "unreachable")
            }
        }
    }
}
