import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Two-factor sign-in through a real server on both databases: enrolment confirmed by a first
/// code, the second step of a sign-in, codes and recovery codes that work once, the
/// organization's rule, and turning it off with a code. (The end-to-end tests check the codes
/// against an independent implementation, pyotp.)
@Suite struct SecondFactorFlowTests {
    /// The authenticator app's view: the key bytes behind the base32 secret it was given.
    static func app(_ base32: String) -> TOTPCode {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bytes: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in base32 {
            guard let value = alphabet.firstIndex(of: character) else { continue }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> (bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return TOTPCode(secret: String(decoding: bytes, as: UTF8.self))
    }

    /// Enrols `user` and returns their app and recovery codes.
    static func enrol(_ user: TestUser, client: some TestClientProtocol, harness: AccountsHarness) async throws
        -> (TOTPCode, [String])
    {
        let begun = try await client.send(.post, "/api/v1/me/totp", headers: user.auth)
        guard begun.status == .created, let secret = begun.json["secret"] as? String else {
            throw TestFailure("enrolment refused: \(begun.status) \(begun.body)")
        }
        let app = Self.app(secret)
        let confirmed = try await client.send(
            .post, "/api/v1/me/totp/confirm", json: ["code": app.code(at: harness.clock.now)], headers: user.auth)
        guard confirmed.status == .ok, let codes = confirmed.json["recovery_codes"] as? [String] else {
            throw TestFailure("confirmation refused: \(confirmed.status) \(confirmed.body)")
        }
        return (app, codes)
    }

    static func signIn(_ email: String, code: String, client: some TestClientProtocol) async throws -> Reply {
        let (first, _) = try await client.login(email)
        guard let token = first.json["mfa_token"] as? String else {
            throw TestFailure("no second step: \(first.status) \(first.body)")
        }
        return try await client.send(.post, "/api/v1/auth/login/totp", json: ["mfa_token": token, "code": code])
    }

    @Test(arguments: TestBackend.available)
    func enrolSignInWithACodeOnceAndWithRecoveryCodesOnce(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.secondFactorPerAccount.limit = 10_000
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let (_, other) = try await client.login("ana@example.org")
            let begun = try await client.send(.post, "/api/v1/me/totp", headers: ana.auth)
            #expect(begun.status == .created)
            #expect(begun.headers[.cacheControl] == "no-store")
            let uri = try #require(begun.json["otpauth_uri"] as? String)
            #expect(uri.hasPrefix("otpauth://totp/ExpenseTracker") && uri.contains("issuer=ExpenseTracker"))
            let app = Self.app(try #require(begun.json["secret"] as? String))
            // The secret is stored sealed, never as given to the app.
            let sealed = try await harness.store.withSystem { tx in
                try await harness.store.secondFactors.find(tx, user: UserID(uuidString: ana.id)!)
            }
            #expect(sealed?.secretSealed.hasPrefix("v1:") == true)
            #expect(sealed?.secretSealed.contains(try #require(begun.json["secret"] as? String)) == false)

            let wrong = try await client.send(
                .post, "/api/v1/me/totp/confirm", json: ["code": "000000"], headers: ana.auth)
            #expect(wrong.status == .unprocessableContent)
            let confirmed = try await client.send(
                .post, "/api/v1/me/totp/confirm", json: ["code": app.code(at: harness.clock.now)], headers: ana.auth)
            #expect(confirmed.status == .ok)
            let recovery = try #require(confirmed.json["recovery_codes"] as? [String])
            #expect(recovery.count == 10 && Set(recovery).count == 10)
            let me = try await client.send(.get, "/api/v1/me", headers: ana.auth)
            #expect((me.json["user"] as? [String: Any])?["second_factor_enabled"] as? Bool == true)
            // The token opened with the password alone is signed out; the one that enrolled stays.
            #expect(
                try await client.send(.get, "/api/v1/me", headers: client.bearer(try #require(other))).status
                    == .unauthorized)

            // With two-factor sign-in on, the password alone does not sign in.
            let (first, token) = try await client.login("ana@example.org")
            #expect(first.status == .unauthorized && token == nil)
            #expect(first.json["type"] as? String == "/problems/second-factor-required")
            // The code confirmation used is spent: the next one is needed.
            let replay = try await Self.signIn("ana@example.org", code: app.code(at: harness.clock.now), client: client)
            #expect(replay.status == .unauthorized)
            #expect(replay.json["type"] as? String == "/problems/invalid-second-factor")
            harness.clock.advance(by: 30)
            let next = app.code(at: harness.clock.now)
            let signedIn = try await Self.signIn("ana@example.org", code: next, client: client)
            #expect(signedIn.status == .ok)
            #expect(signedIn.json["token"] is String)
            #expect(try await Self.signIn("ana@example.org", code: next, client: client).status == .unauthorized)

            // A recovery code works once, however it is typed.
            let typed = recovery[3].lowercased().replacingOccurrences(of: "-", with: " ")
            #expect(try await Self.signIn("ana@example.org", code: typed, client: client).status == .ok)
            #expect(try await Self.signIn("ana@example.org", code: recovery[3], client: client).status == .unauthorized)

            // Five wrong codes end the sign-in: even the right code then needs the password again.
            let (again, _) = try await client.login("ana@example.org")
            let mfa = try #require(again.json["mfa_token"] as? String)
            for _ in 0..<5 {
                _ = try await client.send(.post, "/api/v1/auth/login/totp", json: ["mfa_token": mfa, "code": "123456"])
            }
            harness.clock.advance(by: 30)
            let late = try await client.send(
                .post, "/api/v1/auth/login/totp", json: ["mfa_token": mfa, "code": app.code(at: harness.clock.now)])
            #expect(late.status == .unauthorized)

            // Turning it off takes a code; then the password signs in alone again.
            #expect(
                try await client.send(.delete, "/api/v1/me/totp", json: ["code": "654321"], headers: ana.auth).status
                    == .unprocessableContent)
            #expect(
                try await client.send(
                    .delete, "/api/v1/me/totp", json: ["code": app.code(at: harness.clock.now)], headers: ana.auth
                ).status == .noContent)
            #expect(try await client.login("ana@example.org").1 != nil)
        }
    }

    /// The login page's second step: a wrong code asks again; a sign-in that ended (unknown,
    /// expired, too many wrong codes) offers to log in again instead of another code field.
    @Test(arguments: TestBackend.available)
    func thePagesAskForTheCodeAfterThePassword(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            _ = try await Self.enrol(ana, client: client, harness: harness)
            let password = try await client.pageLogin("ana@example.org")
            #expect(password.status == .ok && password.cookie == nil)
            #expect(password.body.contains("Enter your code"))
            let token = try #require(
                password.body.range(of: #"name="mfa_token" value=""#).map { range in
                    String(password.body[range.upperBound...].prefix { $0 != "\"" })
                })
            let wrong = try await client.send(.post, "/login/code", form: ["mfa_token": token, "code": "000000"])
            #expect(wrong.status == .unauthorized && wrong.body.contains(#"name="code""#) && wrong.cookie == nil)
            // A challenge that does not exist: the real one with its first character changed.
            let unknown = (token.first == "A" ? "B" : "A") + token.dropFirst()
            let ended = try await client.send(.post, "/login/code", form: ["mfa_token": unknown, "code": "000000"])
            #expect(
                ended.status == .unauthorized && ended.body.contains("Log in again")
                    && !ended.body.contains(#"name="code""#))
        }
    }

