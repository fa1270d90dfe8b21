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

    @Test("A write reads the caller's membership FOR SHARE: a role change waits until it commits")
    func aWritesMembershipReadHoldsOffARoleChange() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        try await withMigratedDatabase(.postgres) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            // With the lock the demotion cannot get the row while the write is open; without it,
            // it can (so the check below can fail).
            #expect(try await demotionWaits(store, world, locking: true))
            #expect(try await !demotionWaits(store, world, locking: false))
        }
    }

    /// Opens a write's transaction that reads `shared`'s role in org A, and meanwhile tries to
    /// change that role from another connection with a short lock timeout. True when it timed out.
    private func demotionWaits(_ store: Store, _ world: RepositoryContractTests.World, locking: Bool)
        async throws -> Bool
    {
        let (held, holding) = AsyncStream<Void>.makeStream()
        let (done, finished) = AsyncStream<Void>.makeStream()
        return try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask {
                try await store.withTenant(world.orgA.id, actor: world.shared.id) { tx in
                    let found = try await store.organizations.findWithRole(
                        tx, user: world.shared.id, lockingMembership: locking)
                    #expect(found?.1 == .viewer)
                    holding.yield()
                    for await _ in done { break }
                }
                return nil
            }
            group.addTask {
                for await _ in held { break }
                defer { finished.yield() }
                do {
                    try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx in
                        try await tx.executor.execute("SET LOCAL lock_timeout = '300ms'")
                        try await store.memberships.changeRole(tx, user: world.shared.id, to: .member, at: Date())
                        throw CancellationError()  // undo the change: only whether it got the row matters
                    }
                } catch is CancellationError {
                    return false
                } catch {
                    // PostgreSQL's "canceling statement due to lock timeout" (55P03), nothing else.
                    return String(reflecting: error).contains("lock timeout")
                }
                return false
            }
            var waited = false
            for try await result in group { if let result { waited = result } }
            return waited
        }
    }
}
