import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// Until exchange rates exist, spending in another currency gets a chart of its own on the
/// dashboard and the reports page, and the month-to-date comparison (against the same days of
/// last month) names the one currency it compares:
/// never a silent zero, never two currencies in one sum.
@Suite struct CurrencyChartTests {
    @Test(arguments: TestBackend.available)
    func everyCurrencySpentHasItsOwnChart(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)  // EUR; today is 2026-11-30
            for fields in [
                ["amount": "100", "date": "2026-10-12", "merchant": "Rent"],
                // After the same day of last month: outside the month-to-date comparison.
                ["amount": "50", "date": "2026-10-31", "merchant": "Late"],
                ["amount": "12", "date": "2026-11-03", "merchant": "Lunch"],
                ["amount": "3200", "currency": "JPY", "date": "2026-11-24", "merchant": "Kiosk"],
            ] {
                _ = try await client.logExpense(org, fields, by: owner)
            }
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)

            let dashboard = try await client.send(.get, "/orgs/\(org)/dashboard", headers: cookie)
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.contains(#"aria-label="Spending by category this month, in EUR""#))
            #expect(dashboard.body.contains(#"aria-label="Spending by category this month, in JPY""#))
            #expect(dashboard.body.contains(#"<span class="bar-value">¥3,200</span>"#))
            #expect(dashboard.body.contains("Same days last month (October 2026 1–30): €100.00"))
            #expect(dashboard.body.contains("€100.00  · −88% in EUR"))

            let reports = try await client.send(
                .get, "/orgs/\(org)/reports?period=month&from=2026-10-01&to=2026-11-30", headers: cookie)
            #expect(reports.status == .ok)
            #expect(reports.body.contains(#"aria-label="Totals per month in EUR""#))
            #expect(reports.body.contains(#"aria-label="Totals per month in JPY""#))
            #expect(reports.body.contains(#"<span class="bar-value">¥3,200</span>"#))

            // An organization that spent only in its own currency shows one chart.
            let onlyEUR = try await client.send(
                .get, "/orgs/\(org)/reports?period=month&from=2026-10-01&to=2026-10-31", headers: cookie)
            #expect(onlyEUR.status == .ok && !onlyEUR.body.contains("in JPY"))
        }
    }
}
