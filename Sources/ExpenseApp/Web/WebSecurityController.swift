import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `/settings/security`: turning two-factor sign-in on (a QR code to scan, a first code, ten
/// recovery codes shown once) and off, and the account's API tokens: personal access tokens
/// made here (the secret shown once), every token with its last use, and revoking them.
struct WebSecurityController: Sendable {
    let accounts: AccountService
    let secondFactor: SecondFactorService
    let organizations: OrganizationService
    let pages: PageRenderer
    let clock: AppClock

    struct CodeForm: Decodable { var code: String? }

    struct TokenForm: Decodable {
        var name: String?
        var access: String?
        var organization: String?
        var days: String?
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("settings/security", use: show)
        router.post("settings/security/totp", use: begin)
        router.post("settings/security/totp/confirm", use: confirm)
        router.post("settings/security/totp/disable", use: disable)
        router.post("settings/security/tokens", use: createToken)
        router.post("settings/security/tokens/:id/revoke", use: revokeToken)
    }

    /// The page for the signed-in person; `change` fills in what the request just did.
    func page(_ identity: AccountIdentity, _ change: (inout SecurityPage) -> Void = { _ in }) async throws
        -> SecurityPage?
    {
        guard let account = try await LayoutAccount.load(identity, organizations: organizations) else { return nil }
        let (user, memberships) = try await accounts.profile(of: identity.user.id)
        let choices = memberships.map { SecurityPage.OrganizationChoice(id: $0.0.id.description, name: $0.0.name) }
        var page = SecurityPage(account: account, csrf: account.csrf)
        page.enabled = user.secondFactorEnabled
        if user.secondFactorEnabled {
            page.recoveryLeft = try await secondFactor.recoveryCodesLeft(identity)
        } else if let pending = try await secondFactor.pending(identity) {
            page.enrolment = .init(
                qr: try QRCode(pending.uri).svg(label: "QR code to scan with your authenticator app"),
                secret: pending.secret)
        }
        page.organizations = choices
        page.tokens = SecurityPage.rows(try await accounts.tokens(of: user.id), organizations: choices)
        page.hasTokens = !page.tokens.isEmpty
        change(&page)
        return page
    }

    func render(_ page: SecurityPage?, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let page else { return .redirect(to: "/login", type: .normal) }
        var response = try pages.render(.security, page, status: status)
        // Secrets (a recovery code, a token) may be on it: never kept by a cache.
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else {
            return .redirect(to: "/login?next=/settings/security", type: .normal)
        }
        let required = request.uri.queryParameters["required"] != nil
        return try render(
            try await page(identity) { page in
                page.notice = Notice.text(request)
                page.required = required && !page.enabled
            })
    }

    @Sendable func begin(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        do {
            _ = try await secondFactor.begin(identity)
        } catch AppError.conflict(let reason) {
            return try render(try await page(identity) { $0.failure = reason }, status: .conflict)
        }
        return .seeOther("/settings/security")
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        let form = try await FormBody.decode(CodeForm.self, from: request, context: context)
        do {
            let codes = try await secondFactor.confirm(identity, code: form.code ?? "")
            var confirmed = identity
            confirmed.user.secondFactorEnabled = true
            return try render(
                try await page(confirmed) { page in
                    page.recoveryCodes = codes
                    page.showRecoveryCodes = true
                    page.notice = "Two-factor sign-in is on. Keep your recovery codes somewhere safe."
                })
        } catch AppError.validation(let error) {
            return try render(
                try await page(identity) { $0.codeError = error.message(for: "code") }, status: .unprocessableContent)
        } catch AppError.conflict(let reason) {
            return try render(try await page(identity) { $0.failure = reason }, status: .conflict)
        }
    }

    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        let form = try await FormBody.decode(CodeForm.self, from: request, context: context)
        do {
            try await secondFactor.disable(identity, code: form.code ?? "")
        } catch AppError.validation(let error) {
            return try render(
                try await page(identity) { $0.codeError = error.message(for: "code") }, status: .unprocessableContent)
        } catch AppError.conflict(let reason) {
            return try render(try await page(identity) { $0.failure = reason }, status: .conflict)
        }
        return .seeOther("/settings/security?notice=\(Notice.secondFactorOff.rawValue)")
    }

    @Sendable func createToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        let form = try await FormBody.decode(TokenForm.self, from: request, context: context)
        let days = Int(form.days ?? "") ?? 90
        let organization = form.organization.flatMap { $0.isEmpty ? nil : $0 }
        let request = PersonalTokenRequest(
            name: form.name ?? "", scopes: form.access == "write" ? ["read", "write"] : ["read"],
            organizationID: organization, expiresAt: clock.now().addingTimeInterval(TimeInterval(days) * 86_400))
        do {
            let created = try await accounts.createPersonalToken(request, by: identity)
            return try render(
                try await page(identity) { page in
                    page.newToken = created.token
                    page.notice = "Token created. Copy it now: it is not shown again."
                })
        } catch AppError.validation(let error) {
            let message = error.fields.map(\.message).joined(separator: " ")
            return try render(
                try await page(identity) { page in
                    page.tokenNameError = message
                    page.tokenName = form.name ?? ""
                }, status: .unprocessableContent)
        } catch AppError.conflict(let reason) {
            return try render(try await page(identity) { $0.failure = reason }, status: .conflict)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        let id = try context.parameters.uuid("id")
        try await accounts.revokeToken(id, of: identity.user.id)
        return .seeOther("/settings/security?notice=\(Notice.tokenRevoked.rawValue)")
    }
}
