import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// The audit log is append-only in the schema itself, whatever code runs against it.
@Suite struct AuditLogTests {
    @Test(arguments: TestBackend.available)
    func entriesCanBeAppendedAndReadButNeverChangedOrDeleted(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            let entry = AuditEntry(
                id: UUID(), actorID: world.alice.id, actorName: "Alice", action: .memberInvited,
                subjectType: .invitation,
                subjectID: "x", details: .facts(["email": "new@example.org"]),
                createdAt: Date(timeIntervalSince1970: 1_796_000_000)
            )
            try await store.withTenant(world.orgA.id) { tx in try await store.audit.append(tx, entry) }
            let listed = try await store.withTenant(world.orgA.id) { tx in try await store.audit.list(tx, limit: 10) }
            #expect(listed == [entry])
            // Another tenant does not see it.
            #expect(
                try await store.withTenant(world.orgB.id) { tx in try await store.audit.list(tx, limit: 10) }.isEmpty)

            await #expect(throws: (any Error).self) {
                try await store.withTenant(world.orgA.id) { tx in
                    let changed = try await tx.executor.query("UPDATE audit_log SET action = 'nothing' RETURNING id")
                    // On PostgreSQL row security leaves no row to update; then the trigger is not even needed.
                    if changed.isEmpty { throw StoreError.rowSecurityViolation }
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.withTenant(world.orgA.id) { tx in
                    let deleted = try await tx.executor.query("DELETE FROM audit_log RETURNING id")
                    if deleted.isEmpty { throw StoreError.rowSecurityViolation }
                }
            }
            #expect(
                try await store.withTenant(world.orgA.id) { tx in try await store.audit.list(tx, limit: 10) } == [entry]
            )
        }
    }
}
