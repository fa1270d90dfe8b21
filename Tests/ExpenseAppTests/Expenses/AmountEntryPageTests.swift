import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// The add form reads amounts as people type them where the reading is unambiguous, says what
/// to type where it is not, and pages show amounts with signs and thousands; the API keeps its
/// plain decimals.
@Suite struct AmountEntryPageTests {
    @Test(arguments: TestBackend.available)
    func theFormReadsTypedAmountsAndTheListShowsThemGrouped(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("tomas@example.org", name: "Tomás", harness: harness)
            let org = try await client.createOrganization("Harbour School", by: owner)
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, owner.email)
            let add = { (amount: String, currency: String) in
                try await client.send(
                    .post, "/orgs/\(org)/expenses",
                    form: ["_csrf": csrf, "amount": amount, "currency": currency, "date": "2026-11-02"],
                    headers: cookie)
            }

            #expect(try await add("€1,200.50", "EUR").status == .seeOther)
            #expect(try await add("$12", "USD").status == .seeOther)
            #expect(try await add("3200 円", "JPY").status == .seeOther)
            let amounts = try await client.allExpenses(org, by: owner).map { "\($0["amount"]!) \($0["currency"]!)" }
            #expect(Set(amounts) == ["1200.50 EUR", "12.00 USD", "3200 JPY"])

            let ambiguous = try await add("12,50", "EUR")
            #expect(ambiguous.status == .unprocessableContent)
            #expect(ambiguous.body.contains("Type 12.50 for that amount"))
            #expect(ambiguous.body.contains(#"value="12,50""#))
            let otherSign = try await add("$12", "EUR")
            #expect(otherSign.status == .unprocessableContent && otherSign.body.contains("is not EUR"))
            #expect(try await client.allExpenses(org, by: owner).count == 3)

            let list = try await client.send(.get, "/orgs/\(org)/expenses", headers: cookie)
            #expect(list.body.contains("€1,200.50") && list.body.contains("$12.00") && list.body.contains("¥3,200"))
            #expect(list.body.contains(#"<time datetime="2026-11-02" title="2026-11-02">2 Nov 2026</time>"#))

            // The filter reads bounds as typed too, and so does the list's CSV link.
            let filtered = try await client.send(
                .get, "/orgs/\(org)/expenses?min_amount=%E2%82%AC1%2C000", headers: cookie)
            #expect(filtered.status == .ok && filtered.body.contains("1 expense match: €1,200.50"))
            let csv = try await client.send(
                .get, "/orgs/\(org)/exports/expenses.csv?min_amount=1%2C000", headers: cookie)
            #expect(csv.status == .ok && parseCSV(csv.body).count == 2)

            // The API documents plain decimals and keeps them: a typed form is a 422 there.
            let api = try await client.send(
                .post, "/api/v1/orgs/\(org)/expenses", json: ["amount": "1,200.50", "date": "2026-11-02"],
                headers: owner.auth)
            #expect(api.status == .unprocessableContent)
        }
    }

    /// A browser's date field shows the reader's own order (30/11/2026 or 11/30/2026): the page's
    /// messages speak of days, months and years, never of YYYY-MM-DD, which the API keeps.
    @Test(arguments: TestBackend.available)
    func dateMessagesMatchTheDateField(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("ines@example.org", name: "Inês", harness: harness)
            let org = try await client.createOrganization("Harbour School", by: owner)
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, owner.email)

            let impossible = try await client.send(
                .post, "/orgs/\(org)/expenses", form: ["_csrf": csrf, "amount": "5", "date": "2026-02-30"],
                headers: cookie)
            #expect(impossible.status == .unprocessableContent)
            #expect(impossible.body.contains("Choose a day between 1 Jan 1900 and 31 Dec 2999"))
            #expect(!impossible.body.contains("YYYY-MM-DD"))
            #expect(impossible.body.contains(#"type="date" min="1900-01-01" max="2999-12-31""#))
            let missing = try await client.send(
                .post, "/orgs/\(org)/expenses", form: ["_csrf": csrf, "amount": "5", "date": ""], headers: cookie)
            #expect(missing.body.contains("Choose the day, with day, month and year."))

            let filter = try await client.send(.get, "/orgs/\(org)/expenses?from=2026-13-01", headers: cookie)
            #expect(filter.status == .unprocessableContent && filter.body.contains("From: Choose a day"))
            let report = try await client.send(.get, "/orgs/\(org)/reports?to=31.12.2026", headers: cookie)
            #expect(report.status == .unprocessableContent && report.body.contains("To: Choose a day"))

            let api = try await client.send(
                .post, "/api/v1/orgs/\(org)/expenses", json: ["amount": "5", "date": "2026-02-30"], headers: owner.auth)
            #expect(api.status == .unprocessableContent && api.body.contains("YYYY-MM-DD"))
        }
    }
}
