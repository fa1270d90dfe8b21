import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// A new organization's form starts from the creator's own settings (their personal
/// organization's currency, time zone and week start).
@Suite struct OrganizationCreationPageTests {
    @Test(arguments: TestBackend.available)
    func theFormStartsFromThePersonalOrganization(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let registered = try await client.send(
                .post, "/api/v1/auth/register",
                json: [
                    "email": "kai@example.org", "password": AccountsHarness.password, "name": "Kai",
                    "currency": "JPY", "timezone": "Asia/Tokyo",
                ])
            #expect(registered.status == .created)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, "kai@example.org")
            let page = try await client.send(.get, "/orgs", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.body.contains(#"id="currency" name="currency""#) && page.body.contains(#"value="JPY""#))
            #expect(page.body.contains(#"value="Asia/Tokyo""#))
        }
    }
}
