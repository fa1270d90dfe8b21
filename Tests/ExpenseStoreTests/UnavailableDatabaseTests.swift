import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// A PostgreSQL store that cannot lease a connection says so in its own terms
/// (`StoreError.unavailable`), which the app answers 503 with `Retry-After`. No server needed.
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
}
