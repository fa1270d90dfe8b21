import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// A pending invitation's role can be changed, on the page and the API, under the rules of
/// inviting; the emailed link stays valid and joins with the new role; the audit log says so.
@Suite struct InvitationRoleTests {
    @Test(arguments: TestBackend.available)
    func aPendingInvitationOffersAnotherRole(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let admin = try await client.signUp("ada@example.org", name: "Ada", harness: harness)
            let guest = try await client.signUp("gus@example.org", name: "Gus", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)
            let invited = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": guest.email, "role": "viewer"],
                headers: owner.auth)
            let id = try #require(invited.json["id"] as? String)

            // The page offers the roles the caller may invite with, the current one chosen.
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, owner.email)
            let page = try await client.send(.get, "/orgs/\(org)/members", headers: cookie)
            #expect(page.body.contains(#"<select id="invitation-role-\#(id)" name="role">"#))
            #expect(page.body.contains(#"<option value="viewer" selected>viewer</option>"#))
            let changed = try await client.send(
                .post, "/orgs/\(org)/invitations/\(id)/role", form: ["_csrf": csrf, "role": "finance"], headers: cookie)
            #expect(changed.status == .seeOther)
            #expect(changed.headers[.location] == "/orgs/\(org)/members?notice=invitation-role-changed")
            let bad = try await client.send(
                .post, "/orgs/\(org)/invitations/\(id)/role", form: ["_csrf": csrf, "role": "boss"], headers: cookie)
            #expect(bad.status == .unprocessableContent)

            // On the API; an admin cannot offer ownership; an unknown invitation is 404.
            let api = try await client.send(
                .patch, "/api/v1/orgs/\(org)/invitations/\(id)", json: ["role": "member"], headers: owner.auth)
            #expect(api.status == .ok && api.json["role"] as? String == "member")
            let asOwner = try await client.send(
                .patch, "/api/v1/orgs/\(org)/invitations/\(id)", json: ["role": "owner"], headers: admin.auth)
            #expect(asOwner.status == .forbidden)
            let unknown = try await client.send(
                .patch, "/api/v1/orgs/\(org)/invitations/\(IDGenerator.sequential()() as InvitationID)",
                json: ["role": "member"], headers: owner.auth)
            #expect(unknown.status == .notFound)

            // The link sent before the change joins with the new role.
            let token = try await harness.token(sentTo: guest.email, kind: .invitation) ?? ""
            let accepted = try await client.send(
                .post, "/api/v1/invitations/accept", json: ["token": token], headers: guest.auth)
            #expect(accepted.status == .ok && accepted.json["role"] as? String == "member")
            // A member cannot; a revoked invitation is gone.
            let other = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "zed@example.org", "role": "viewer"],
                headers: owner.auth)
            let otherID = try #require(other.json["id"] as? String)
            let asMember = try await client.send(
                .patch, "/api/v1/orgs/\(org)/invitations/\(otherID)", json: ["role": "member"], headers: guest.auth)
            #expect(asMember.status == .forbidden)
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/invitations/\(otherID)", headers: owner.auth).status
                    == .noContent)
            let revoked = try await client.send(
                .patch, "/api/v1/orgs/\(org)/invitations/\(otherID)", json: ["role": "member"], headers: owner.auth)
            #expect(revoked.status == .notFound)
            let late = try await client.send(
                .patch, "/api/v1/orgs/\(org)/invitations/\(id)", json: ["role": "viewer"], headers: owner.auth)
            #expect(late.status == .notFound)

            let audit = try await client.send(.get, "/orgs/\(org)/audit", headers: cookie)
            #expect(audit.body.contains("Olga changed the role offered to gus@example.org: role viewer → finance."))
            #expect(audit.body.contains("Olga changed the role offered to gus@example.org: role finance → member."))
        }
    }
}
