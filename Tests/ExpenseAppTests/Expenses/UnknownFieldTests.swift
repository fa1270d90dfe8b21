import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// A JSON body with a field the request does not take is refused with a 400 naming it, instead
/// of the value being dropped without a word.
@Suite struct UnknownFieldTests {
    @Test(arguments: TestBackend.available)
    func unknownFieldsAreRefusedByName(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let misnamed = try await client.send(
                .post, "/api/v1/orgs/\(org)/expenses",
                json: ["amount": "12.50", "date": "2026-11-20", "category": "Travel"], headers: owner.auth)
            #expect(misnamed.status == .badRequest)
            #expect(misnamed.headers[.contentType] == "application/problem+json")
            let detail = misnamed.json["detail"] as? String ?? ""
            #expect(detail.hasPrefix("Unknown field 'category'; this request takes amount, category_id, currency"))
            #expect(try await client.allExpenses(org, by: owner).isEmpty)

            let two = try await client.send(
                .patch, "/api/v1/orgs/\(org)", json: ["name": "X", "colour": "green", "motto": "hi"],
                headers: owner.auth)
            #expect(two.status == .badRequest)
            #expect((two.json["detail"] as? String ?? "").hasPrefix("Unknown fields 'colour', 'motto'"))
            let login = try await client.send(
                .post, "/api/v1/auth/login",
                json: ["email": owner.email, "password": AccountsHarness.password, "remember": true])
            #expect(login.status == .badRequest)
            // The fields a request does take still work.
            let named = try await client.send(
                .post, "/api/v1/auth/login",
                json: ["email": owner.email, "password": AccountsHarness.password, "token_name": "CLI"])
            #expect(named.status == .ok)
        }
    }
}
