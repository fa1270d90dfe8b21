import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// Entering several expenses in a row: "Save and add another" comes back to a fresh form that
/// keeps the date, currency and category of the one just added.
@Suite struct SaveAndAddAnotherTests {
    @Test(arguments: TestBackend.available)
    func saveAndAddAnotherReturnsToAFormLikeTheLast(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, owner.email)
            let blank = try await client.send(.get, "/orgs/\(org)/expenses/new", headers: cookie)
            #expect(blank.status == .ok && blank.body.contains(#"name="then" value="another""#))
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let travel = try #require(
                (categories.json["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Travel" }?["id"]
                    as? String)

            let added = try await client.send(
                .post, "/orgs/\(org)/expenses",
                form: [
                    "_csrf": csrf, "amount": "320", "currency": "JPY", "date": "2026-11-20",
                    "category_id": travel,
                    "merchant": "Bus", "then": "another",
                ],
                headers: cookie)
            #expect(added.status == .seeOther)
            let next = try #require(added.headers[.location])
            #expect(next.hasPrefix("/orgs/\(org)/expenses/new?"))
            let form = try await client.send(.get, next, headers: cookie)
            #expect(form.status == .ok && form.body.contains("Expense added."))
            #expect(form.body.contains(#"value="2026-11-20""#) && form.body.contains(#"value="JPY""#))
            #expect(form.body.contains(#"<option value="\#(travel)" selected>Travel</option>"#))

            let plain = try await client.send(
                .post, "/orgs/\(org)/expenses",
                form: ["_csrf": csrf, "amount": "4", "date": "2026-11-21", "merchant": "Tram"], headers: cookie)
            #expect(plain.headers[.location] == "/orgs/\(org)/expenses?notice=expense-added")
            let saved = try await client.allExpenses(org, by: owner)
            #expect(saved.count == 2)
            // The edit form has no such button.
            let id = try #require(saved.first?["id"] as? String)
            let edit = try await client.send(.get, "/orgs/\(org)/expenses/\(id)/edit", headers: cookie)
            #expect(edit.status == .ok && !edit.body.contains("Save and add another"))
        }
    }
}
