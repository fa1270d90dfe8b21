import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Organizations, members, invitations and the audit log, through the API on both backends.
@Suite struct OrganizationFlowTests {
    @Test(
        "An owner invites finance, viewer and admin; roles hold; the audit log tells the story",
        arguments: TestBackend.available)
    func theWholeStory(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let viewer = try await client.signUp("view@example.org", name: "Vi", harness: harness, verify: false)
            let admin = try await client.signUp("adm@example.org", name: "Ada", harness: harness)
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(viewer, role: "viewer", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)

            let members = try await client.send(.get, "/api/v1/orgs/\(org)/members", headers: viewer.auth)
            let roles = (members.json["items"] as? [[String: Any]] ?? []).map { $0["role"] as? String ?? "" }
            #expect(roles == ["owner", "admin", "finance", "viewer"])

            // A viewer's writes are refused; so are finance's settings changes.
            let rename = ["name": "Taken Over"]
            #expect(
                try await client.send(.patch, "/api/v1/orgs/\(org)", json: rename, headers: viewer.auth).status
                    == .forbidden)
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "x@example.org", "role": "viewer"],
                    headers: viewer.auth
                ).status == .forbidden)
            #expect(
                try await client.send(.patch, "/api/v1/orgs/\(org)", json: rename, headers: finance.auth).status
                    == .forbidden)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: finance.auth).status == .forbidden)
            let renamed = try await client.send(
                .patch, "/api/v1/orgs/\(org)", json: ["name": "Green Cooperative"], headers: admin.auth)
            #expect(renamed.status == .ok)
            #expect(renamed.json["name"] as? String == "Green Cooperative")

            // An admin cannot demote an owner; the last owner cannot be demoted or leave.
            let demote = try await client.send(
                .patch, "/api/v1/orgs/\(org)/members/\(owner.id)", json: ["role": "member"], headers: admin.auth
            )
            #expect(demote.status == .forbidden)
            let selfDemote = try await client.send(
                .patch, "/api/v1/orgs/\(org)/members/\(owner.id)", json: ["role": "admin"], headers: owner.auth
            )
            #expect(selfDemote.status == .conflict)
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/members/\(owner.id)", headers: owner.auth).status
                    == .conflict)
            // Anyone else may leave.
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/members/\(finance.id)", headers: finance.auth)
                    .status == .noContent)
            #expect(try await client.send(.get, "/api/v1/orgs/\(org)", headers: finance.auth).status == .notFound)

            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: admin.auth)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).map { $0["action"] as? String ?? "" }
            #expect(
                actions.reversed() == [
                    "organization.created",
                    "member.invited", "member.joined",
                    "member.invited", "member.joined",
                    "member.invited", "member.joined",
                    "organization.updated",
                    "member.left",
                ]
            )
            let update = (audit.json["items"] as? [[String: Any]] ?? []).first {
                $0["action"] as? String == "organization.updated"
            }
            let details = update?["details"] as? [String: [String: String]]
            #expect(details?["before"]?["name"] == "Green Co-op")
            #expect(details?["after"]?["name"] == "Green Cooperative")
        }
    }

    @Test("an outsider gets 404 on every organization route with real ids", arguments: TestBackend.available)
    func outsidersSeeNothing(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Private Co-op", by: owner)
            let invited = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "guest@example.org", "role": "member"],
                headers: owner.auth
            )
            let invitationID = try #require(invited.json["id"] as? String)
            let outsider = try await client.signUp("out@example.org", name: "Otto", harness: harness)
            let routes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.get, "/api/v1/orgs/\(org)", nil),
                (.patch, "/api/v1/orgs/\(org)", ["name": "Mine"]),
                (.delete, "/api/v1/orgs/\(org)", nil),
                (.post, "/api/v1/orgs/\(org)/transfer-ownership", ["user_id": outsider.id]),
                (.get, "/api/v1/orgs/\(org)/members", nil),
                (.patch, "/api/v1/orgs/\(org)/members/\(owner.id)", ["role": "viewer"]),
                (.delete, "/api/v1/orgs/\(org)/members/\(owner.id)", nil),
                (.get, "/api/v1/orgs/\(org)/invitations", nil),
                (.post, "/api/v1/orgs/\(org)/invitations", ["email": "x@example.org", "role": "viewer"]),
                (.delete, "/api/v1/orgs/\(org)/invitations/\(invitationID)", nil),
                (.post, "/api/v1/orgs/\(org)/invitations/\(invitationID)/resend", nil),
                (.get, "/api/v1/orgs/\(org)/audit", nil),
            ]
            for (method, path, body) in routes {
                let asOutsider = try await client.send(method, path, json: body, headers: outsider.auth)
                #expect(asOutsider.status == .notFound, "\(method) \(path) gave \(asOutsider.status)")
                #expect(
                    asOutsider.body
                        == #"{"detail":"There is nothing here.","status":404,"title":"Not found","type":"/problems/not-found"}"#
                )
                let anonymous = try await client.send(method, path, json: body)
                #expect(anonymous.status == .unauthorized, "\(method) \(path) without a token gave \(anonymous.status)")
            }
            // Nothing changed.
            let read = try await client.send(.get, "/api/v1/orgs/\(org)", headers: owner.auth)
            #expect(read.json["name"] as? String == "Private Co-op")
            let pending = try await client.send(.get, "/api/v1/orgs/\(org)/invitations", headers: owner.auth)
            #expect((pending.json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("request bodies never set ids, tenant, role or owner", arguments: TestBackend.available)
    func noMassAssignment(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let member = try await client.signUp("mem@example.org", name: "Mo", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            let other = try await client.createOrganization("Other", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let patched = try await client.send(
                .patch, "/api/v1/orgs/\(org)",
                json: [
                    "name": "Renamed", "id": other, "tenant_id": other, "role": "viewer", "owner_id": member.id,
                    "created_at": "2000-01-01T00:00:00Z",
                ],
                headers: owner.auth
            )
            // Refused whole, naming the fields it does not take: nothing is renamed or moved.
            #expect(patched.status == .badRequest)
            #expect((patched.json["detail"] as? String ?? "").contains("'owner_id', 'role', 'tenant_id'"))
            let read = try await client.send(.get, "/api/v1/orgs/\(org)", headers: owner.auth)
            #expect(read.json["name"] as? String == "Co-op" && read.json["role"] as? String == "owner")
            let otherRead = try await client.send(.get, "/api/v1/orgs/\(other)", headers: owner.auth)
            #expect(otherRead.json["name"] as? String == "Other")
            // A member cannot raise their own role by naming it.
            let raise = try await client.send(
                .patch, "/api/v1/orgs/\(org)/members/\(member.id)", json: ["role": "admin"], headers: member.auth)
            #expect(raise.status == .forbidden)
            let create = try await client.send(
                .post, "/api/v1/orgs",
                json: [
                    "name": "Mine", "kind": "business", "currency": "usd", "timezone": "UTC", "id": org,
                    "role": "viewer",
                ],
                headers: member.auth
            )
            #expect(create.status == .badRequest)
            let memberOrgs = try await client.send(.get, "/api/v1/orgs", headers: member.auth)
            #expect(!memberOrgs.body.contains("Mine"))
            // Without them, the caller owns what they create.
            let plain = try await client.send(
                .post, "/api/v1/orgs",
                json: ["name": "Mine", "kind": "business", "currency": "usd", "timezone": "UTC"],
                headers: member.auth)
            #expect(plain.status == .created)
            #expect(plain.json["id"] as? String != org)
            #expect(plain.json["role"] as? String == "owner")
            #expect(plain.json["currency"] as? String == "USD")
        }
    }

    @Test(
        "Invitations: single use, revocable, expiring, addressed, and never to members",
        arguments: TestBackend.available)
    func invitationRules(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            let bo = try await client.signUp("bo@example.org", name: "Bo", harness: harness)
            let cy = try await client.signUp("cy@example.org", name: "Cy", harness: harness)

            let unverified = try await client.signUp("new@example.org", name: "New", harness: harness, verify: false)
            let newOrg = try await client.createOrganization("Unverified's", by: unverified)
            let refused = try await client.send(
                .post, "/api/v1/orgs/\(newOrg)/invitations", json: ["email": "bo@example.org", "role": "viewer"],
                headers: unverified.auth
            )
            #expect(refused.status == .forbidden)

            let invite = ["email": "bo@example.org", "role": "member"]
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/invitations", json: invite, headers: owner.auth)
                    .status == .created)
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/invitations", json: invite, headers: owner.auth)
                    .status == .conflict)
            let ownerInvite = ["email": "cy@example.org", "role": "owner"]
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/invitations", json: ownerInvite, headers: owner.auth)
                    .status == .forbidden)
            let badRole = ["email": "cy@example.org", "role": "emperor"]
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/invitations", json: badRole, headers: owner.auth)
                    .status == .unprocessableContent)

            let token = try #require(try await harness.token(sentTo: "bo@example.org", kind: .invitation))
            let invitation = try #require(try await harness.outbox("bo@example.org").last { $0.kind == .invitation })
            #expect(invitation.bodyText.contains("https://expenses.example.org/invitations/accept?token="))
            #expect(invitation.subject.contains("Co-op"))
            // Addressed to Bo: Cy cannot use it.
            #expect(
                try await client.send(.post, "/api/v1/invitations/accept", json: ["token": token], headers: cy.auth)
                    .status == .forbidden)
            #expect(
                try await client.send(.post, "/api/v1/invitations/accept", json: ["token": token], headers: bo.auth)
                    .status == .ok)
            let again = try await client.send(
                .post, "/api/v1/invitations/accept", json: ["token": token], headers: bo.auth)
            #expect(again.status == .conflict)
            #expect(again.body.contains("already accepted"))
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/invitations", json: invite, headers: owner.auth)
                    .status == .conflict)

            // Revoked and expired invitations fail with a clear message.
            let cyInvite = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "cy@example.org", "role": "viewer"],
                headers: owner.auth
            )
            let cyInvitationID = try #require(cyInvite.json["id"] as? String)
            let cyToken = try #require(try await harness.token(sentTo: "cy@example.org", kind: .invitation))
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/invitations/\(cyInvitationID)", headers: owner.auth)
                    .status == .noContent)
            let revoked = try await client.send(
                .post, "/api/v1/invitations/accept", json: ["token": cyToken], headers: cy.auth)
            #expect(revoked.status == .conflict)
            #expect(revoked.body.contains("withdrawn"))

            let again2 = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "cy@example.org", "role": "viewer"],
                headers: owner.auth
            )
            let secondID = try #require(again2.json["id"] as? String)
            let first = try #require(try await harness.token(sentTo: "cy@example.org", kind: .invitation))
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/invitations/\(secondID)/resend", headers: owner.auth)
                    .status == .accepted)
            let resent = try #require(try await harness.token(sentTo: "cy@example.org", kind: .invitation))
            #expect(resent != first)
            #expect(
                try await client.send(.post, "/api/v1/invitations/accept", json: ["token": first], headers: cy.auth)
                    .status == .badRequest)
            harness.clock.advance(by: 7 * 24 * 3600 + 1)
            let (_, fresh) = try await client.login("cy@example.org")
            let expired = try await client.send(
                .post, "/api/v1/invitations/accept", json: ["token": resent],
                headers: client.bearer(try #require(fresh))
            )
            #expect(expired.status == .conflict)
            #expect(expired.body.contains("expired"))
        }
    }

    @Test(
        "Ownership moves by transfer; only owners delete, and a deleted organization is gone",
        arguments: TestBackend.available)
    func transferAndDelete(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let admin = try await client.signUp("adm@example.org", name: "Ada", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)
            #expect(try await client.send(.delete, "/api/v1/orgs/\(org)", headers: admin.auth).status == .forbidden)
            let transfer = try await client.send(
                .post, "/api/v1/orgs/\(org)/transfer-ownership", json: ["user_id": admin.id], headers: owner.auth
            )
            #expect(transfer.status == .noContent)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)", headers: owner.auth).json["role"] as? String
                    == "admin")
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)", headers: admin.auth).json["role"] as? String
                    == "owner")
            #expect(try await client.send(.delete, "/api/v1/orgs/\(org)", headers: admin.auth).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/orgs/\(org)", headers: admin.auth).status == .notFound)
            let list = try await client.send(.get, "/api/v1/orgs", headers: admin.auth)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["name"] as? String } == ["Personal"])
            // The personal organization stays with the account.
            let personal = try #require(items.first?["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/orgs/\(personal)", headers: admin.auth).status == .conflict)
        }
    }
}
