import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// The expense list says how many expenses the filter selects and what they add up to, per
/// currency, over the whole set rather than one page; a filtered list offers to clear it.
@Suite struct ExpenseListSummaryTests {
    @Test(arguments: TestBackend.available)
    func theListTotalsWhatTheFilterSelects(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            for index in 0..<55 {  // more than one page
                _ = try await client.logExpense(
                    org, ["amount": "1.10", "date": "2026-11-0\(index % 9 + 1)", "merchant": "Bus \(index)"], by: owner)
            }
            _ = try await client.logExpense(
                org, ["amount": "3200", "currency": "JPY", "date": "2026-11-20", "merchant": "Kiosk"], by: owner)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)

            let all = try await client.send(.get, "/orgs/\(org)/expenses", headers: cookie)
            #expect(all.status == .ok)
            #expect(all.body.contains("56 expenses in all: €60.50, ¥3,200"))
            #expect(!all.body.contains("Clear filters"))
            let filtered = try await client.send(.get, "/orgs/\(org)/expenses?q=bus%201", headers: cookie)
            #expect(filtered.status == .ok)
            // "Bus 1", "Bus 10" … "Bus 19": eleven.
            #expect(filtered.body.contains("11 expenses match: €12.10"))
            #expect(filtered.body.contains(#"<a href="/orgs/\#(org)/expenses">Clear filters</a>"#))
            let none = try await client.send(.get, "/orgs/\(org)/expenses?q=nothing-like-this", headers: cookie)
            #expect(none.status == .ok && !none.body.contains("match:"))
        }
    }
}
