import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// The members page offers only controls that can work: the sole owner is offered neither
/// leaving nor a change of their own role; an admin gets no controls over an owner.
@Suite struct MembersControlsTests {
    @Test(arguments: TestBackend.available)
    func onlyControlsThatCanWorkAreOffered(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let admin = try await client.signUp("ada@example.org", name: "Ada", harness: harness)
            let member = try await client.signUp("mo@example.org", name: "Mo", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)

            let (ownerCookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)
            let asOwner = try await client.send(.get, "/orgs/\(org)/members", headers: ownerCookie)
            #expect(asOwner.status == .ok)
            #expect(!asOwner.body.contains("Leave Green Co-op"))
            #expect(asOwner.body.contains("You are the only owner"))
            #expect(!asOwner.body.contains(#"id="role-\#(owner.id)""#))
            #expect(asOwner.body.contains(#"id="role-\#(member.id)""#))
            #expect(
                asOwner.body.contains(#"Remove<span class="visually-hidden"> Mo</span>"#)
                    && !asOwner.body.contains(#"Remove<span class="visually-hidden"> Olga</span>"#))

            let (adminCookie, _) = try await OrganizationPageTests.browserSession(client, admin.email)
            let asAdmin = try await client.send(.get, "/orgs/\(org)/members", headers: adminCookie)
            #expect(asAdmin.status == .ok && asAdmin.body.contains("Leave Green Co-op"))
            #expect(
                !asAdmin.body.contains(#"id="role-\#(owner.id)""#)
                    && !asAdmin.body.contains(#"Remove<span class="visually-hidden"> Olga</span>"#))
            #expect(asAdmin.body.contains(#"id="role-\#(member.id)""#))
            #expect(!asAdmin.body.contains(#"<option value="owner""#))

            // With a second owner, each may leave or step down.
            let promoted = try await client.send(
                .patch, "/api/v1/orgs/\(org)/members/\(admin.id)", json: ["role": "owner"], headers: owner.auth)
            #expect(promoted.status == .ok)
            let twoOwners = try await client.send(.get, "/orgs/\(org)/members", headers: ownerCookie)
            #expect(twoOwners.body.contains("Leave Green Co-op") && !twoOwners.body.contains("You are the only owner"))
            #expect(twoOwners.body.contains(#"id="role-\#(owner.id)""#))
        }
    }
}
