import ExpenseCore
import ExpenseStore
import Hummingbird

/// The start page, the dashboard (a placeholder until expenses arrive) and email verification.
struct WebAccountController: Sendable {
    let accounts: AccountService
    let organizations: OrganizationService
    let pages: PageRenderer

    struct TokenForm: Decodable { var token: String? }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("", use: home)
        router.get("dashboard", use: dashboard)
        router.get("verify", use: verifyPage)
        router.post("verify", use: verify)
        router.post("verify/resend", use: resend)
    }

    /// Signed in: the dashboard; otherwise the login page.
    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        .redirect(to: context.identity == nil ? "/login" : "/dashboard", type: .normal)
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity,
            let account = try await LayoutAccount.load(identity, organizations: organizations)
        else {
            return .redirect(to: "/login", type: .normal)
        }
        let (user, memberships) = try await accounts.profile(of: identity.user.id)
        let notice = request.uri.queryParameters["notice"].flatMap { Notice(rawValue: String($0)) }?.text
        return pages.render(
            "dashboard",
            DashboardPage(
                account: account,
                notice: notice,
                name: user.name,
                csrf: account.csrf,
                unverified: user.emailVerifiedAt == nil,
                organizations: memberships.map { .init(id: $0.0.id.description, name: $0.0.name, role: $0.1.rawValue) }
            )
        )
    }

    /// Shows a button; confirming is a POST, since a GET never changes anything (SECURITY S10).
    @Sendable func verifyPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init)
        var response = pages.render("verify", VerifyPage(account: LayoutAccount(context.identity), token: token))
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(TokenForm.self, from: request, context: context)
        try await accounts.verifyEmail(token: form.token ?? "")
        return .seeOther(
            (context.identity == nil ? "/login" : "/dashboard") + "?notice=\(Notice.emailVerified.rawValue)")
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        try await accounts.resendVerification(to: identity.user)
        return .seeOther("/dashboard?notice=\(Notice.verificationSent.rawValue)")
    }
}
