import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Password hashing and rules, login answers, lockout and emailed tokens (README, Accounts), on
/// SQLite and PostgreSQL.
@Suite struct PasswordAndLoginTests {
    @Test("equal passwords get different salted bcrypt hashes", arguments: TestBackend.available)
    func equalPasswordsGetDifferentSaltedBcryptHashes(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            #expect(try await client.register("a@example.org").status == .created)
            #expect(try await client.register("b@example.org").status == .created)
            let hashes = try await harness.store.withSystem { tx in
                try await tx.executor.query("SELECT password_hash FROM users ORDER BY email").map {
                    try $0.decode("password_hash", as: String.self)
                }
            }
            #expect(hashes.count == 2)
            #expect(hashes[0] != hashes[1])
            #expect(hashes.allSatisfy { $0.hasPrefix("$2") && $0.contains("$04$") })
            #expect(!hashes.contains { $0.contains(AccountsHarness.password) })
        }
    }

    @Test("a password over 72 bytes is not truncated", arguments: TestBackend.available)
    func aPasswordOver72BytesIsNotTruncated(_ backend: TestBackend) async throws {
        let long = String(repeating: "long passphrase ", count: 5) + "end"  // 83 bytes
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            #expect(try await client.register("long@example.org", password: long).status == .created)
            let prefix = String(long.utf8.prefix(72))!
            #expect(try await client.login("long@example.org", password: prefix).0.status == .unauthorized)
            #expect(try await client.login("long@example.org", password: long).0.status == .ok)
        }
    }

    @Test(
        "short, long and common passwords refused; Unicode passphrases accepted", arguments: TestBackend.available)
    func shortLongAndCommonPasswordsAreRefusedAndUnicodePassphrasesAccepted(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            for password in ["password1234", "Password1234", "short pass", String(repeating: "x", count: 129)] {
                let reply = try await client.register("weak@example.org", password: password)
                #expect(reply.status == .unprocessableContent, "\(password)")
                let errors = reply.json["errors"] as? [[String: String]]
                #expect(errors?.first?["field"] == "password")
                #expect(reply.headers[.contentType] == "application/problem+json")
            }
            let passphrase = String(repeating: "пароль ключ 🔑 ", count: 5).prefix(64)
            #expect(passphrase.count == 64)
            #expect(try await client.register("unicode@example.org", password: String(passphrase)).status == .created)
            #expect(try await client.login("unicode@example.org", password: String(passphrase)).0.status == .ok)
        }
    }

    @Test("login answers alike for wrong unknown and locked accounts", arguments: TestBackend.available)
    func loginAnswersAlikeForWrongUnknownAndLockedAccounts(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("known@example.org")
            try await client.register("locked@example.org")
            for _ in 0..<5 { _ = try await client.login("locked@example.org", password: "wrong password here") }
            let wrong = try await client.login("known@example.org", password: "wrong password here").0
            let unknown = try await client.login("nobody@example.org", password: "wrong password here").0
            let locked = try await client.login("locked@example.org").0
            for reply in [wrong, unknown, locked] {
                #expect(reply.status == .unauthorized)
                #expect(reply.body == wrong.body)
                #expect(reply.headers[.wwwAuthenticate] == wrong.headers[.wwwAuthenticate])
            }
        }
    }

    @Test("forgot password answers byte identically for known and unknown emails", arguments: TestBackend.available)
    func forgotPasswordAnswersByteIdenticallyForKnownAndUnknownEmails(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("known@example.org")
            let known = try await client.send(
                .post, "/api/v1/auth/password/forgot", json: ["email": "known@example.org"])
            let unknown = try await client.send(
                .post, "/api/v1/auth/password/forgot", json: ["email": "nobody@example.org"])
            let malformed = try await client.send(
                .post, "/api/v1/auth/password/forgot", json: ["email": "not an email"])
            #expect(known.status == .accepted)
            #expect(unknown.status == known.status)
            #expect(unknown.body == known.body)
            // Not an address at all: a typing mistake worth pointing out, and no account can have
            // it, so saying so reveals nothing.
            #expect(malformed.status == .unprocessableContent)
            #expect(malformed.body.contains(#""field":"email""#))
            let knownPage = try await client.send(.post, "/password/forgot", form: ["email": "known@example.org"])
            let unknownPage = try await client.send(.post, "/password/forgot", form: ["email": "nobody@example.org"])
            #expect(knownPage.status == .ok)
            #expect(knownPage.body == unknownPage.body)
            #expect(try await harness.outbox("known@example.org").filter { $0.kind == .passwordReset }.count == 2)
            #expect(try await harness.outbox("nobody@example.org").isEmpty)
        }
    }

    @Test("the sixth attempt is refused even when right, and a reset still works", arguments: TestBackend.available)
    func theSixthAttemptIsRefusedEvenWithTheRightPasswordAndAResetStillWorks(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            for _ in 0..<5 {
                #expect(
                    try await client.login("ana@example.org", password: "not my password").0.status == .unauthorized)
            }
            #expect(try await client.login("ana@example.org").0.status == .unauthorized)
            #expect(try await client.pageLogin("ana@example.org").status == .unauthorized)

            // A locked account can still reset its password, which unlocks it.
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let token = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            let newPassword = "a brand new passphrase"
            let reset = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": token, "password": newPassword])
            #expect(reset.status == .noContent)
            #expect(try await client.login("ana@example.org", password: newPassword).0.status == .ok)
        }
        #expect(harness.logs.all.contains("event=account_locked"))
    }

    @Test(
        "a burst of parallel guesses gets five checked at most, and the right one is refused",
        arguments: TestBackend.available)
    func aBurstOfParallelGuessesIsCountedBeforeAnyHashIsTrusted(_ backend: TestBackend) async throws {
        // A real bcrypt cost, so the whole burst is in flight at once.
        let harness = try await AccountsHarness.make(backend) { $0.bcryptCost = 8 }
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let statuses = try await withThrowingTaskGroup(of: (Bool, HTTPResponse.Status).self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        (false, try await client.login("ana@example.org", password: "a wrong guess").0.status)
                    }
                }
                group.addTask { (true, try await client.login("ana@example.org").0.status) }
                var statuses: [(Bool, HTTPResponse.Status)] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.allSatisfy { $0.1 == .unauthorized }, "the right password got in during the burst")
            // The limit (five) is how many passwords were checked, whatever the burst's size.
            let checked = harness.logs.all.components(separatedBy: "reason=wrong_password").count - 1
            #expect(checked <= 5, "\(checked) guesses were checked")
            #expect(try await client.login("ana@example.org").0.status == .unauthorized)
        }
    }

    @Test("wrong current passwords count toward the lockout", arguments: TestBackend.available)
    func wrongCurrentPasswordsCountTowardTheLockout(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let token = try #require(try await client.login("ana@example.org").1)
            let path = "/api/v1/auth/password/change"
            for _ in 0..<5 {
                let wrong = try await client.send(
                    .post, path, json: ["current_password": "a wrong guess", "new_password": "a brand new passphrase"],
                    headers: client.bearer(token))
                #expect(wrong.status == .unprocessableContent)
            }
            // Locked: the right current password changes nothing, and signing in is refused.
            let right = try await client.send(
                .post, path,
                json: ["current_password": AccountsHarness.password, "new_password": "a brand new passphrase"],
                headers: client.bearer(token))
            #expect(right.status == .unprocessableContent)
            #expect(right.body.contains("locked"))
            #expect(try await client.login("ana@example.org").0.status == .unauthorized)
            #expect(
                try await client.login("ana@example.org", password: "a brand new passphrase").0.status == .unauthorized)
        }
    }

    @Test("a lock expires after the lockout period", arguments: TestBackend.available)
    func aLockExpiresAfterTheLockoutPeriod(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            for _ in 0..<5 { _ = try await client.login("ana@example.org", password: "not my password") }
            harness.clock.advance(by: 14 * 60)
            #expect(try await client.login("ana@example.org").0.status == .unauthorized)
            harness.clock.advance(by: 61)
            #expect(try await client.login("ana@example.org").0.status == .ok)
        }
    }

    @Test("per address throttling limits attempts across accounts", arguments: TestBackend.available)
    func perAddressThrottlingLimitsAttemptsAcrossAccounts(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.loginPerIP.limit = 3
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            for index in 0..<3 {
                #expect(try await client.login("user\(index)@example.org").0.status == .unauthorized)
            }
            let throttled = try await client.login("user9@example.org").0
            #expect(throttled.status == .tooManyRequests)
            let retryAfter = try #require(throttled.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...600).contains(retryAfter))
            harness.clock.advance(by: 601)
            #expect(try await client.login("user9@example.org").0.status == .unauthorized)
        }
    }

    @Test("reset tokens are single use expiring and stored only as hashes", arguments: TestBackend.available)
    func resetTokensAreSingleUseExpiringAndStoredOnlyAsHashes(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let token = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            #expect(SecretToken.isWellFormed(token))  // 256 bits, base64url

            // The database holds its hash, never the token.
            let stored = try await harness.store.withSystem { tx in
                try await tx.executor.query("SELECT token_hash FROM account_tokens").map {
                    try $0.decode("token_hash", as: String.self)
                }
            }
            #expect(stored.contains(SecretToken.hash(token)))
            #expect(!stored.contains(token))

            // An older link, requested first, dies when a newer one is used.
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let newer = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            #expect(newer != token)
            let first = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": newer, "password": "first new passphrase"])
            #expect(first.status == .noContent)
            let again = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": newer, "password": "second new passphrase"])
            #expect(again.status == .badRequest)
            #expect(again.json["type"] as? String == "/problems/invalid-token")
            let older = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": token, "password": "second new passphrase"])
            #expect(older.status == .badRequest)

            // A token used after its hour is refused.
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let late = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            harness.clock.advance(by: 3601)
            let expired = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": late, "password": "third new passphrase"])
            #expect(expired.status == .badRequest)
            #expect(try await client.login("ana@example.org", password: "first new passphrase").0.status == .ok)
        }
    }

    @Test("verification tokens work once within 24 hours", arguments: TestBackend.available)
    func verificationTokensWorkOnceWithin24Hours(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            try await client.register("bo@example.org")
            let token = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            #expect(try await client.send(.post, "/api/v1/auth/verify", json: ["token": token]).status == .noContent)
            #expect(try await client.send(.post, "/api/v1/auth/verify", json: ["token": token]).status == .badRequest)
            let (_, bearer) = try await client.login("ana@example.org")
            let me = try await client.send(.get, "/api/v1/me", headers: client.bearer(try #require(bearer)))
            #expect((me.json["user"] as? [String: Any])?["email_verified"] as? Bool == true)

            let late = try #require(try await harness.token(sentTo: "bo@example.org", kind: .emailVerification))
            harness.clock.advance(by: 24 * 3600 + 1)
            #expect(try await client.send(.post, "/api/v1/auth/verify", json: ["token": late]).status == .badRequest)
        }
    }

    @Test(
        "behind a trusted proxy, throttling counts the forwarded client address", arguments: TestBackend.available)
    func throttlingBehindATrustedProxyCountsTheForwardedClient(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.loginPerIP.limit = 2
        let harness = try await AccountsHarness.make(backend, limits: limits) {
            $0.httpPort = 0
            $0.trustedProxies = ["127.0.0.1"]
        }
        try await harness.app.test(.live) { client async throws in
            let first: HTTPFields = [.xForwardedFor: "198.51.100.7, 203.0.113.5"]
            let second: HTTPFields = [.xForwardedFor: "203.0.113.6"]
            let body = ["email": "nobody@example.org", "password": "whatever it is"]
            #expect(
                try await client.send(.post, "/api/v1/auth/login", json: body, headers: first).status == .unauthorized)
            #expect(
                try await client.send(.post, "/api/v1/auth/login", json: body, headers: first).status == .unauthorized)
            #expect(
                try await client.send(.post, "/api/v1/auth/login", json: body, headers: first).status
                    == .tooManyRequests)
            #expect(
                try await client.send(.post, "/api/v1/auth/login", json: body, headers: second).status == .unauthorized)
        }
    }
}
