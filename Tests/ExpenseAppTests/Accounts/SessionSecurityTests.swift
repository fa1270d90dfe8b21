import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ExpenseApp

/// Links, sessions, cookies, CSRF and rate limits (README, Accounts), on SQLite and PostgreSQL.
@Suite struct SessionSecurityTests {
    @Test("email links use the public base URL whatever the host header", arguments: TestBackend.available)
    func emailLinksUseThePublicBaseURLWhateverTheHostHeader(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            // The test client sends every request to authority "localhost"; add a forwarded host too.
            let forged: HTTPFields = [HTTPField.Name("X-Forwarded-Host")!: "evil.example"]
            _ = try await client.send(
                .post, "/api/v1/auth/register",
                json: ["email": "ana@example.org", "password": AccountsHarness.password, "name": "Ana"],
                headers: forged
            )
            _ = try await client.send(
                .post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"], headers: forged)
            let messages = try await harness.outbox("ana@example.org")
            #expect(Set(messages.map(\.kind)) == [.welcome, .emailVerification, .passwordReset])
            for message in messages {
                for host in ["evil.example", "localhost"] {
                    #expect(!message.bodyText.contains(host) && !message.bodyHTML.contains(host))
                }
                #expect(message.bodyText.contains("https://expenses.example.org/"))
            }
            let reset = try #require(messages.first { $0.kind == .passwordReset })
            #expect(reset.bodyText.contains("https://expenses.example.org/password/reset?token="))
            let verify = try #require(messages.first { $0.kind == .emailVerification })
            #expect(verify.bodyText.contains("https://expenses.example.org/verify?token="))
        }
    }

    @Test("login issues a new session and logout ends it server side", arguments: TestBackend.available)
    func loginIssuesANewSessionAndLogoutEndsItServerSide(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let first = try #require(try await client.pageLogin("ana@example.org").cookie)
            let second = try #require(try await client.pageLogin("ana@example.org").cookie)
            #expect(first != second)
            let dashboard = try await client.send(.get, "/dashboard", headers: [.cookie: second])
            #expect(dashboard.status == .ok)
            let csrf = try #require(Self.csrfToken(in: dashboard.body))
            let logout = try await client.send(.post, "/logout", form: ["_csrf": csrf], headers: [.cookie: second])
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            // The old cookie no longer signs anyone in.
            let after = try await client.send(.get, "/dashboard", headers: [.cookie: second])
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/login")

            let (_, token) = try await client.login("ana@example.org")
            let bearer = client.bearer(try #require(token))
            #expect(try await client.send(.post, "/api/v1/auth/logout", headers: bearer).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/me", headers: bearer).status == .unauthorized)
        }
    }

    @Test("a password reset ends every session and revokes every token", arguments: TestBackend.available)
    func aPasswordResetEndsEverySessionAndRevokesEveryToken(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let cookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            let (_, token) = try await client.login("ana@example.org")
            let bearer = client.bearer(try #require(token))
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let reset = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            #expect(
                try await client.send(
                    .post, "/api/v1/auth/password/reset", json: ["token": reset, "password": "another good passphrase"]
                ).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/me", headers: bearer).status == .unauthorized)
            #expect(try await client.send(.get, "/dashboard", headers: [.cookie: cookie]).status == .seeOther)
            #expect(try await harness.outbox("ana@example.org").contains { $0.kind == .passwordChanged })
        }
    }

