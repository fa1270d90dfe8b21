import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Logging
import Testing

@testable import ExpenseMail

/// The outbox worker delivering through the SMTP transport to a real server: 250 sent,
/// 451 retried later and then sent, 550 dead with the server's reply kept.
@Suite(.enabled(if: SMTPTestServer.available || SMTPTestServer.required))
struct SMTPDeliveryTests {
    /// A worker sending through the SMTP transport to `server` (plain, no TLS).
    static func worker(_ store: Store, sendingTo server: SMTPTestServer, now: @escaping @Sendable () -> Date) throws
        -> OutboxWorker
    {
        OutboxWorker(
            store: store, transport: SMTPTestServer.transport(server),
            settings: .init(from: try MailAddress("no-reply@example.org", name: "ExpenseTracker")), now: now,
            logger: TestDatabases.logger)
    }

    @Test(arguments: TestBackend.available)
    func theReplyDecidesSentRetriedOrDead(_ backend: TestBackend) async throws {
        let server = try SMTPTestServer()
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            var ids: [String: UUID] = [:]
            for recipient in ["ana@example.org", "tempfail-2@example.org", "reject-2@example.org"] {
                let id = UUID()
                ids[recipient] = id
                try await store.withSystem { tx in
                    try await store.outbox.enqueue(
                        tx,
                        OutboxMessage(
                            id: id, messageID: "<\(id.uuidString.lowercased())@example.org>", kind: .welcome,
                            recipient: recipient, subject: "Welcome", bodyText: "Hello https://example.org/start",
                            bodyHTML: "<p>Hello</p>"),
                        at: clock.now)
                }
            }
            let worker = try Self.worker(store, sendingTo: server, now: { clock.now })

            #expect(try await worker.runOnce() == 3)
            let sent = try await OutboxWorkerTests.row(store, try #require(ids["ana@example.org"]))
            #expect(sent.status == .sent && sent.body == nil)
            let retried = try await OutboxWorkerTests.row(store, try #require(ids["tempfail-2@example.org"]))
            #expect(retried.status == .pending && retried.attempts == 1)
            #expect(retried.error?.contains("451") == true)
            let dead = try await OutboxWorkerTests.row(store, try #require(ids["reject-2@example.org"]))
            #expect(dead.status == .dead && dead.attempts == 1)
            #expect(dead.error?.contains("550") == true)

            clock.advance(by: 3600)
            #expect(try await worker.runOnce() == 1)
            #expect(
                try await OutboxWorkerTests.row(store, try #require(ids["tempfail-2@example.org"])).status == .sent)
            let received = try server.messages()
            #expect(received.count == 2)
            #expect(received.allSatisfy { $0.contains("Message-ID: <") && $0.contains("From: \"ExpenseTracker\"") })
        }
    }

    @Test(arguments: TestBackend.available)
    func twoWorkersDeliverFiveHundredMessagesOnceEach(_ backend: TestBackend) async throws {
        let server = try SMTPTestServer()
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            _ = try await OutboxWorkerTests.enqueue(store, count: 500, at: clock.now)
            let worker = try Self.worker(store, sendingTo: server, now: { clock.now })
            // Two workers drain the same outbox at once until neither finds anything.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { while try await worker.runOnce() > 0 {} }
                }
                try await group.waitForAll()
            }
            let received = try server.messages()
            let ids = received.compactMap { message in
                message.split(separator: "\r\n").first { $0.hasPrefix("Message-ID: ") }
            }
            #expect(received.count == 500)
            #expect(Set(ids).count == 500, "a message was sent twice")
            let counts = try await store.withSystem { tx in try await store.outbox.counts(tx) }
            #expect(counts[.sent] == 500)
        }
    }
}
