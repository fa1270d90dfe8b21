import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Logging
import Synchronization
import Testing

@testable import ExpenseMail

/// The outbox worker against SQLite and PostgreSQL.
@Suite struct OutboxWorkerTests {
    static func enqueue(_ store: Store, count: Int = 1, at now: Date) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 0..<count {
            let id = UUID()
            ids.append(id)
            try await store.withSystem { tx in
                try await store.outbox.enqueue(
                    tx,
                    OutboxMessage(
                        id: id, messageID: "<\(id.uuidString.lowercased())@example.org>", kind: .welcome,
                        recipient: "user\(index)@example.org", subject: "Welcome",
                        bodyText: "Hello https://example.org/x?token=secret",
                        bodyHTML: "<p>Hello</p>"
                    ),
                    at: now
                )
            }
        }
        return ids
    }

    static func row(_ store: Store, _ id: UUID) async throws -> (
        status: OutboxStatus, attempts: Int, body: String?, error: String?, next: Date
    ) {
        try await store.withSystem { tx in
            let row = try await tx.executor.first(
                "SELECT status, attempts, body_text, last_error, next_attempt_at FROM outbox WHERE id = \(id)"
            )!
            return (
                try row.decode("status"), try row.decode("attempts"), try row.decode("body_text"),
                try row.decode("last_error"),
                try row.decode("next_attempt_at")
            )
        }
    }

    static func worker(_ store: Store, _ transport: RecordingTransport, _ clock: ManualClock, maxAttempts: Int = 3)
        throws
        -> OutboxWorker
    {
        var settings = OutboxWorker.Settings(from: try MailAddress("no-reply@example.org", name: "ExpenseTracker"))
        settings.maxAttempts = maxAttempts
        return OutboxWorker(
            store: store, transport: transport, settings: settings, now: { clock.now }, logger: TestDatabases.logger)
    }

    @Test(arguments: TestBackend.available)
    func deliveredMessagesAreMarkedSentAndTheirBodiesPurged(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            let id = try #require(try await Self.enqueue(store, at: clock.now).first)
            let transport = RecordingTransport(answers: [.delivered])
            #expect(try await Self.worker(store, transport, clock).runOnce() == 1)
            #expect(transport.sent.count == 1)
            #expect(transport.sent[0].messageID == "<\(id.uuidString.lowercased())@example.org>")
            #expect(
                String(decoding: transport.sent[0].data, as: UTF8.self).contains(
                    "Message-ID: <\(id.uuidString.lowercased())@example.org>"))
            let row = try await Self.row(store, id)
            #expect(row.status == .sent)
            #expect(row.body == nil)  // delivered: the link is gone from the database
            #expect(try await Self.worker(store, transport, clock).runOnce() == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func temporaryFailuresRetryWithBackoffThenGiveUp(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            let id = try #require(try await Self.enqueue(store, at: clock.now).first)
            let transport = RecordingTransport(answers: [
                .retry(reason: "451 try later"), .retry(reason: "451 again"), .retry(reason: "451 still"),
            ])
            let worker = try Self.worker(store, transport, clock, maxAttempts: 3)
            #expect(try await worker.runOnce() == 1)
            var row = try await Self.row(store, id)
            #expect(row.status == .pending && row.attempts == 1 && row.error == "451 try later")
            #expect(row.next > clock.now)
            #expect(row.body != nil)
            // Not due yet: nothing to do.
            #expect(try await worker.runOnce() == 0)
            clock.advance(by: 3600)
            #expect(try await worker.runOnce() == 1)
            clock.advance(by: 3600)
            #expect(try await worker.runOnce() == 1)
            row = try await Self.row(store, id)
            #expect(row.status == .dead && row.attempts == 3)
            #expect(row.error?.contains("451 still") == true)
            #expect(transport.sent.map(\.messageID) == Array(repeating: transport.sent[0].messageID, count: 3))
        }
    }

    @Test(arguments: TestBackend.available)
    func aPermanentRejectionIsDeadAtOnceWithTheReplyKept(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            let id = try #require(try await Self.enqueue(store, at: clock.now).first)
            let transport = RecordingTransport(answers: [.rejected(reply: "550 5.1.1 no such user"), .delivered])
            #expect(try await Self.worker(store, transport, clock).runOnce() == 1)
            let row = try await Self.row(store, id)
            #expect(row.status == .dead && row.attempts == 1 && row.error == "550 5.1.1 no such user")
            // Once the cause is fixed, an operator requeues it and it goes out.
            let dead = try await store.withSystem { tx in try await store.outbox.dead(tx) }
            #expect(dead.map(\.id) == [id])
            try await store.withSystem { tx in try await store.outbox.requeue(tx, id: id, at: clock.now) }
            #expect(try await Self.worker(store, transport, clock).runOnce() == 1)
            #expect(try await Self.row(store, id).status == .sent)
            #expect(try await store.withSystem { tx in try await store.outbox.counts(tx) } == [.sent: 1])
        }
    }

    @Test(arguments: TestBackend.available)
    func aMessageClaimedByAWorkerThatDiedIsSentAfterTheLeaseExpires(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            let id = try #require(try await Self.enqueue(store, at: clock.now).first)
            // A worker claims the message and dies before recording anything.
            let claimed = try await store.withSystem { tx in
                try await store.outbox.claim(tx, limit: 10, now: clock.now, lease: 120)
            }
            #expect(claimed.map(\.id) == [id])
            let transport = RecordingTransport(answers: [.delivered])
            let survivor = try Self.worker(store, transport, clock)
            #expect(try await survivor.runOnce() == 0)  // still leased
            clock.advance(by: 121)
            #expect(try await survivor.runOnce() == 1)
            #expect(try await Self.row(store, id).status == .sent)
            #expect(transport.sent.first?.messageID == claimed[0].messageID)  // recognizably the same message
        }
    }

    @Test(arguments: TestBackend.available)
    func twoWorkersNeverSendOneMessageTwice(_ backend: TestBackend) async throws {
        let url = try await TestDatabases.makeURL(backend)
        let setup = try await TestDatabases.open(url: url)
        let clock = ManualClock()
        try await withRunning(setup) { database in
            try await MigrationRunner(database: database, logger: TestDatabases.logger).migrate()
            _ = try await Self.enqueue(Store(database: database), count: 300, at: clock.now)
        }
        let transport = RecordingTransport(delivering: 300)
        // Two workers, each with its own connections, as two processes would have.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                let database = try await TestDatabases.open(url: url)
                group.addTask {
                    try await withRunning(database) { database in
                        let worker = try Self.worker(Store(database: database), transport, clock)
                        while try await worker.runOnce() > 0 {}
                    }
                }
            }
            try await group.waitForAll()
        }
        let ids = transport.sent.map(\.messageID)
        #expect(ids.count == 300)
        #expect(Set(ids).count == 300)
    }
}