    @Test("changing the password keeps this session and ends the others", arguments: TestBackend.available)
    func changingThePasswordKeepsThisSessionAndEndsTheOthers(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let (_, mine) = try await client.login("ana@example.org")
            let (_, other) = try await client.login("ana@example.org")
            let otherCookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            let mineHeader = client.bearer(try #require(mine))
            let wrong = try await client.send(
                .post, "/api/v1/auth/password/change",
                json: ["current_password": "not the password", "new_password": "a fresh passphrase"],
                headers: mineHeader
            )
            #expect(wrong.status == .unprocessableContent)
            let changed = try await client.send(
                .post, "/api/v1/auth/password/change",
                json: ["current_password": AccountsHarness.password, "new_password": "a fresh passphrase"],
                headers: mineHeader
            )
            #expect(changed.status == .noContent)
            #expect(try await client.send(.get, "/api/v1/me", headers: mineHeader).status == .ok)
            #expect(
                try await client.send(.get, "/api/v1/me", headers: client.bearer(try #require(other))).status
                    == .unauthorized)
            #expect(try await client.send(.get, "/dashboard", headers: [.cookie: otherCookie]).status == .seeOther)
        }
    }

    @Test("sessions and tokens expire when idle and at their absolute limit", arguments: TestBackend.available)
    func sessionsAndTokensExpireWhenIdleAndAtTheirAbsoluteLimit(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            // Idle: 30 minutes without a request.
            let idleCookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            let (_, idleToken) = try await client.login("ana@example.org")
            harness.clock.advance(by: 29 * 60)
            #expect(try await client.send(.get, "/dashboard", headers: [.cookie: idleCookie]).status == .ok)
            #expect(
                try await client.send(.get, "/api/v1/me", headers: client.bearer(try #require(idleToken))).status == .ok
            )
            harness.clock.advance(by: 31 * 60)
            #expect(try await client.send(.get, "/dashboard", headers: [.cookie: idleCookie]).status == .seeOther)
            #expect(
                try await client.send(.get, "/api/v1/me", headers: client.bearer(try #require(idleToken))).status
                    == .unauthorized)

            // Absolute: 12 hours after sign-in, however active.
            let activeCookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            for _ in 0..<35 {
                harness.clock.advance(by: 20 * 60)
                #expect(try await client.send(.get, "/dashboard", headers: [.cookie: activeCookie]).status == .ok)
            }
            harness.clock.advance(by: 20 * 60 + 1)  // 12 h 0 min 1 s
            #expect(try await client.send(.get, "/dashboard", headers: [.cookie: activeCookie]).status == .seeOther)
        }
    }

    @Test("the session cookie is host only secure http only and lax", arguments: TestBackend.available)
    func theSessionCookieIsHostOnlySecureHttpOnlyAndLax(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let login = try await client.pageLogin("ana@example.org")
            let setCookie = try #require(login.headers[.setCookie])
            #expect(setCookie.hasPrefix("__Host-session="))
            for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
                #expect(setCookie.contains(attribute), "\(attribute) missing in \(setCookie)")
            }
            #expect(!setCookie.contains("Domain="))
            // No session or API token in any URL the server sends people to.
            #expect(login.headers[.location] == "/")
            // The pages opened from emailed links send no referrer.
            #expect(try await client.send(.get, "/password/reset?token=abc").headers[.referrerPolicy] == "no-referrer")
            #expect(try await client.send(.get, "/verify?token=abc").headers[.referrerPolicy] == "no-referrer")
        }
        let plain = try await AccountsHarness.make(backend) { $0.publicBaseURL = "http://127.0.0.1:8080" }
        try await plain.run { client async throws in
            try await client.register("bo@example.org")
            let setCookie = try #require(try await client.pageLogin("bo@example.org").headers[.setCookie])
            #expect(
                setCookie.hasPrefix("session=") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
        }
    }

