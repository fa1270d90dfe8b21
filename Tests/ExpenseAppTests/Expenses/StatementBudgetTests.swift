import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The request path's statement budget on PostgreSQL: listing and logging expenses each send at
/// most five statements, `BEGIN` and `COMMIT` included. A change that needs more fails here
/// rather than in a benchmark; raising the budget means saying why in docs/benchmarks.md.
@Suite struct StatementBudgetTests {
    static let budget = 5

    @Test("Listing and logging expenses each send at most five statements")
    func budget() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        // The clock stands still, so the once-a-minute "token last used" write never falls due.
        let harness = try await AccountsHarness.make(.postgres)
        let database = try #require(harness.store.database as? PostgresDatabase)
        try await harness.run { client in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let category = try #require((categories.json["items"] as? [[String: Any]])?.first?["id"] as? String)

            func statements(_ request: () async throws -> Reply) async throws -> (Reply, Int) {
                let before = database.statementCounter.value
                let reply = try await request()
                return (reply, database.statementCounter.value - before)
            }
            let path = "/api/v1/orgs/\(org)/expenses"
            let (created, createCount) = try await statements {
                try await client.send(
                    .post, path, json: ["amount": "12.50", "date": "2026-11-29", "category_id": category],
                    headers: owner.auth)
            }
            #expect(created.status == .created)
            #expect((1...Self.budget).contains(createCount), "logging an expense sent \(createCount) statements")
            let (uncategorized, plainCount) = try await statements {
                try await client.send(.post, path, json: ["amount": "3.00", "date": "2026-11-30"], headers: owner.auth)
            }
            #expect(uncategorized.status == .created)
            #expect((1...Self.budget).contains(plainCount), "logging an expense sent \(plainCount) statements")

            for _ in 0..<60 {
                _ = try await client.send(
                    .post, path, json: ["amount": "1.00", "date": "2026-11-01"], headers: owner.auth)
            }
            let (listed, listCount) = try await statements { try await client.send(.get, path, headers: owner.auth) }
            #expect(listed.status == .ok)
            #expect((listed.json["items"] as? [Any])?.count == 50)
            #expect((1...Self.budget).contains(listCount), "listing expenses sent \(listCount) statements")
            let cursor = try #require(listed.json["next_cursor"] as? String)
            let (next, nextCount) = try await statements {
                try await client.send(.get, path + "?cursor=\(cursor)", headers: owner.auth)
            }
            #expect((next.json["items"] as? [Any])?.count == 12)
            #expect((1...Self.budget).contains(nextCount), "the next page sent \(nextCount) statements")

            // Once a minute a token's use is recorded: the one statement over the budget, and only
            // then (the next request is back within it).
            harness.clock.advance(by: 61)
            let (_, touchCount) = try await statements { try await client.send(.get, path, headers: owner.auth) }
            #expect(touchCount == listCount + 1, "a list that records the token's use sent \(touchCount)")
            let (_, afterCount) = try await statements { try await client.send(.get, path, headers: owner.auth) }
            #expect(afterCount == listCount)
        }
    }
}
