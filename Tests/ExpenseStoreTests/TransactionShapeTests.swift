import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// The shape every request relies on: one transaction at a time per task, savepoints that undo
/// only their own statements, and a deferred scope that shows nothing until it is set.
@Suite struct TransactionShapeTests {
    @Test("A transaction started inside another fails at once instead of waiting", arguments: TestBackend.available)
    func nestedTransactionsFail(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            await #expect(throws: StoreError.nestedTransaction) {
                try await store.withSystem { _ in
                    try await store.withSystem { tx in try await tx.executor.execute("SELECT 1") }
                }
            }
            await #expect(throws: StoreError.nestedTransaction) {
                try await store.withTenant(TenantID(), actor: nil) { _ in
                    try await store.withoutTransaction { tx in try await tx.executor.execute("SELECT 1") }
                }
            }
            // After the refusal the store still works: the outer transaction ended cleanly.
            let one: Int64? = try await store.withSystem { tx in
                try await tx.executor.first("SELECT 1 AS one")?.decode("one")
            }
            #expect(one == 1)
        }
    }

    @Test(
        "A failed savepoint undoes its own statements and leaves the transaction usable",
        arguments: TestBackend.available)
    func savepointsUndoOnlyTheirOwnWork(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let now = Date(timeIntervalSince1970: 1_796_000_000)
            let count: Int64 = try await store.withSystem { tx in
                _ = try await store.users.create(
                    tx, id: UserID(), email: "kept@example.com", name: "Kept", passwordHash: "x", at: now)
                await #expect(throws: StoreError.self) {
                    try await tx.savepoint {
                        _ = try await store.users.create(
                            tx, id: UserID(), email: "undone@example.com", name: "Undone", passwordHash: "x", at: now)
                        // The same address again: a unique violation inside the savepoint.
                        _ = try await store.users.create(
                            tx, id: UserID(), email: "kept@example.com", name: "Twin", passwordHash: "x", at: now)
                    }
                }
                return try await tx.executor.first("SELECT COUNT(*) AS n FROM users")?.decode("n") ?? -1
            }
            #expect(count == 1)
        }
    }
}
