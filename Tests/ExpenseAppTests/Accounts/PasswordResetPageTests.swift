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
}
