import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ExpenseApp

/// `GET /metrics`: Prometheus text with the outbox backlog, for loopback or a bearer token only.
@Suite struct MetricsTests {
    static func app(token: String?) async throws -> (some ApplicationProtocol, Store) {
        let url = try await TestDatabases.makeURL(.sqlite)
        var config = AppConfig()
        config.database = .sqlite(path: String(url.dropFirst("sqlite://".count)))
        config.metricsToken = token
        config.httpPort = 0
        let database = try await TestDatabases.open(url: url)
        let app = try await buildApplication(
            config: config, options: ServeOptions(migrate: true),
            dependencies: AppDependencies(
                database: database, mailTransport: RecordingTransport(answers: []), logger: TestDatabases.logger,
                // The backlog's age is measured against the queue times below, taken from the system clock.
                clock: .system, ids: .sequential(), tokens: .sequential()))
        return (app, Store(database: database))
    }

    static func queue(_ store: Store, count: Int) async throws {
        for _ in 0..<count {
            let id = UUID()
            try await store.withSystem { tx in
                try await store.outbox.enqueue(
                    tx,
                    OutboxMessage(
                        id: id, messageID: "<\(id)@example.org>", kind: .welcome, recipient: "a@example.org",
                        subject: "Welcome", bodyText: "Hi", bodyHTML: "<p>Hi</p>"),
                    at: Date().addingTimeInterval(-90))
            }
        }
    }

    @Test func loopbackScrapesSeeTheBacklog() async throws {
        let (app, store) = try await Self.app(token: nil)
        try await app.test(.live) { client in
            try await Self.queue(store, count: 3)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE mail_outbox_backlog gauge\nmail_outbox_backlog 3.0\n"))
                let oldest = text.split(separator: "\n").first { $0.hasPrefix("mail_outbox_oldest_seconds ") }
                #expect((oldest.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) >= 89)
            }
        }
    }

    @Test func withATokenOnlyTheTokenOpensIt() async throws {
        let token = "scrape-0123456789abcdef"
        let (app, _) = try await Self.app(token: token)
        try await app.test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer wrong-token"]) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("mail_outbox_backlog 0.0"))
            }
        }
    }

    @Test func withoutATokenOtherPeersGetNotFound() async throws {
        // The router test client has no socket peer: it stands for a connection from elsewhere.
        let (app, _) = try await Self.app(token: nil)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func theTokenMustBeLongEnough() async throws {
        await #expect(throws: ConfigurationError.self) {
            _ = try await AppConfig.load(overrides: [:], environment: ["METRICS_TOKEN": "short"], environmentFile: nil)
        }
        let config = try await AppConfig.load(
            overrides: [:], environment: ["METRICS_TOKEN": "0123456789abcdef"], environmentFile: nil)
        #expect(config.metricsToken == "0123456789abcdef")
    }
}
