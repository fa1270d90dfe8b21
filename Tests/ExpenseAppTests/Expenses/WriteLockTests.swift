import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// A write route reads the caller's membership `FOR SHARE`; a read route does not lock it.
@Suite struct WriteLockTests {
    @Test("While another transaction holds the caller's membership row, writes wait and reads do not")
    func writesWaitForALockedMembership() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let harness = try await AccountsHarness.make(.postgres)
        try await harness.run { client in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let path = "/api/v1/orgs/\(org)/expenses"
            let store = harness.store
            let tenant = try #require(OrganizationID(uuidString: org))
            let user = try #require(UserID(uuidString: owner.id))
            let (locked, holding) = AsyncStream<Void>.makeStream()
            let (release, releasing) = AsyncStream<Void>.makeStream()
            // A role change under way elsewhere: it holds the row until released. Detached, so the
            // requests below are not inside its transaction.
            let holder = Task.detached {
                try await store.withTenant(tenant, actor: nil) { tx in
                    try await tx.executor.execute(
                        "UPDATE memberships SET role = role WHERE tenant_id = \(tenant) AND user_id = \(user)")
                    holding.yield()
                    for await _ in release { break }
                }
            }
            for await _ in locked { break }
            let read = try await client.send(.get, path, headers: owner.auth)
            #expect(read.status == .ok)
            let finishedWhileHeld = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    let reply = try await client.send(
                        .post, path, json: ["amount": "1.00", "date": "2026-11-29"], headers: owner.auth)
                    #expect(reply.status == .created)
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(700))
                    releasing.yield()
                    return false
                }
                let first = try await group.next() ?? false
                try await group.waitForAll()
                return first
            }
            #expect(!finishedWhileHeld, "the write did not wait for the membership row")
            try await holder.value
        }
    }
}
