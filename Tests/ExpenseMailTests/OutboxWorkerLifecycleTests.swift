import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

@testable import ExpenseMail

/// Metrics, graceful shutdown and a worker killed outright.
@Suite struct OutboxWorkerLifecycleTests {
    @Test(arguments: TestBackend.available)
    func sentRetriedAndDeadAreCounted(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            _ = try await OutboxWorkerTests.enqueue(store, count: 4, at: clock.now)
            let transport = RecordingTransport(answers: [
                .delivered, .retry(reason: "451 later"), .rejected(reply: "550 no"), .delivered,
            ])
            let registry = PrometheusCollectorRegistry()
            var settings = OutboxWorker.Settings(from: try MailAddress("no-reply@example.org"))
            settings.concurrency = 1
            let worker = OutboxWorker(
                store: store, transport: transport, settings: settings, now: { clock.now },
                metrics: MailMetrics(factory: PrometheusMetricsFactory(registry: registry)),
                logger: TestDatabases.logger)
            #expect(try await worker.runOnce() == 4)
            let text = registry.emitToString()
            #expect(text.contains("mail_messages_sent_total 2\n"))
            #expect(text.contains("mail_messages_retried_total 1\n"))
            #expect(text.contains("mail_messages_dead_total 1\n"))
            let backlog = try await store.withSystem { tx in try await store.outbox.backlog(tx, now: clock.now) }
            #expect(backlog.count == 1)  // the one to retry
        }
    }

    @Test(arguments: TestBackend.available)
    func gracefulShutdownFinishesSendsUnderWayAndReleasesTheRest(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let clock = ManualClock()
            let ids = try await OutboxWorkerTests.enqueue(store, count: 10, at: clock.now)
            let transport = GatedTransport(expecting: 2)
            var settings = OutboxWorker.Settings(from: try MailAddress("no-reply@example.org"))
            settings.concurrency = 2
            settings.batchSize = 10
            let worker = OutboxWorker(
                store: store, transport: transport, settings: settings, now: { clock.now },
                logger: TestDatabases.logger)
            let group = ServiceGroup(services: [worker], logger: TestDatabases.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while transport.started < 2 { try await Task.sleep(for: .milliseconds(10)) }
                await group.triggerGracefulShutdown()
                transport.open()
                try await tasks.waitForAll()
            }
            var states: [OutboxStatus: Int] = [:]
            for id in ids {
                let row = try await OutboxWorkerTests.row(store, id)
                states[row.status, default: 0] += 1
                if row.status == .pending { #expect(row.attempts == 0) }
            }
            #expect(transport.started == 2)
            #expect(states == [.sent: 2, .pending: 8])
            // Released at once: another worker takes them without waiting for a lease.
            let next = OutboxWorker(
                store: store, transport: RecordingTransport(delivering: 8),
                settings: settings, now: { clock.now },
                logger: TestDatabases.logger)
            #expect(try await next.runOnce() == 8)
        }
    }

    /// `expense-tracker worker` killed with SIGKILL in the middle of a batch sent to a slow SMTP
    /// server; a second worker, once the lease is over, finishes the job. Every message ends sent,
    /// each arrives, and only the few that were in flight at the kill may arrive twice.
    @Test(
        .enabled(if: SMTPTestServer.available || SMTPTestServer.required),
        arguments: TestBackend.available)
    func aWorkerKilledMidBatchLosesNothing(_ backend: TestBackend) async throws {
        let binary = try #require(WorkerProcess.binary, "build the expense-tracker executable first")
        let server = try SMTPTestServer(arguments: ["--delay", "0.15"])
        let url = try await TestDatabases.makeURL(backend)
        let total = 60
        try await withRunning(try await TestDatabases.open(url: url)) { database in
            try await MigrationRunner(database: database, logger: TestDatabases.logger).migrate()
            _ = try await OutboxWorkerTests.enqueue(Store(database: database), count: total, at: Date())
        }
        let process = try WorkerProcess.start(
            binary: binary,
            environment: [
                "DATABASE_URL": url, "MAIL_TRANSPORT": "smtp", "SMTP_URL": "smtp://127.0.0.1:\(server.port)",
                "SMTP_STARTTLS": "off", "MAIL_FROM": "no-reply@example.org", "LOG_LEVEL": "warning",
            ])
        // Kill it once some mail has gone out, with a batch still under way.
        let deadline = Date().addingTimeInterval(60)
        while try server.messages().count < 8, Date() < deadline, process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let receivedAtKill = try server.messages().count
        #expect(receivedAtKill >= 8 && receivedAtKill < total)

        try await withRunning(try await TestDatabases.open(url: url)) { database in
            let store = Store(database: database)
            let counts = try await store.withSystem { tx in try await store.outbox.counts(tx) }
            #expect((counts[.sending] ?? 0) > 0)  // the killed worker's claims
            let transport = SMTPTestServer.transport(server)
            let settings = OutboxWorker.Settings(from: try MailAddress("no-reply@example.org"))
            // Past the killed worker's lease.
            let later = Date().addingTimeInterval(settings.claimLease + 60)
            let survivor = OutboxWorker(
                store: store, transport: transport, settings: settings, now: { later }, logger: TestDatabases.logger)
            while try await survivor.runOnce() > 0 {}
            #expect(try await store.withSystem { tx in try await store.outbox.counts(tx) } == [.sent: total])
        }
        let messageIDs = try server.messages().compactMap { message in
            message.split(separator: "\r\n").first { $0.hasPrefix("Message-ID: ") }.map(String.init)
        }
        #expect(Set(messageIDs).count == total)
        // At least once: a message the killed worker had handed over but not yet recorded as sent
        // goes again, with the same Message-ID. At most a round's concurrency of them.
        #expect(messageIDs.count - total <= OutboxWorker.Settings(from: try MailAddress("a@example.org")).concurrency)
    }
}

/// The built `expense-tracker` executable, run as a child process.
enum WorkerProcess {
    /// Beside the test bundle in the build directory.
    static var binary: URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("expense-tracker")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    static func start(binary: URL, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["worker"]
        var inherited = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" || $0.key == "HOME" }
        inherited.merge(environment) { $1 }
        process.environment = inherited
        // Its own working directory, so no `.env` of the checkout is read.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.currentDirectoryURL = directory
        try process.run()
        return process
    }
}
