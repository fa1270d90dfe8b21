import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Whole journeys through the accounts API and pages.
@Suite struct AccountFlowTests {
    @Test(arguments: TestBackend.available)
    func registerLoginMeLogoutThroughARealHTTPServer(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client in
            let registered = try await client.register("Ana.Silva@Example.org", name: "Ana Silva")
            #expect(registered.status == .created)
            #expect(registered.json["email"] as? String == "ana.silva@example.org")
            let (login, token) = try await client.login("ana.silva@example.org")
            #expect(login.status == .ok)
            #expect(login.json["expires_at"] is String)
            let bearer = client.bearer(try #require(token))
            let me = try await client.send(.get, "/api/v1/me", headers: bearer)
            #expect(me.status == .ok)
            let memberships = try #require(me.json["memberships"] as? [[String: Any]])
            #expect(memberships.count == 1)
            #expect(memberships.first?["kind"] as? String == "personal")
            #expect(memberships.first?["role"] as? String == "owner")
            #expect(try await client.send(.post, "/api/v1/auth/logout", headers: bearer).status == .noContent)
            let after = try await client.send(.get, "/api/v1/me", headers: bearer)
            #expect(after.status == .unauthorized)
            #expect(after.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func registrationQueuesWelcomeAndVerificationInItsOwnTransaction(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            #expect(try await client.register("ana@example.org").status == .created)
            // A refused registration (taken email) writes nothing more.
            #expect(try await client.register("ANA@example.org").status == .conflict)
            let messages = try await harness.outbox("ana@example.org")
            #expect(messages.map(\.kind) == [.welcome, .emailVerification])
            #expect(
                messages.allSatisfy { $0.messageID.hasPrefix("<") && $0.messageID.hasSuffix("@expenses.example.org>") })
            #expect(messages[0].bodyText.contains("Open your dashboard: https://expenses.example.org/\n"))
            let counts = try await harness.store.withSystem { tx in
                (
                    try await tx.executor.first("SELECT COUNT(*) AS n FROM users")!.decode("n", as: Int.self),
                    try await tx.executor.first("SELECT COUNT(*) AS n FROM outbox")!.decode("n", as: Int.self)
                )
            }
            #expect(counts == (1, 2))
        }
    }

    @Test(arguments: TestBackend.available)
    func aRolledBackRegistrationLeavesNoOutboxRow(_ backend: TestBackend) async throws {
        struct Abort: Error {}
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { _ async throws in
            let store = harness.store
            await #expect(throws: Abort.self) {
                try await store.withTenant(OrganizationID(), actor: nil) { tx in
                    try await store.outbox.enqueue(
                        tx,
                        OutboxMessage(
                            id: UUID(), messageID: "<x@example.org>", kind: .welcome, recipient: "gone@example.org",
                            subject: "s", bodyText: "t", bodyHTML: "h"
                        ),
                        at: Date()
                    )
                    throw Abort()
                }
            }
            #expect(try await harness.outbox("gone@example.org").isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func apiTokensAreListedAndRevocableByTheirOwnerOnly(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            try await client.register("bo@example.org")
            let (_, first) = try await client.login("ana@example.org")
            let (_, second) = try await client.login("ana@example.org")
            let (_, bos) = try await client.login("bo@example.org")
            let list = try await client.send(.get, "/api/v1/auth/tokens", headers: client.bearer(try #require(first)))
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.filter { $0["current"] as? Bool == true }.count == 1)
            let other = try #require(items.first { $0["current"] as? Bool == false }?["id"] as? String)
            // Bo cannot revoke Ana's token: it is not found for him.
            #expect(
                try await client.send(
                    .delete, "/api/v1/auth/tokens/\(other)", headers: client.bearer(try #require(bos))
                ).status == .notFound)
            #expect(
                try await client.send(
                    .delete, "/api/v1/auth/tokens/\(other)", headers: client.bearer(try #require(first))
                ).status == .noContent)
            #expect(
                try await client.send(.get, "/api/v1/me", headers: client.bearer(try #require(second))).status
                    == .unauthorized)
            #expect(
                try await client.send(
                    .delete, "/api/v1/auth/tokens/not-a-uuid", headers: client.bearer(try #require(first))
                ).status == .notFound)
        }
    }

    @Test(arguments: TestBackend.available)
    func logsHoldNoPasswordTokenOrLink(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        var secrets: [String] = [AccountsHarness.password, "wrong password typed", "a reset passphrase"]
        let collected = try await harness.app.test(.router) { client -> [String] in
            try await client.register("ana@example.org")
            _ = try await client.login("ana@example.org", password: "wrong password typed")
            let (_, token) = try await client.login("ana@example.org")
            let cookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let reset = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))
            let verify = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            _ = try await client.send(.get, "/password/reset?token=\(reset)")
            _ = try await client.send(
                .post, "/api/v1/auth/password/reset", json: ["token": reset, "password": "a reset passphrase"])
            return [try #require(token), String(cookie.split(separator: "=")[1]), reset, verify]
        }
        secrets += collected
        let logs = harness.logs.all
        #expect(logs.contains("path=/password/reset"))
        #expect(logs.contains("event=login_failed"))
        for secret in secrets {
            #expect(!logs.contains(secret), "a secret reached the logs")
        }
        #expect(!logs.contains("token="))
    }

    @Test("names are escaped in pages and pages carry the security headers", arguments: TestBackend.available)
    func namesAreEscapedInPagesAndPagesCarryTheSecurityHeaders(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org", name: "<script>alert(1)</script>")
            let cookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            let page = try await client.send(.get, "/dashboard", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(!page.body.contains("<script>alert(1)</script>"))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
                    && csp.contains("frame-ancestors 'none'"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[.referrerPolicy] == "same-origin")
            #expect(page.headers[.cacheControl] == "no-store")
        }
    }

    @Test(arguments: TestBackend.available)
    func thePagesRegisterSignInAndShowTheDashboard(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let form = try await client.send(.get, "/register")
            #expect(form.status == .ok)
            #expect(form.body.contains(#"<label for="email">Email</label>"#))
            let invalid = try await client.send(
                .post, "/register", form: ["name": "Ana", "email": "ana@", "password": "short"])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.body.contains(#"id="email-error""#) && invalid.body.contains(#"id="password-error""#))
            #expect(invalid.body.contains(#"value="ana@""#))  // kept
            #expect(!invalid.body.contains(#"value="short""#))  // never the password
            let created = try await client.send(
                .post, "/register",
                form: ["name": "Ana", "email": "ana@example.org", "password": AccountsHarness.password])
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/")
            let cookie = try #require(created.cookie)
            // The start page is the dashboard of the personal organization, the one there is.
            let start = try #require(try await client.send(.get, "/", headers: [.cookie: cookie]).headers[.location])
            #expect(start.hasPrefix("/orgs/") && start.hasSuffix("/dashboard"))
            let dashboard = try await client.send(.get, start, headers: [.cookie: cookie])
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.contains("Add expense"))
            #expect(dashboard.body.contains("Confirm your email address: open the link we sent you."))
            let account = try await client.send(.get, "/dashboard", headers: [.cookie: cookie])
            #expect(account.body.contains("Signed in as Ana") && account.body.contains("Personal"))
            #expect(try await client.send(.get, "/").headers[.location] == "/login")
            let missing = try await client.send(.get, "/no/such/page")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("Page not found"))
        }
    }

    @Test(arguments: TestBackend.available)
    func badBodiesGetClearFourHundreds(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let text = try await client.execute(
                uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "hi")
            ) { $0.status }
            #expect(text == .unsupportedMediaType)
            let broken = try await client.execute(
                uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(broken.0 == .badRequest)
            #expect(broken.1.contains("/problems/malformed-body"))
            let missing = try await client.send(.post, "/api/v1/auth/login", json: ["email": "a@example.org"])
            #expect(missing.status == .badRequest)
            #expect(missing.body.contains("password"))
            let huge = try await client.execute(
                uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"email\":\"" + String(repeating: "a", count: 100_000) + "\"}")
            ) { $0.status }
            #expect(huge == .contentTooLarge)
            for body in ["email=%ZZ&password=x", "email[]=a&email[x]=b", "email=a&email=b&&&=&password"] {
                let status = try await client.execute(
                    uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: body)
                ) { $0.status }
                #expect(status.code < 500, "\(body) gave \(status)")
            }
            let unknown = try await client.send(.get, "/api/v1/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
        }
    }

    @Test(arguments: TestBackend.available)
    func maintenancePurgesExpiredSessionsTokensAndWindows(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            _ = try await client.pageLogin("ana@example.org")
            _ = try await client.login("ana@example.org")
            _ = try await client.send(.post, "/api/v1/auth/password/forgot", json: ["email": "ana@example.org"])
            let maintenance = AccountMaintenance(
                store: harness.store, settings: AccountSettings(config: harness.config), clock: harness.clock.clock,
                logger: TestDatabases.logger
            )
            let early = try await maintenance.purge()
            #expect(early.sessions == 0 && early.tokens == 0 && early.accountTokens == 0 && early.rateLimits == 0)
            harness.clock.advance(by: 3 * 24 * 3600)
            let late = try await maintenance.purge()
            #expect(late.sessions == 1)
            #expect(late.tokens == 1)
            #expect(late.accountTokens == 2)  // verification and reset, both expired
            #expect(late.rateLimits >= 3)  // register, login, forgot windows
        }
    }

    @Test(arguments: TestBackend.available)
    func corsAnswersListedOriginsOnly(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.allowedOrigins = ["https://app.example.org"] }
        try await harness.run { client async throws in
            let preflight = try await client.send(
                .options, "/api/v1/me",
                headers: [.origin: "https://app.example.org", .accessControlRequestMethod: "GET"]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example.org")
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let refused = try await client.send(
                .options, "/api/v1/me", headers: [.origin: "https://evil.example", .accessControlRequestMethod: "GET"]
            )
            #expect(refused.headers[.accessControlAllowOrigin] == nil)
            // Errors carry the headers too, so the calling page can read them.
            let listed = try await client.send(.get, "/api/v1/me", headers: [.origin: "https://app.example.org"])
            #expect(listed.status == .unauthorized)
            #expect(listed.headers[.accessControlAllowOrigin] == "https://app.example.org")
            // The router's own errors too, as the same problem+json as without an Origin.
            let unknown = try await client.send(
                .get, "/api/v1/nothing-here", headers: [.origin: "https://app.example.org"])
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            #expect(unknown.headers[.accessControlAllowOrigin] == "https://app.example.org")
            let other = try await client.send(.get, "/api/v1/me", headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
