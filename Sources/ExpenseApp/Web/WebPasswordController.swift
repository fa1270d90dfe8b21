import ExpenseCore
import ExpenseStore
import Hummingbird

/// Forgot, reset and change password pages.
struct WebPasswordController: Sendable {
    let accounts: AccountService
    let pages: PageRenderer

    struct ForgotForm: Decodable { var email: String? }
    struct ResetForm: Decodable {
        var token: String?
        var password: String?
    }
    struct ChangeForm: Decodable {
        var currentPassword: String?
        var newPassword: String?

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("password/forgot", use: forgotPage)
        router.post("password/forgot", use: forgot)
        router.get("password/reset", use: resetPage)
        router.post("password/reset", use: reset)
        router.get("settings/password", use: changePage)
        router.post("settings/password", use: change)
    }

    @Sendable func forgotPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try pages.render(.forgot, ForgotPage(account: LayoutAccount(context.identity)))
    }

    /// The same page whatever the email.
    @Sendable func forgot(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(ForgotForm.self, from: request, context: context)
        do {
            try await accounts.requestPasswordReset(email: form.email ?? "", client: context.client)
        } catch AppError.validation(let error) {
            let page = ForgotPage(
                account: LayoutAccount(context.identity), failure: error.message(for: "email"), email: form.email ?? "")
            return try pages.render(.forgot, page, status: .unprocessableContent)
        }
        return try pages.render(
            .message,
            MessagePage(
                title: "Check your email",
                account: LayoutAccount(context.identity),
                heading: "Check your email",
                body:
                    "If an account exists for that email, a link to reset its password is on its way. It works once, for one hour.",
                link: .init(href: "/login", label: "Back to log in")
            )
        )
    }

    /// The page an emailed link opens: its URL holds the token, so it sends no referrer. A link
    /// that no longer works says so at once, not after a new password is typed.
    @Sendable func resetPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        var response =
            if try await accounts.resetLinkIsLive(token: token) {
                try pages.render(.reset, ResetPage(token: token))
            } else {
                try pages.render(
                    .message,
                    MessagePage.deadLink(
                        account: LayoutAccount(context.identity),
                        body: "This reset link was already used or has expired: each link works once, for one hour.",
                        link: .init(href: "/password/forgot", label: "Send me a new link")),
                    status: AppError.invalidToken.status)
            }
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(ResetForm.self, from: request, context: context)
        let token = form.token ?? ""
        do {
            let email = try await accounts.resetPassword(
                token: token, newPassword: form.password ?? "", client: context.client)
            return .seeOther("/login?" + QueryString.encode(["notice": Notice.passwordReset.rawValue, "email": email]))
        } catch AppError.validation(let error) {
            var response = try pages.render(
                .reset, ResetPage(token: token, passwordError: error.message(for: "password")),
                status: .unprocessableContent
            )
            response.headers[.referrerPolicy] = "no-referrer"
            return response
        }
    }

    @Sendable func changePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let account = LayoutAccount(context.identity) else { return .redirect(to: "/login", type: .normal) }
        return try pages.render(.changePassword, ChangePasswordPage(account: account, csrf: account.csrf))
    }

    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, let account = LayoutAccount(identity) else {
            return .redirect(to: "/login", type: .normal)
        }
        let form = try await FormBody.decode(ChangeForm.self, from: request, context: context)
        do {
            try await accounts.changePassword(
                of: identity, current: form.currentPassword ?? "", new: form.newPassword ?? "")
        } catch AppError.validation(let error) {
            return try pages.render(
                .changePassword,
                ChangePasswordPage(
                    account: account, failure: "Some fields need attention.", csrf: account.csrf,
                    currentError: error.message(for: "current_password"), newError: error.message(for: "new_password")
                ),
                status: .unprocessableContent
            )
        }
        return .seeOther("/dashboard?notice=\(Notice.passwordChanged.rawValue)")
    }
}
