import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The organization pages, driven as forms are: cookies, CSRF tokens, redirects.
@Suite struct OrganizationPageTests {
    /// Logs in through the page; returns the cookie header and the session's CSRF token.
    static func browserSession(_ client: some TestClientProtocol, _ email: String) async throws -> (HTTPFields, String)
    {
        let cookie = try #require(try await client.pageLogin(email).cookie)
        let dashboard = try await client.send(.get, "/dashboard", headers: [.cookie: cookie])
        let csrf = try #require(SessionSecurityTests.csrfToken(in: dashboard.body))
        return ([.cookie: cookie], csrf)
    }

    @Test(
        "Pages: create, invite, accept from the email link after logging in, manage roles",
        arguments: TestBackend.available)
    func organizationPagesWork(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            _ = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            _ = try await client.signUp("vi@example.org", name: "Vi", harness: harness)
            let (owner, csrf) = try await Self.browserSession(client, "owner@example.org")

            let invalid = try await client.send(
                .post, "/orgs",
                form: ["_csrf": csrf, "name": "", "kind": "cooperative", "currency": "EURO", "timezone": "Mars/Base"],
                headers: owner
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.body.contains(#"id="name-error""#) && invalid.body.contains(#"id="currency-error""#))
            #expect(invalid.body.contains(#"id="timezone-error""#))
            let created = try await client.send(
                .post, "/orgs",
                form: [
                    "_csrf": csrf, "name": "<b>Green</b> Co-op", "kind": "cooperative", "currency": "eur",
                    "timezone": "Europe/Lisbon", "week_start": "sunday",
                ],
                headers: owner
            )
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            #expect(location.hasSuffix("/members?notice=created"))
            let membersPath = String(location.prefix { $0 != "?" })
            let createdPage = try await client.send(.get, location, headers: owner)
            #expect(createdPage.status == .ok && createdPage.body.contains("Organization created."))
            let orgPath = String(membersPath.dropLast("/members".count))
            let membersPage = try await client.send(.get, membersPath, headers: owner)
            #expect(membersPage.status == .ok)
            #expect(membersPage.body.contains("&lt;b&gt;Green&lt;/b&gt; Co-op"))
            #expect(!membersPage.body.contains("<b>Green</b>"))
            #expect(membersPage.body.contains(#"<label for="invite-email">Email</label>"#))

            let invited = try await client.send(
                .post, "\(orgPath)/invitations", form: ["_csrf": csrf, "email": "vi@example.org", "role": "viewer"],
                headers: owner
            )
            #expect(invited.status == .seeOther)
            let token = try #require(try await harness.token(sentTo: "vi@example.org", kind: .invitation))

            // Signed out, the emailed link offers to log in and come back. The token waits in a
            // cookie scoped to the invitation page: no URL of the login page holds it.
            let acceptPath = "/invitations/accept?token=\(token)"
            let signedOut = try await client.send(.get, acceptPath)
            #expect(signedOut.status == .ok)
            #expect(signedOut.headers[.referrerPolicy] == "no-referrer")
            #expect(signedOut.body.contains("log in as vi@example.org"))
            #expect(!signedOut.body.contains(token))
            #expect(signedOut.body.contains("/login?next=%2Finvitations%2Faccept\""))
            let pending = try #require(signedOut.headers[.setCookie])
            #expect(pending.hasPrefix("__Secure-invitation=\(token);"))
            #expect(pending.contains("Path=/invitations/accept") && pending.contains("HttpOnly"))
            #expect(pending.contains("Secure") && pending.contains("Max-Age=3600"))
            let loggedIn = try await client.send(
                .post, "/login",
                form: ["email": "vi@example.org", "password": AccountsHarness.password, "next": "/invitations/accept"]
            )
            #expect(loggedIn.headers[.location] == "/invitations/accept")
            let viewerCookie: HTTPFields = [.cookie: try #require(loggedIn.cookie)]
            let acceptPage = try await client.send(
                .get, "/invitations/accept",
                headers: [.cookie: try #require(loggedIn.cookie) + "; " + (signedOut.cookie ?? "")])
            #expect(acceptPage.status == .ok && acceptPage.body.contains("Accept and join"))
            let viewerCSRF = try #require(SessionSecurityTests.csrfToken(in: acceptPage.body))
            let joined = try await client.send(
                .post, "/invitations/accept", form: ["_csrf": viewerCSRF, "token": token], headers: viewerCookie
            )
            #expect(joined.status == .seeOther)
            #expect(joined.headers[values: .setCookie].contains { $0.hasPrefix("__Secure-invitation=;") })
            let dashboardPath = membersPath.replacingOccurrences(of: "/members", with: "/dashboard")
            #expect(joined.headers[.location] == dashboardPath + "?notice=joined")
            let welcome = try await client.send(.get, dashboardPath + "?notice=joined", headers: viewerCookie)
            #expect(welcome.status == .ok && welcome.body.contains("Welcome: you joined the organization."))

            // The viewer sees members but no controls, and a forged post is refused.
            let viewerMembers = try await client.send(.get, membersPath, headers: viewerCookie)
            #expect(viewerMembers.status == .ok && viewerMembers.body.contains("Vi"))
            #expect(!viewerMembers.body.contains("Change role") && !viewerMembers.body.contains("Send invitation"))
            let viewerID = try #require(
                try await harness.store.withSystem { tx in
                    try await harness.store.users.find(tx, email: "vi@example.org")
                }?.id)
            let forged = try await client.send(
                .post, "\(orgPath)/invitations",
                form: ["_csrf": viewerCSRF, "email": "x@example.org", "role": "admin"],
                headers: viewerCookie
            )
            #expect(forged.status == .forbidden)
            let settings = try await client.send(.get, "\(orgPath)/settings", headers: viewerCookie)
            #expect(settings.body.contains("Only owners and admins"))
            #expect(try await client.send(.get, "\(orgPath)/audit", headers: viewerCookie).status == .forbidden)

            // The owner promotes the viewer; the audit page tells the story.
            let promoted = try await client.send(
                .post, "\(orgPath)/members/\(viewerID)/role", form: ["_csrf": csrf, "role": "finance"], headers: owner
            )
            #expect(promoted.status == .seeOther)
            let audit = try await client.send(.get, "\(orgPath)/audit", headers: owner)
            for action in ["organization.created", "member.invited", "member.joined", "member.role_changed"] {
                #expect(audit.body.contains(action))
            }
            #expect(audit.body.contains("Olga changed the role of Vi: role viewer → finance."))

            // Deleting needs the exact name.
            let wrongName = try await client.send(
                .post, "\(orgPath)/delete", form: ["_csrf": csrf, "confirm_name": "Green"], headers: owner)
            #expect(wrongName.status == .unprocessableContent)
            let deleted = try await client.send(
                .post, "\(orgPath)/delete", form: ["_csrf": csrf, "confirm_name": "<b>Green</b> Co-op"], headers: owner
            )
            #expect(deleted.headers[.location] == "/orgs?notice=deleted")
            let landing = try await client.send(.get, "/orgs?notice=deleted", headers: owner)
            #expect(landing.body.contains(#"<p class="notice" role="status">The organization was deleted.</p>"#))
            #expect(try await client.send(.get, membersPath, headers: owner).status == .notFound)
        }
    }

    @Test("Pages: outsiders get the not-found page; visitors are sent to log in", arguments: TestBackend.available)
    func outsidersAndVisitors(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Private", by: owner)
            _ = try await client.signUp("out@example.org", name: "Otto", harness: harness)
            let (outsider, csrf) = try await Self.browserSession(client, "out@example.org")
            for path in ["members", "settings", "audit"] {
                let reply = try await client.send(.get, "/orgs/\(org)/\(path)", headers: outsider)
                #expect(reply.status == .notFound)
                #expect(reply.body.contains("Page not found") || reply.body.contains("Not found"))
            }
            let post = try await client.send(
                .post, "/orgs/\(org)/settings", form: ["_csrf": csrf, "name": "Mine"], headers: outsider)
            #expect(post.status == .notFound)
            let visitor = try await client.send(.get, "/orgs/\(org)/members")
            #expect(visitor.status == .seeOther || visitor.status == .found || visitor.status == .temporaryRedirect)
            #expect(visitor.headers[.location]?.hasPrefix("/login?next=") == true)
        }
    }
}
