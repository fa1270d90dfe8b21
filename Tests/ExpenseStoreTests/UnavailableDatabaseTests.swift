import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// A PostgreSQL store that cannot lease a connection says so in its own terms
/// (`StoreError.unavailable`), which the app answers 503 with `Retry-After`.
@Suite struct UnavailableDatabaseTests {
    @Test func aShutDownPoolIsUnavailable() async throws {
        let database = try PostgresDatabase(
            url: "postgres://nobody@127.0.0.1:1/nothing?sslmode=disable", logger: TestDatabases.logger)
        let running = Task { try await database.run() }
        running.cancel()
        _ = await running.result
        await #expect(throws: StoreError.unavailable(reason: "connection pool shut down")) {
            try await database.transaction(.system) { _ in }
        }
        await #expect(throws: StoreError.unavailable(reason: "connection pool shut down")) {
            try await database.autocommit { _ in }
        }
    }

    /// Nothing listens at the address: the pool would keep the caller queued while it retries
    /// connecting (a minute, until its circuit breaker trips); the caller waits only the lease
    /// timeout. No server needed.
    @Test(.timeLimit(.minutes(1))) func anUnreachableDatabaseIsUnavailableAfterTheLeaseTimeout() async throws {
        let database = try PostgresDatabase(
            url: "postgres://nobody@127.0.0.1:1/nothing?sslmode=disable", leaseTimeout: .milliseconds(200),
            logger: TestDatabases.logger)
        try await withRunning(database) { database in
            await #expect(throws: StoreError.unavailable(reason: "no connection within 200 ms")) {
                try await database.transaction(.system) { _ in }
            }
            await #expect(throws: StoreError.unavailable(reason: "no connection within 200 ms")) {
                try await database.ping()
            }
        }
    }

    /// Every connection busy: a caller gives up at the lease timeout instead of queueing behind
    /// a holder that never lets go, and the connection it did not get is not lost (the pool of
    /// one serves the next caller once the holder is done). The time limit is a hang guard: an
    /// unbounded wait would never end, since the holder lets go only after.
    @Test(.enabled(if: TestBackend.available.contains(.postgres)), .timeLimit(.minutes(1)))
    func aBusyPoolAnswersUnavailableAtTheLeaseTimeoutAndKeepsItsConnection() async throws {
        let database = try PostgresDatabase(
            url: try await TestDatabases.makeURL(.postgres), connections: 1, leaseTimeout: .seconds(1),
            logger: TestDatabases.logger)
        try await withRunning(database) { database in
            // The one connection open and idle first (connecting may take longer than the lease
            // timeout on a busy machine), so the holder's lease is immediate.
            var warm = false
            for _ in 0..<30 where !warm {
                warm = (try? await database.transaction(.system) { _ in }) != nil
            }
            #expect(warm)
            let holding = AsyncGate()
            let release = AsyncGate()
            async let holder: Int = {
                do {
                    return try await database.transaction(.system) { tx in
                        holding.open()
                        try await release.wait()
                        return try await tx.first("SELECT 1 AS one")?.decode("one") ?? 0
                    }
                } catch {
                    holding.open()
                    throw error
                }
            }()
            try await holding.wait()
            await #expect(throws: StoreError.unavailable(reason: "no connection within 1 s")) {
                try await database.transaction(.system) { _ in }
            }
            release.open()
            #expect(try await holder == 1)
            let next: Int = try await database.transaction(.system) { tx in
                try await tx.first("SELECT 2 AS two")?.decode("two") ?? 0
            }
            #expect(next == 2)
        }
    }
}
