import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// The reset page as a person meets it: a link that no longer works says so on opening, and
/// after a reset the login form has the address filled in.
@Suite struct PasswordResetPageTests {
    @Test(arguments: TestBackend.available)
    func aUsedLinkSaysSoAtOnceAndTheLoginFormKnowsTheAddress(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let asked = try await client.send(.post, "/password/forgot", form: ["email": "ana@example.org"])
            #expect(asked.status == .ok)
            let token = try #require(try await harness.token(sentTo: "ana@example.org", kind: .passwordReset))

            let open = try await client.send(.get, "/password/reset?token=\(token)")
            #expect(open.status == .ok && open.body.contains(#"name="password""#))
            #expect(open.headers[.referrerPolicy] == "no-referrer")
            let reset = try await client.send(
                .post, "/password/reset", form: ["token": token, "password": "a brand new passphrase"],
                headers: [.origin: "null"])
            #expect(reset.status == .seeOther)
            let login = try #require(reset.headers[.location])
            #expect(login == "/login?email=ana%40example.org&notice=password-reset")
            let loginPage = try await client.send(.get, login)
            #expect(loginPage.status == .ok && loginPage.body.contains(#"value="ana@example.org""#))
            #expect(loginPage.body.contains("Your password was changed"))

            for link in ["/password/reset?token=\(token)", "/password/reset?token=made-up", "/password/reset"] {
                let used = try await client.send(.get, link)
                #expect(used.status == .badRequest, "\(link)")
                #expect(used.body.contains("already used or has expired"), "\(link)")
                #expect(!used.body.contains(#"name="password""#), "\(link)")
                #expect(used.body.contains(#"href="/password/forgot""#), "\(link)")
                #expect(used.headers[.referrerPolicy] == "no-referrer", "\(link)")
            }
        }
    }

    /// A confirmation link replaced by a newer one (or used, or made up) says so on opening,
    /// before anyone clicks "Confirm"; the newest link offers the button.
    @Test(arguments: TestBackend.available)
    func aReplacedConfirmationLinkSaysSoAtOnce(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let first = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            let cookie = try #require(try await client.pageLogin("ana@example.org").cookie)
            let page = try await client.send(.get, "/verify?token=\(first)", headers: [.cookie: cookie])
            #expect(page.status == .ok && page.body.contains("Confirm my email address"))
            let csrf = try #require(SessionSecurityTests.csrfToken(in: page.body))
            let resent = try await client.send(
                .post, "/verify/resend", form: ["_csrf": csrf], headers: [.cookie: cookie, .origin: "null"])
            #expect(resent.status == .seeOther)
            let newest = try #require(try await harness.token(sentTo: "ana@example.org", kind: .emailVerification))
            #expect(newest != first)

            for link in ["/verify?token=\(first)", "/verify?token=made-up", "/verify"] {
                let stale = try await client.send(.get, link, headers: [.cookie: cookie])
                #expect(stale.status == .badRequest, "\(link)")
                #expect(stale.body.contains("replaced by a newer one"), "\(link)")
                #expect(!stale.body.contains("Confirm my email address"), "\(link)")
                #expect(stale.headers[.referrerPolicy] == "no-referrer", "\(link)")
            }
            let live = try await client.send(.get, "/verify?token=\(newest)", headers: [.cookie: cookie])
            #expect(live.status == .ok && live.body.contains("Confirm my email address"))
        }
    }
}