    @Test(
        "cross site form posts are refused and a cookie alone authorizes no API call",
        arguments: TestBackend.available)
    func crossSiteFormPostsAreRefusedAndACookieAloneAuthorizesNoAPICall(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let evil: HTTPFields = [.origin: "https://evil.example"]
            let crossLogin = try await client.send(
                .post, "/login", form: ["email": "ana@example.org", "password": AccountsHarness.password], headers: evil
            )
            #expect(crossLogin.status == .forbidden)
            #expect(crossLogin.headers[.setCookie] == nil)

            let cookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            // Same origin, but without this session's synchronizer token.
            let sameOrigin: HTTPFields = [.cookie: cookie, .origin: "https://expenses.example.org"]
            let noToken = try await client.send(
                .post, "/settings/password",
                form: ["current_password": AccountsHarness.password, "new_password": "changed by csrf attack"],
                headers: sameOrigin
            )
            #expect(noToken.status == .forbidden)
            let badToken = try await client.send(.post, "/logout", form: ["_csrf": "forged"], headers: sameOrigin)
            #expect(badToken.status == .forbidden)
            #expect(try await client.send(.get, "/dashboard", headers: [.cookie: cookie]).status == .ok)

            // The JSON API ignores cookies.
            #expect(try await client.send(.get, "/api/v1/me", headers: [.cookie: cookie]).status == .unauthorized)
            let apiWrite = try await client.send(
                .post, "/api/v1/auth/password/change",
                json: ["current_password": AccountsHarness.password, "new_password": "changed with a cookie"],
                headers: [.cookie: cookie]
            )
            #expect(apiWrite.status == .unauthorized)

            // Opening an emailed verification link (GET) changes nothing by itself.
            let token = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            #expect(try await client.send(.get, "/verify?token=\(token)").status == .ok)
            let user = try await harness.store.withSystem { tx in
                try await harness.store.users.find(tx, email: "ana@example.org")
            }
            #expect(user?.emailVerifiedAt == nil)

            // The link's page sends no referrer, so a browser posts its form with `Origin: null`:
            // accepted on the forms that carry the link's token (signed in, with the session's
            // token too), refused everywhere else.
            let null: HTTPFields = [.origin: "null"]
            let crossNullLogin = try await client.send(
                .post, "/login", form: ["email": "ana@example.org", "password": AccountsHarness.password], headers: null
            )
            #expect(crossNullLogin.status == .forbidden)
            let nullWithoutSessionToken = try await client.send(
                .post, "/verify", form: ["token": token], headers: [.origin: "null", .cookie: cookie])
            #expect(nullWithoutSessionToken.status == .forbidden)
            let page = try await client.send(.get, "/dashboard", headers: [.cookie: cookie])
            let csrf = try #require(Self.csrfToken(in: page.body))
            let confirmed = try await client.send(
                .post, "/verify", form: ["token": token, "_csrf": csrf], headers: [.origin: "null", .cookie: cookie])
            #expect(confirmed.status == .seeOther)
            let verified = try await harness.store.withSystem { tx in
                try await harness.store.users.find(tx, email: "ana@example.org")
            }
            #expect(verified?.emailVerifiedAt != nil)
        }
    }

    /// The pages an emailed link opens send no referrer, so every form on them (the layout's
    /// "send the link again" and "log out" too) arrives with `Origin: null`; signed in, each
    /// works with the session's synchronizer token and is refused without it.
    @Test(arguments: TestBackend.available)
    func everyFormOfANoReferrerPageWorksForTheSignedInSession(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let cookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            let token = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            let verifyPage = try await client.send(.get, "/verify?token=\(token)", headers: [.cookie: cookie])
            #expect(verifyPage.status == .ok && verifyPage.headers[.referrerPolicy] == "no-referrer")
            #expect(verifyPage.body.contains(#"action="/verify/resend""#))
            let csrf = try #require(Self.csrfToken(in: verifyPage.body))
            let fromThatPage: HTTPFields = [.origin: "null", .cookie: cookie]

            let forged = try await client.send(
                .post, "/verify/resend", form: ["_csrf": "forged"], headers: fromThatPage)
            #expect(forged.status == .forbidden)
            let resent = try await client.send(.post, "/verify/resend", form: ["_csrf": csrf], headers: fromThatPage)
            #expect(resent.status == .seeOther)
            #expect(try await harness.outbox("ana@example.org").filter { $0.kind == .emailVerification }.count == 2)
            let loggedOut = try await client.send(.post, "/logout", form: ["_csrf": csrf], headers: fromThatPage)
            #expect(loggedOut.status == .seeOther)
            let afterwards = try await client.send(.get, "/dashboard", headers: [.cookie: cookie])
            #expect(afterwards.headers[.location] == "/login")
            // Signed out, a null-origin post is a cross-site one unless it carries a link's token.
            let signedOut = try await client.send(.post, "/verify/resend", form: [:], headers: [.origin: "null"])
            #expect(signedOut.status == .forbidden)
        }
    }

    @Test("registration forgot and resend are rate limited", arguments: TestBackend.available)
    func registrationForgotAndResendAreRateLimited(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.registerPerIP.limit = 2
        limits.forgotPerIP.limit = 2
        limits.forgotPerAccount.limit = 1
        limits.verificationPerAccount.limit = 1
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            #expect(try await client.register("a@example.org").status == .created)
            #expect(try await client.register("a@example.org").status == .conflict)  // taken, behind the limit
            let third = try await client.register("c@example.org")
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)

            // Per account: the second reset link in the hour is not sent, and the answer does not say so.
            #expect(
                try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "a@example.org"]).status
                    == .accepted)
            #expect(
                try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "a@example.org"]).status
                    == .accepted)
            let perIP = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "a@example.org"])
            #expect(perIP.status == .tooManyRequests)
            #expect(perIP.headers[.retryAfter] != nil)

            let (_, token) = try await client.login("a@example.org")
            let bearer = client.bearer(try #require(token))
            #expect(try await client.send(.post, "/api/v1/auth/verify/resend", headers: bearer).status == .accepted)
            #expect(
                try await client.send(.post, "/api/v1/auth/verify/resend", headers: bearer).status == .tooManyRequests)
            let resets = try await harness.outbox("a@example.org").filter { $0.kind == .passwordReset }
            #expect(resets.count == 1)
            #expect(try await harness.outbox("c@example.org").isEmpty)
        }
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