    /// Codes are limited per account like passwords: past ten in fifteen minutes even the right
    /// one waits, whichever sign-in sends them.
    @Test(arguments: TestBackend.available)
    func codesAreRateLimitedPerAccount(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let (app, _) = try await Self.enrol(ana, client: client, harness: harness)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                let (first, _) = try await client.login("ana@example.org")
                let mfa = try #require(first.json["mfa_token"] as? String)
                for _ in 0..<4 {
                    statuses.append(
                        try await client.send(
                            .post, "/api/v1/auth/login/totp", json: ["mfa_token": mfa, "code": "111111"]
                        ).status)
                }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 9)
            #expect(statuses.last == .tooManyRequests)
            harness.clock.advance(by: 30)
            let limited = try await Self.signIn(
                "ana@example.org", code: app.code(at: harness.clock.now), client: client)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func anOrganizationCanRequireItOfItsMembers(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olu", harness: harness)
            let admin = try await client.signUp("admin@example.org", name: "Ade", harness: harness)
            let member = try await client.signUp("member@example.org", name: "Mo", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let rule = ["require_second_factor": true]
            // Not before the owner signs in with a second factor themselves; never by an admin.
            let early = try await client.send(.patch, "/api/v1/orgs/\(org)", json: rule, headers: owner.auth)
            #expect(early.status == .conflict)
            _ = try await Self.enrol(admin, client: client, harness: harness)
            #expect(
                try await client.send(.patch, "/api/v1/orgs/\(org)", json: rule, headers: admin.auth).status
                    == .forbidden)
            _ = try await Self.enrol(owner, client: client, harness: harness)
            let set = try await client.send(.patch, "/api/v1/orgs/\(org)", json: rule, headers: owner.auth)
            #expect(set.status == .ok)
            #expect(set.json["require_second_factor"] as? Bool == true)

            // The member without it is stopped at the organization's door, and only there.
            let stopped = try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: member.auth)
            #expect(stopped.status == .forbidden)
            #expect(stopped.json["type"] as? String == "/problems/second-factor-enrolment-required")
            #expect(try await client.send(.get, "/api/v1/me", headers: member.auth).status == .ok)
            #expect(try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: admin.auth).status == .ok)
            _ = try await Self.enrol(member, client: client, harness: harness)
            #expect(try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: member.auth).status == .ok)
        }
    }

    /// On PostgreSQL several servers must share the key: without `SECRET_KEY` enrolment is
    /// refused with a clear 409, never a secret sealed under a key only one server holds.
    @Test func withoutASecretKeyOnPostgreSQLEnrolmentIsRefused() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let harness = try await AccountsHarness.make(.postgres, configure: { $0.secretKey = nil })
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let refused = try await client.send(.post, "/api/v1/me/totp", headers: ana.auth)
            #expect(refused.status == .conflict)
            #expect((refused.json["detail"] as? String)?.contains("SECRET_KEY") == true)
        }
    }
}
