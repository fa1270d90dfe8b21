import ExpenseCore
import ExpenseStore
import Hummingbird

/// Confirming an email address from its emailed link, and asking for a new link.
struct WebVerificationController: Sendable {
    let accounts: AccountService
    let pages: PageRenderer

    struct TokenForm: Decodable { var token: String? }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("verify", use: verifyPage)
        router.post("verify", use: verify)
        router.post("verify/resend", use: resend)
    }

    /// Shows a button; confirming is a POST, since a GET never changes anything.
    @Sendable func verifyPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init)
        var response =
            if try await accounts.verificationLinkIsLive(token: token ?? "") {
                try pages.render(.verify, VerifyPage(account: LayoutAccount(context.identity), token: token))
            } else {
                try pages.render(
                    .message,
                    MessagePage.deadLink(
                        account: LayoutAccount(context.identity),
                        body: "This confirmation link was already used, replaced by a newer one or has expired. "
                            + "Use the newest link we sent, or ask for another once you are logged in.",
                        link: context.identity == nil
                            ? .init(href: "/login", label: "Log in")
                            : .init(href: "/", label: "Back to your organization")),
                    status: AppError.invalidToken.status)
            }
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(TokenForm.self, from: request, context: context)
        try await accounts.verifyEmail(token: form.token ?? "")
        return .seeOther((context.identity == nil ? "/login" : "/") + "?notice=\(Notice.emailVerified.rawValue)")
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        try await accounts.resendVerification(to: identity.user)
        return .seeOther("/?notice=\(Notice.verificationSent.rawValue)")
    }
}
