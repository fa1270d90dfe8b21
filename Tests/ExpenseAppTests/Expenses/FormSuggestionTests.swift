import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// Forms offer what a person would otherwise look up or type again: searchable currency and
/// time-zone lists, merchants paid before with their usual category, and starting categories
/// that fit the organization's kind.
@Suite struct FormSuggestionTests {
    @Test func theListsHoldExactlyWhatTheServerAccepts() throws {
        #expect(ListOption.currencies.count == Currency.knownCodes.count)
        for option in ListOption.currencies { _ = try Currency(code: option.value) }
        #expect(ListOption.currencies.first { $0.value == "EUR" }?.label == "Euro")
        #expect(ListOption.currencies.first { $0.value == "JPY" }?.label == "Japanese Yen")
        for option in ListOption.timeZones { _ = try TimeZoneName.parse(option.value) }
        let zones = Set(ListOption.timeZones.map(\.value))
        #expect(zones.isSuperset(of: ["UTC", "Europe/Lisbon", "Asia/Kolkata", "America/New_York"]))
        #expect(!zones.contains { $0.hasPrefix("Etc/") } && !zones.contains("EST"))
    }

    @Test(arguments: TestBackend.available)
    func formsSuggestCurrenciesZonesAndMerchantsPaidBefore(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)

            let create = try await client.send(.get, "/orgs", headers: cookie)
            #expect(create.body.contains(#"list="currency-list""#) && create.body.contains(#"list="timezone-list""#))
            #expect(create.body.contains(#"<option value="EUR">Euro</option>"#))
            #expect(create.body.contains(#"<option value="Asia/Kolkata"></option>"#))

            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let meals = (categories.json["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Meals" }
            for (merchant, category) in [("Kiosk", nil), ("Café Central", meals?["id"]), ("Café Central", nil)] {
                var fields: [String: Any] = ["amount": "3.20", "date": "2026-11-02", "merchant": merchant]
                if let category { fields["category_id"] = category }
                _ = try await client.logExpense(org, fields, by: owner)
            }
            // Café Central is filed under Meals twice and once under none (its newest): usually Meals.
            _ = try await client.logExpense(
                org, ["amount": "1", "date": "2026-11-01", "merchant": "Café Central", "category_id": meals!["id"]!],
                by: owner)
            let form = try await client.send(.get, "/orgs/\(org)/expenses/new", headers: cookie)
            #expect(form.body.contains(#"list="merchant-list""#))
            // Quick entry from the keyboard: the add form (and "Save and add another") starts in
            // the amount field, the merchant field completes from history, Enter saves.
            #expect(form.body.contains(#"inputmode="decimal" required autofocus"#))
            #expect(
                form.body.contains(
                    #"<datalist id="merchant-list"><option value="Café Central">usually Meals</option><option value="Kiosk"></option></datalist>"#
                ), "\(form.body)")
            #expect(form.body.contains(#"<datalist id="currency-list"><option value="AED">"#))
        }
    }

    @Test(arguments: TestBackend.available)
    func newOrganizationsStartWithCategoriesOfTheirKind(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("sam@example.org", name: "Sam", harness: harness)
            func names(_ org: String) async throws -> [String] {
                let reply = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
                return ((reply.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            }
            let school = try await client.send(
                .post, "/api/v1/orgs",
                json: ["name": "Hill School", "kind": "school", "currency": "EUR", "timezone": "Europe/Lisbon"],
                headers: owner.auth)
            let schoolNames = try await names(school.json["id"] as! String)
            #expect(Set(schoolNames) == Set(Category.defaults(for: .school)))
            #expect(schoolNames.contains("Field trips") && !schoolNames.contains("Software"))

            let me = try await client.send(.get, "/api/v1/me", headers: owner.auth)
            let personal = ((me.json["memberships"] as? [[String: Any]]) ?? []).first {
                $0["kind"] as? String == "personal"
            }
            let personalNames = try await names(try #require(personal?["organization_id"] as? String))
            #expect(personalNames.contains("Groceries") && !personalNames.contains("Software"))
        }
    }
}
