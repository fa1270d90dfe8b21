import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// An invitation carries its inviter's authority, no more and no longer: demoting or removing
/// the inviter withdraws it, and acceptance itself checks the inviter's current role and the
/// token, in one statement.
@Suite struct InvitationAuthorityTests {
    func invite(_ email: String, into org: String, by user: TestUser, client: some TestClientProtocol) async throws
        -> Reply
    {
        try await client.send(
            .post, "/api/v1/orgs/\(org)/invitations", json: ["email": email, "role": "finance"], headers: user.auth)
    }

    func accept(_ token: String, by user: TestUser, client: some TestClientProtocol) async throws -> Reply {
        try await client.send(.post, "/api/v1/invitations/accept", json: ["token": token], headers: user.auth)
    }

    @Test("demoting or removing an inviter withdraws their open invitations", arguments: TestBackend.available)
    func demotionWithdrawsInvitations(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let adi = try await client.signUp("adi@example.org", name: "Adi", harness: harness)
            let ed = try await client.signUp("ed@example.org", name: "Ed", harness: harness)
            let xu = try await client.signUp("xu@example.org", name: "Xu", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.inviteAndAccept(adi, role: "admin", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(ed, role: "admin", into: org, by: owner, harness: harness)

            #expect(try await invite("xu@example.org", into: org, by: adi, client: client).status == .created)
            let fromAdi = try #require(try await harness.token(sentTo: "xu@example.org", kind: .invitation))
            let demoted = try await client.send(
                .patch, "/api/v1/orgs/\(org)/members/\(adi.id)", json: ["role": "member"], headers: owner.auth)
            #expect(demoted.status == .ok)
            let refused = try await accept(fromAdi, by: xu, client: client)
            #expect(refused.status == .conflict)
            #expect((refused.json["detail"] as? String)?.contains("withdrawn") == true)

            // Removed: the same.
            #expect(try await invite("xu@example.org", into: org, by: ed, client: client).status == .created)
            let fromEd = try #require(try await harness.token(sentTo: "xu@example.org", kind: .invitation))
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/members/\(ed.id)", headers: owner.auth).status
                    == .noContent)
            #expect(try await accept(fromEd, by: xu, client: client).status == .conflict)
            let members = try await client.send(.get, "/api/v1/orgs/\(org)/members", headers: owner.auth)
            #expect(members.status == .ok && members.body.contains(owner.email))
            #expect(!members.body.contains("xu@example.org"))
        }
    }

    @Test(
        "acceptance checks the inviter's role now, whatever wrote it", arguments: TestBackend.available)
    func acceptanceChecksTheInvitersCurrentRole(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let adi = try await client.signUp("adi@example.org", name: "Adi", harness: harness)
            let xu = try await client.signUp("xu@example.org", name: "Xu", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.inviteAndAccept(adi, role: "admin", into: org, by: owner, harness: harness)
            #expect(try await invite("xu@example.org", into: org, by: adi, client: client).status == .created)
            let token = try #require(try await harness.token(sentTo: "xu@example.org", kind: .invitation))

            // A role changed behind the services' back (a script, a restore, a future code
            // path): the invitation stays open, and acceptance still refuses it.
            let store = harness.store
            let orgID = try #require(OrganizationID(uuidString: org))
            let adiID = try #require(UserID(uuidString: adi.id))
            try await store.withTenant(orgID) { tx in
                try await store.memberships.changeRole(tx, user: adiID, to: .viewer, at: Date())
            }
            let refused = try await accept(token, by: xu, client: client)
            #expect(refused.status == .conflict)
            #expect((refused.json["detail"] as? String)?.contains("can no longer invite") == true)

            try await store.withTenant(orgID) { tx in
                try await store.memberships.changeRole(tx, user: adiID, to: .admin, at: Date())
            }
            let joined = try await accept(token, by: xu, client: client)
            #expect(joined.status == .ok)
            #expect(joined.json["role"] as? String == "finance")
        }
    }

    @Test("Acceptance is guarded by the token: a replaced token accepts nothing", arguments: TestBackend.available)
    func acceptanceIsGuardedByTheToken(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let xu = try await client.signUp("xu@example.org", name: "Xu", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            let invited = try await invite("xu@example.org", into: org, by: owner, client: client)
            let id = try #require(invited.json["id"] as? String)
            let old = try #require(try await harness.token(sentTo: "xu@example.org", kind: .invitation))

            // The resend commits between a reader's check of the old token and its acceptance.
            let store = harness.store
            let orgID = try #require(OrganizationID(uuidString: org))
            let invitationID = try #require(InvitationID(uuidString: id))
            let xuID = try #require(UserID(uuidString: xu.id))
            let now = harness.clock.now
            let managers = Role.allCases.filter { $0.can(.manageMembers) }
            let fresh = TokenGenerator.secure()
            let (stale, current) = try await store.withTenant(orgID) { tx in
                _ = try await store.invitations.renew(
                    tx, id: invitationID, tokenHash: SecretToken.hash(fresh), expiresAt: now.addingTimeInterval(3600))
                let stale = try await store.invitations.accept(
                    tx, tokenHash: SecretToken.hash(old), by: xuID, at: now, inviterRoles: managers)
                let current = try await store.invitations.accept(
                    tx, tokenHash: SecretToken.hash(fresh), by: xuID, at: now, inviterRoles: managers)
                return (stale, current)
            }
            #expect(stale == nil)
            #expect(current?.id == invitationID)
            #expect(try await accept(old, by: xu, client: client).status == .badRequest)
        }
    }
}
