import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Signing in lands where the person last worked, on any browser; a member of exactly one shared
/// organization lands there rather than in their empty personal one.
@Suite struct LandingTests {
    static func landing(_ client: some TestClientProtocol, _ email: String) async throws -> String {
        let session = try #require(try await client.pageLogin(email).cookie)
        let start = try await client.send(.get, "/", headers: [.cookie: session])
        return try #require(start.headers[.location])
    }

    @Test(arguments: TestBackend.available)
    func signingInLandsWhereThePersonLastWorked(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let bo = try await client.signUp("bo@example.org", name: "Bo", harness: harness)
            let first = try await client.createOrganization("First Co-op", by: owner)
            let second = try await client.createOrganization("Second Co-op", by: owner)

            // Only a personal organization: that is where Bo lands.
            #expect(try await Self.landing(client, bo.email).hasPrefix("/orgs/"))
            #expect(!(try await Self.landing(client, bo.email)).contains(first))
            // A member of exactly one shared organization lands there, on a fresh browser too.
            try await client.inviteAndAccept(bo, role: "member", into: first, by: owner, harness: harness)
            #expect(try await Self.landing(client, bo.email) == "/orgs/\(first)/dashboard")

            // Two shared ones: the one last worked in, remembered on the account, whatever the browser.
            try await client.inviteAndAccept(bo, role: "member", into: second, by: owner, harness: harness)
            let browser = try #require(try await client.pageLogin(bo.email).cookie)
            let worked = try await client.send(.get, "/orgs/\(second)/expenses", headers: [.cookie: browser])
            #expect(worked.status == .ok)
            #expect(try await Self.landing(client, bo.email) == "/orgs/\(second)/dashboard")
            let elsewhere = try await client.send(.get, "/orgs/\(first)/reports", headers: [.cookie: browser])
            #expect(elsewhere.status == .ok)
            #expect(try await Self.landing(client, bo.email) == "/orgs/\(first)/dashboard")

            // Back in the first browser, whose cookie still names the first organization: working
            // there is recorded too, so the next sign-in anywhere lands there.
            let other = try #require(try await client.pageLogin(bo.email).cookie)
            #expect(try await client.send(.get, "/orgs/\(second)/dashboard", headers: [.cookie: other]).status == .ok)
            #expect(try await Self.landing(client, bo.email) == "/orgs/\(second)/dashboard")
            let firstAgain = try await client.send(
                .get, "/orgs/\(first)/expenses", headers: [.cookie: browser + "; org=\(first)"])
            #expect(firstAgain.status == .ok)
            #expect(try await Self.landing(client, bo.email) == "/orgs/\(first)/dashboard")

            // Removed from it, the record is only a hint: Bo lands in the one shared organization left.
            let removed = try await client.send(.delete, "/api/v1/orgs/\(first)/members/\(bo.id)", headers: owner.auth)
            #expect(removed.status == .noContent)
            #expect(try await Self.landing(client, bo.email) == "/orgs/\(second)/dashboard")
        }
    }
}
