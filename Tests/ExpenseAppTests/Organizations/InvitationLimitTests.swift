import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Invitations are email to strangers: they are limited per recipient and per organization, and
/// organizations (each of which may invite) are limited per account.
@Suite struct InvitationLimitTests {
    @Test(
        "one address gets a bounded number of invitations, across organizations and resends",
        arguments: TestBackend.available)
    func oneRecipientCannotBeFlooded(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.invitationsPerRecipient.limit = 2
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let bo = try await client.signUp("bo@example.org", name: "Bo", harness: harness)
            let first = try await client.createOrganization("First", by: ana)
            let second = try await client.createOrganization("Second", by: ana)
            let third = try await client.createOrganization("Third", by: bo)
            func invite(_ email: String, into org: String, by user: TestUser) async throws -> Reply {
                try await client.send(
                    .post, "/api/v1/orgs/\(org)/invitations", json: ["email": email, "role": "member"],
                    headers: user.auth)
            }
            let invited = try await invite("target@example.org", into: first, by: ana)
            #expect(invited.status == .created)
            let id = try #require(invited.json["id"] as? String)
            #expect(try await invite("Target+Second@Example.org", into: second, by: ana).status == .created)
            let refused = try await invite("target@example.org", into: third, by: bo)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            let resent = try await client.send(
                .post, "/api/v1/orgs/\(first)/invitations/\(id)/resend", headers: ana.auth)
            #expect(resent.status == .tooManyRequests)
            // Two emails went out, and another address is not affected.
            #expect(try await harness.outbox("target@example.org").filter { $0.kind == .invitation }.count == 1)
            #expect(
                try await harness.outbox("target+second@example.org").filter { $0.kind == .invitation }.count == 1)
            #expect(try await invite("other@example.org", into: third, by: bo).status == .created)
        }
    }

    @Test(
        "one organization sends a bounded number of invitations, across its admins",
        arguments: TestBackend.available)
    func oneOrganizationCannotFlood(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.invitationsPerOrganization.limit = 3
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let admin = try await client.signUp("admin@example.org", name: "Adi", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)
            func invite(_ email: String, by user: TestUser) async throws -> HTTPResponse.Status {
                try await client.send(
                    .post, "/api/v1/orgs/\(org)/invitations", json: ["email": email, "role": "member"],
                    headers: user.auth
                ).status
            }
            #expect(try await invite("a@example.org", by: owner) == .created)
            #expect(try await invite("b@example.org", by: admin) == .created)
            #expect(try await invite("c@example.org", by: admin) == .tooManyRequests)
            #expect(try await invite("d@example.org", by: owner) == .tooManyRequests)
            // Another organization has its own count.
            let other = try await client.createOrganization("Other", by: admin)
            let elsewhere = try await client.send(
                .post, "/api/v1/orgs/\(other)/invitations", json: ["email": "c@example.org", "role": "member"],
                headers: admin.auth)
            #expect(elsewhere.status == .created)
        }
    }

    @Test(
        "an account creates a bounded number of organizations; a refused one does not count",
        arguments: TestBackend.available)
    func organizationCreationIsLimited(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.organizationsPerAccount.limit = 2
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let invalid = try await client.send(
                .post, "/api/v1/orgs", json: ["name": "", "kind": "cooperative", "currency": "EUR"], headers: ana.auth)
            #expect(invalid.status == .unprocessableContent)
            _ = try await client.createOrganization("One", by: ana)
            _ = try await client.createOrganization("Two", by: ana)
            let third = try await client.send(
                .post, "/api/v1/orgs",
                json: ["name": "Three", "kind": "cooperative", "currency": "EUR", "timezone": "Europe/Lisbon"],
                headers: ana.auth)
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
            let listed = try await client.send(.get, "/api/v1/orgs", headers: ana.auth)
            #expect(listed.status == .ok && listed.body.contains("One"))
            #expect(!listed.body.contains("Three"))
            // The limit is per account, and a day later it is open again.
            let bo = try await client.signUp("bo@example.org", name: "Bo", harness: harness)
            _ = try await client.createOrganization("Bo's", by: bo)
            harness.clock.advance(by: 86_401)
            let (_, token) = try await client.login("ana@example.org")
            let again = TestUser(email: ana.email, id: ana.id, auth: client.bearer(try #require(token)))
            _ = try await client.createOrganization("Three", by: again)
        }
    }
}
