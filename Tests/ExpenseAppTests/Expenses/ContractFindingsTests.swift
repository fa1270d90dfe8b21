import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// What the OpenAPI contract run (e2e/test_api_contract.py) found, held here as plain tests: the
/// API refuses what its schema forbids, and answers in the order a client expects.
@Suite struct ContractFindingsTests {
    @Test(
        "Nulls, blank query values, blank or too many tags, and non-members are refused",
        arguments: TestBackend.available)
    func whatTheSchemaForbidsIsRefused(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let path = "/api/v1/orgs/\(org)/expenses"
            // null only where the schema allows it (category_id clears the category).
            let nullTags = try await client.send(
                .post, path, json: ["amount": "1.00", "date": "2026-11-29", "tags": NSNull()], headers: owner.auth)
            #expect(nullTags.status == .badRequest && nullTags.body.contains("'tags' must not be null"))
            let nullCategory = try await client.send(
                .post, path, json: ["amount": "1.00", "date": "2026-11-29", "category_id": NSNull()],
                headers: owner.auth)
            #expect(nullCategory.status == .created)
            let emptyCategory = try await client.send(
                .post, path, json: ["amount": "1.00", "date": "2026-11-29", "category_id": ""], headers: owner.auth)
            #expect(emptyCategory.status == .badRequest)
            for tags in [["ok", " "], Array(repeating: "same", count: 11)] {
                let reply = try await client.send(
                    .post, path, json: ["amount": "1.00", "date": "2026-11-29", "tags": tags], headers: owner.auth)
                #expect(reply.status == .unprocessableContent && reply.body.contains(#""field":"tags""#))
            }
            // A blank query value is an error for the API (pages drop their blank fields first).
            for query in ["to=", "from=%20", "period="] {
                let endpoint = query.hasPrefix("period") ? "reports/totals" : "expenses"
                let reply = try await client.send(
                    .get, "/api/v1/orgs/\(org)/\(endpoint)?\(query)", headers: owner.auth)
                #expect(reply.status == .unprocessableContent, "\(query)")
            }
            let cookie = try #require(try await client.pageLogin("owner@example.org").cookie)
            let page = try await client.send(.get, "/orgs/\(org)/expenses?to=&q=", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            // Ownership goes to a member; anyone else, or no id at all, is a bad field, not a
            // missing page.
            for userID in [UUID().uuidString, "g38cf519-6172-34f8-975b-49b7790102c0"] {
                let transfer = try await client.send(
                    .post, "/api/v1/orgs/\(org)/transfer-ownership", json: ["user_id": userID], headers: owner.auth)
                #expect(transfer.status == .unprocessableContent && transfer.body.contains(#""field":"user_id""#))
            }
            // A too-long name counts as typed: surrounding spaces do not make room.
            let long = "\n" + String(repeating: "x", count: 60)
            let category = try await client.send(
                .post, "/api/v1/orgs/\(org)/categories", json: ["name": long], headers: owner.auth)
            #expect(category.status == .unprocessableContent)
        }
    }

    @Test("An address naming no expense is 404 whatever If-Match says", arguments: TestBackend.available)
    func aBadIDIs404BeforeThePrecondition(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            var headers = owner.auth
            headers[.ifMatch] = "\"not-a-version"
            let patch = try await client.send(
                .patch, "/api/v1/orgs/\(org)/expenses/J", json: ["amount": "2.00"], headers: headers)
            #expect(patch.status == .notFound)
            let delete = try await client.send(.delete, "/api/v1/orgs/\(org)/expenses/J", headers: headers)
            #expect(delete.status == .notFound)
        }
    }
}
