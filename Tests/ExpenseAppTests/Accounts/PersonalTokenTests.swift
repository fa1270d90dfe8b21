import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Personal access tokens through a real server: shown once, held to their scopes (a read token
/// writes nothing, a token limited to one organization finds no other), their own expiry instead
/// of the session limits, and no power over credentials.
@Suite struct PersonalTokenTests {
    func create(_ fields: [String: Any], by user: TestUser, client: some TestClientProtocol) async throws -> Reply {
        try await client.send(.post, "/api/v1/auth/tokens", json: fields, headers: user.auth)
    }

    @Test(arguments: TestBackend.available)
    func scopesAndOrganizationLimitsAreEnforced(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let books = try await client.createOrganization("Books", by: ana)
            let garden = try await client.createOrganization("Garden", by: ana)
            _ = try await client.logExpense(books, ["amount": "4.20", "date": "2026-11-02"], by: ana)

            let read = try await create(["name": "Reporting", "scopes": ["read"]], by: ana, client: client)
            #expect(read.status == .created)
            #expect(read.headers[.cacheControl] == "no-store")
            #expect(read.json["scopes"] as? [String] == ["read"])
            #expect(read.json["kind"] as? String == "personal")
            let reader = TestUser(
                email: ana.email, id: ana.id, auth: client.bearer(try #require(read.json["token"] as? String)))
            // A read token reads every organization, and writes nowhere.
            #expect(try await client.send(.get, "/api/v1/orgs/\(books)/expenses", headers: reader.auth).status == .ok)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(garden)/reports/totals", headers: reader.auth).status == .ok
            )
            let refused = try await client.send(
                .post, "/api/v1/orgs/\(books)/expenses", json: ["amount": "1", "date": "2026-11-03"],
                headers: reader.auth)
            #expect(refused.status == .forbidden)
            #expect(refused.json["type"] as? String == "/problems/insufficient-scope")
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs", json: ["name": "X", "kind": "cooperative"], headers: reader.auth
                ).status == .forbidden)
            #expect(try await client.allExpenses(books, by: ana).count == 1)

            let limited = try await create(
                ["name": "Books sync", "scopes": ["read", "write"], "organization_id": books], by: ana, client: client)
            #expect(limited.status == .created)
            #expect(limited.json["organization_id"] as? String == books)
            let syncer = TestUser(
                email: ana.email, id: ana.id, auth: client.bearer(try #require(limited.json["token"] as? String)))
            _ = try await client.logExpense(books, ["amount": "2", "date": "2026-11-04"], by: syncer)
            // Another organization of the same person is not there for this token.
            let elsewhere = try await client.send(.get, "/api/v1/orgs/\(garden)/expenses", headers: syncer.auth)
            #expect(elsewhere.status == .notFound)
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs/\(garden)/expenses", json: ["amount": "1", "date": "2026-11-03"],
                    headers: syncer.auth
                ).status == .notFound)
            let listed = try await client.send(.get, "/api/v1/orgs", headers: syncer.auth)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [books])
            let own = try await client.send(.get, "/api/v1/auth/tokens", headers: syncer.auth)
            #expect(
                (own.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [
                    try #require(limited.json["id"] as? String)
                ])
            let me = try await client.send(.get, "/api/v1/me", headers: syncer.auth)
            #expect((me.json["memberships"] as? [[String: Any]])?.count == 1)
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs", json: ["name": "Y", "kind": "cooperative"], headers: syncer.auth
                )
                .status == .forbidden)

            // Credentials stay with the person: even a full personal token mints no token and
            // changes no password.
            let full = try await create(["name": "Full", "scopes": ["write"]], by: ana, client: client)
            #expect(full.json["scopes"] as? [String] == ["read", "write"])
            let fuller = client.bearer(try #require(full.json["token"] as? String))
            let minted = try await client.send(
                .post, "/api/v1/auth/tokens", json: ["name": "More", "scopes": ["read"]], headers: fuller)
            #expect(minted.status == .forbidden)
            #expect(minted.json["type"] as? String == "/problems/insufficient-scope")
            #expect(
                try await client.send(
                    .post, "/api/v1/auth/password/change",
                    json: ["current_password": AccountsHarness.password, "new_password": "another long passphrase"],
                    headers: fuller
                ).status == .forbidden)
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs/\(garden)/expenses", json: ["amount": "1", "date": "2026-11-03"],
                    headers: fuller
                ).status == .created)

            // The list shows every token with its kind, scopes and last use; revoking ends it at once.
            let tokens = try await client.send(.get, "/api/v1/auth/tokens", headers: ana.auth)
            let items = try #require(tokens.json["items"] as? [[String: Any]])
            #expect(items.count == 4)
            #expect(Set(items.compactMap { $0["kind"] as? String }) == ["session", "personal"])
            #expect(items.allSatisfy { $0["last_used_at"] != nil && $0["token"] == nil })
            let id = try #require(limited.json["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/auth/tokens/\(id)", headers: ana.auth).status == .noContent)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(books)/expenses", headers: syncer.auth).status
                    == .unauthorized)
        }
    }

    @Test(arguments: TestBackend.available)
    func badRequestsAreRefusedFieldByField(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let bo = try await client.signUp("bo@example.org", name: "Bo", harness: harness)
            let bos = try await client.createOrganization("Bo's", by: bo)
            let reply = try await create(
                ["name": " ", "scopes": ["admin"], "organization_id": bos, "expires_at": "2020-01-01T00:00:00Z"],
                by: ana, client: client)
            #expect(reply.status == .unprocessableContent)
            let fields = Set((reply.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["name", "scopes", "organization_id", "expires_at"])
            let badDate = try await create(
                ["name": "x", "scopes": ["read"], "expires_at": "soon"], by: ana, client: client)
            #expect(badDate.status == .unprocessableContent)
            let tooLate = ISO8601DateFormatter().string(from: harness.clock.now.addingTimeInterval(400 * 86_400))
            #expect(
                try await create(["name": "x", "scopes": ["read"], "expires_at": tooLate], by: ana, client: client)
                    .status
                    == .unprocessableContent)
        }
    }

    /// A personal token has no idle limit: days unused, it still works until its own expiry; a
    /// login's token idle as long is gone.
    @Test(arguments: TestBackend.available)
    func personalTokensOutliveTheIdleLimitUntilTheirExpiry(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        let clock = harness.clock
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let expiry = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(40 * 86_400))
            let created = try await create(
                ["name": "Nightly", "scopes": ["read"], "expires_at": expiry], by: ana, client: client)
            let token = client.bearer(try #require(created.json["token"] as? String))
            clock.advance(by: 30 * 86_400)
            #expect(try await client.send(.get, "/api/v1/me", headers: token).status == .ok)
            #expect(try await client.send(.get, "/api/v1/me", headers: ana.auth).status == .unauthorized)
            clock.advance(by: 11 * 86_400)
            #expect(try await client.send(.get, "/api/v1/me", headers: token).status == .unauthorized)
        }
    }
}
