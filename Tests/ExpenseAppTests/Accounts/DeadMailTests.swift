import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Dead mail: its bodies (which may hold one-time links) are purged after a week, and
/// `mail retry-dead` re-issues one-time links instead of resending stale ones.
@Suite struct DeadMailTests {
    /// Marks every pending message to `recipient` dead, as a relay's permanent refusal would.
    static func kill(_ recipient: String, harness: AccountsHarness) async throws -> [OutboxMessage] {
        let store = harness.store
        let messages = try await harness.outbox(recipient)
        for message in messages {
            try await store.withSystem { tx in try await store.outbox.markDead(tx, id: message.id, error: "550 test") }
        }
        return messages
    }

    static func recovery(_ harness: AccountsHarness) -> DeadMailRecovery {
        DeadMailRecovery(
            store: harness.store, settings: AccountSettings(config: harness.config), clock: harness.clock.clock,
            ids: .random, tokens: .secure, logger: TestDatabases.logger)
    }

    @Test("Dead mail keeps its bodies for a week, then only its metadata", arguments: TestBackend.available)
    func deadBodiesArePurgedAfterAWeek(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let dead = try await Self.kill("ana@example.org", harness: harness)
            #expect(dead.count == 2)  // welcome and confirmation
            let maintenance = AccountMaintenance(
                store: harness.store, settings: AccountSettings(config: harness.config), clock: harness.clock.clock,
                logger: TestDatabases.logger)
            harness.clock.advance(by: 6 * 24 * 3600)
            #expect(try await maintenance.purge().deadMail == 0)
            harness.clock.advance(by: 24 * 3600 + 1)
            #expect(try await maintenance.purge().deadMail == 2)
            let store = harness.store
            #expect(try await store.withSystem { tx in try await store.outbox.dead(tx) }.isEmpty)
            // Nothing left to send again; the messages stay on record as dead.
            #expect(try await Self.recovery(harness).retryAll() == .init())
            #expect(try await store.withSystem { tx in try await store.outbox.counts(tx) } == [.dead: 2])
        }
    }

    @Test(
        "retry-dead re-issues a one-time link (the stale one stops working) and requeues other mail",
        arguments: TestBackend.available)
    func retryDeadReissuesOneTimeLinks(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.register("ana@example.org")
            // Two resets asked for while the relay refused: one new link will do.
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let invited = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "xu@example.org", "role": "member"],
                headers: owner.auth)
            #expect(invited.status == .created)
            let staleReset = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            let staleInvitation = try #require(try await harness.token(sentTo: "xu@example.org", kind: .invitation))
            let deadToAna = try await Self.kill("ana@example.org", harness: harness)
            let deadToXu = try await Self.kill("xu@example.org", harness: harness)
            #expect(
                deadToAna.map(\.kind.rawValue).sorted() == [
                    "email_verification", "password_reset", "password_reset", "welcome",
                ])

            // The relay was down for three days: every link has expired (reset after an hour,
            // confirmation after a day) and maintenance has deleted the spent tokens; the
            // invitation is still open for four more days.
            harness.clock.advance(by: 3 * 24 * 3600)
            let maintenance = AccountMaintenance(
                store: harness.store, settings: AccountSettings(config: harness.config), clock: harness.clock.clock,
                logger: TestDatabases.logger)
            #expect(try await maintenance.purge().accountTokens >= 3)
            let outcome = try await Self.recovery(harness).retryAll()
            #expect(outcome == .init(requeued: 1, reissued: 3, retired: 1))

            let toAna = try await harness.outbox("ana@example.org")
            #expect(toAna.map(\.kind.rawValue).sorted() == ["email_verification", "password_reset", "welcome"])
            // The welcome went back as it was; the links are new messages with new tokens.
            let welcome = try #require(toAna.first { $0.kind == .welcome })
            #expect(welcome.id == deadToAna.first { $0.kind == .welcome }?.id)
            let reset = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            #expect(reset != staleReset)
            let refused = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": staleReset, "password": "a brand new passphrase"])
            #expect(refused.status == .badRequest)
            let accepted = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": reset, "password": "a brand new passphrase"])
            #expect(accepted.status == .noContent)
            let verify = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            #expect(try await client.send(.post, "/api/v1/auth/verify", json: ["token": verify]).status == .noContent)

            let invitation = try #require(try await harness.token(sentTo: "xu@example.org", kind: .invitation))
            #expect(invitation != staleInvitation)
            #expect(try await harness.outbox("xu@example.org").first?.id != deadToXu.first?.id)
            let xu = try await client.signUp("xu@example.org", name: "Xu", harness: harness)
            let stale = try await client.send(
                .post, "/api/v1/invitations/accept", json: ["token": staleInvitation], headers: xu.auth)
            #expect(stale.status == .badRequest)
            let joined = try await client.send(
                .post, "/api/v1/invitations/accept", json: ["token": invitation], headers: xu.auth)
            #expect(joined.status == .ok)

            // The dead originals keep no bodies, and a second run finds nothing to do.
            let store = harness.store
            #expect(try await store.withSystem { tx in try await store.outbox.dead(tx) }.isEmpty)
            #expect(try await Self.recovery(harness).retryAll() == .init())
        }
    }

    @Test("retry-dead sends nothing for a link no longer needed", arguments: TestBackend.available)
    func retryDeadRetiresLinksNoLongerNeeded(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            let invited = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "xu@example.org", "role": "member"],
                headers: owner.auth)
            let id = try #require(invited.json["id"] as? String)
            _ = try await Self.kill("xu@example.org", harness: harness)
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/invitations/\(id)", headers: owner.auth).status
                    == .noContent)
            #expect(try await Self.recovery(harness).retryAll() == .init(requeued: 0, reissued: 0, retired: 1))
            #expect(try await harness.outbox("xu@example.org").isEmpty)
        }
    }
}
