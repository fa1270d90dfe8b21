import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// An error page shown to a signed-in person keeps their header (name, log out), whatever the
/// error and wherever it was raised: a path no route matches, a refused role, a refused form.
@Suite struct ErrorPageAccountTests {
    @Test(arguments: TestBackend.available)
    func errorPagesKeepTheSignedInHeader(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga Owner", harness: harness)
            let member = try await client.signUp("mo@example.org", name: "Mo Member", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, "mo@example.org")

            let replies = [
                (
                    "no route", try await client.send(.get, "/nothing-here", headers: cookie),
                    HTTPResponse.Status.notFound
                ),
                (
                    "no such organization",
                    try await client.send(
                        .get, "/orgs/\(IDGenerator.random() as OrganizationID)/expenses", headers: cookie),
                    .notFound
                ),
                (
                    "role refused", try await client.send(.get, "/orgs/\(org)/exports/expenses.csv", headers: cookie),
                    .forbidden
                ),
                (
                    "form refused", try await client.send(.post, "/logout", form: ["_csrf": "forged"], headers: cookie),
                    .forbidden
                ),
            ]
            for (what, reply, status) in replies {
                #expect(reply.status == status, "\(what)")
                #expect(reply.body.contains("Mo Member") && reply.body.contains("Log out"), "\(what)")
                #expect(!reply.body.contains("Create account"), "\(what)")
            }
            // Signed out, the same page offers to sign in.
            let signedOut = try await client.send(.get, "/nothing-here")
            #expect(signedOut.status == .notFound && signedOut.body.contains("Create account"))
        }
    }
}
