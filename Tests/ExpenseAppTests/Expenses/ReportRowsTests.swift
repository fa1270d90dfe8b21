import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// The reports page says where its periods start and why, and its totals CSV holds the same
/// rows: every period, zeros included, the first from the day asked for, each grouped period's
/// total before its groups.
@Suite struct ReportRowsTests {
    @Test(arguments: TestBackend.available)
    func weeksStartWhereTheSettingsSayAndTheCSVHoldsThePagesRows(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("fran@example.org", name: "Fran", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)
            _ = try await client.logExpense(
                org, ["amount": "10", "date": "2026-11-05", "tags": ["a", "b"]], by: owner)
            _ = try await client.logExpense(org, ["amount": "2.50", "date": "2026-11-20"], by: owner)

            // 2026-11-04 is a Wednesday; the co-op's weeks start on Monday.
            let query = "period=week&from=2026-11-04&to=2026-11-24&group_by=category"
            let page = try await client.send(.get, "/orgs/\(org)/reports?\(query)", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.body.contains("Weeks start on Monday, as the organization&#39;s settings say."))
            #expect(page.body.contains("The range&#39;s first week counts from 4 Nov 2026, where the range starts."))
            #expect(page.body.contains("The range&#39;s last week counts up to 24 Nov 2026, where the range ends."))
            #expect(page.body.contains(#"<time datetime="2026-11-04">4 Nov 2026</time>"#))
            #expect(!page.body.contains(#"datetime="2026-11-02""#))

            let csv = try await client.send(.get, "/orgs/\(org)/exports/totals.csv?\(query)", headers: cookie)
            let rows = parseCSV(csv.body)
            #expect(
                rows == [
                    ["period_start", "period_end", "group", "currency", "amount", "count"],
                    ["2026-11-04", "2026-11-08", "All", "EUR", "10.00", "1"],
                    ["2026-11-04", "2026-11-08", "Uncategorized", "EUR", "10.00", "1"],
                    ["2026-11-09", "2026-11-15", "All", "EUR", "0.00", "0"],
                    ["2026-11-16", "2026-11-22", "All", "EUR", "2.50", "1"],
                    ["2026-11-16", "2026-11-22", "Uncategorized", "EUR", "2.50", "1"],
                    ["2026-11-23", "2026-11-24", "All", "EUR", "0.00", "0"],
                ], "\(rows)")
            // One separator for tags everywhere: a space, as in the expenses CSV.
            let expenses = parseCSV(
                try await client.send(
                    .get, "/orgs/\(org)/exports/expenses.csv?from=2026-11-05&to=2026-11-05", headers: cookie
                )
                .body)
            #expect(expenses.last?.contains("a b") == true, "\(expenses)")
        }
    }
}
