import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// Someone invited by email proves their address by using the invitation: registering from it
/// sends no confirmation email, and accepting it leaves no "confirm your email" banner.
@Suite struct InvitationRegistrationTests {
    static let banner = "Confirm your email address"

    @Test(arguments: TestBackend.available)
    func registeringFromAnInvitationNeedsNoConfirmationEmail(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            for email in ["new@example.org", "other@example.org"] {
                let invited = try await client.send(
                    .post, "/api/v1/orgs/\(org)/invitations", json: ["email": email, "role": "member"],
                    headers: owner.auth)
                #expect(invited.status == .created)
            }
            let token = try #require(try await harness.token(sentTo: "new@example.org", kind: .invitation))

            // Signed out, the link's page keeps the token for the invitation page and the form
            // that creates the account, and nowhere else.
            let linkPage = try await client.send(.get, "/invitations/accept?token=\(token)")
            #expect(linkPage.status == .ok)
            let cookies = linkPage.headers[values: .setCookie]
            #expect(cookies.count == 2)
            #expect(cookies.contains { $0.contains("Path=/invitations/accept") && $0.contains("HttpOnly") })
            #expect(cookies.contains { $0.contains("Path=/register") && $0.contains("HttpOnly") })
            let pending = try #require(linkPage.cookie)

            let registered = try await client.send(
                .post, "/register",
                form: [
                    "name": "Nia", "email": "New@Example.org", "password": AccountsHarness.password,
                    "next": "/invitations/accept",
                ],
                headers: [.cookie: pending])
            #expect(registered.status == .seeOther)
            let session = try #require(registered.cookie)
            #expect(try await harness.outbox("new@example.org").map(\.kind) == [.invitation, .welcome])
            let page = try await client.send(
                .get, "/invitations/accept", headers: [.cookie: session + "; " + pending])
            #expect(page.status == .ok && page.body.contains("Accept and join"))
            #expect(!page.body.contains(Self.banner))

            // The same cookie does not prove another address.
            let other = try await client.send(
                .post, "/register",
                form: ["name": "Ola", "email": "stranger@example.org", "password": AccountsHarness.password],
                headers: [.cookie: pending])
            #expect(other.status == .seeOther)
            #expect(try await harness.outbox("stranger@example.org").map(\.kind) == [.welcome, .emailVerification])
        }
    }

    @Test(arguments: TestBackend.available)
    func acceptingAnInvitationConfirmsTheAddressOnEveryPage(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let invitee = try await client.signUp("ina@example.org", name: "Ina", harness: harness, verify: false)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, "ina@example.org")
            #expect(try await client.send(.get, "/dashboard", headers: cookie).body.contains(Self.banner))
            let invited = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": invitee.email, "role": "member"],
                headers: owner.auth)
            #expect(invited.status == .created)
            let token = try #require(try await harness.token(sentTo: invitee.email, kind: .invitation))
            let joined = try await client.send(
                .post, "/invitations/accept", form: ["_csrf": csrf, "token": token], headers: cookie)
            #expect(joined.status == .seeOther)
            let dashboard = try await client.send(.get, try #require(joined.headers[.location]), headers: cookie)
            #expect(dashboard.status == .ok && dashboard.body.contains("Green Co-op"))
            #expect(!dashboard.body.contains(Self.banner))
        }
    }
}
