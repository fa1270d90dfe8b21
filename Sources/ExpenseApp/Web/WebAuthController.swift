import ExpenseCore
import ExpenseStore
import Hummingbird

/// The sign-in pages: log in, create account, log out.
struct WebAuthController: Sendable {
    let accounts: AccountService
    let secondFactor: SecondFactorService
    let members: MemberService
    let pages: PageRenderer
    let cookie: SessionCookie
    let pending: PendingInvitationCookie

    struct LoginForm: Decodable {
        var email: String?
        var password: String?
        var next: String?
    }

    struct CodeForm: Decodable {
        var mfaToken: String?
        var code: String?
        var next: String?

        enum CodingKeys: String, CodingKey {
            case code, next
            case mfaToken = "mfa_token"
        }
    }

    struct RegisterForm: Decodable {
        var name: String?
        var email: String?
        var password: String?
        var next: String?
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("login", use: loginPage)
        router.post("login", use: login)
        router.post("login/code", use: loginCode)
        router.get("register", use: registerPage)
        router.post("register", use: register)
        router.post("logout", use: logout)
    }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = LocalRedirect.path(request.uri.queryParameters["next"].map(String.init)) ?? ""
        if context.identity != nil { return .redirect(to: next.isEmpty ? "/" : next, type: .normal) }
        let notice = Notice.text(request)
        // After a password reset the form comes back with the account's address filled in.
        let email = request.uri.queryParameters["email"].map(String.init) ?? ""
        return try pages.render(.login, LoginPage(notice: notice, email: email, next: next))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(LoginForm.self, from: request, context: context)
        let email = form.email ?? ""
        let next = LocalRedirect.path(form.next) ?? ""
        do {
            let user = try await accounts.authenticate(
                email: email, password: form.password ?? "", client: context.client)
            // The password alone does not sign in an account that also takes a code: the next
            // page asks for it, carrying the sign-in in a five-minute challenge.
            if user.secondFactorEnabled {
                let challenge = try await secondFactor.challenge(for: user)
                return try pages.render(.loginCode, LoginCodePage(mfaToken: challenge, next: next))
            }
            return try await signIn(user, next: next)
        } catch AppError.invalidCredentials {
            let page = LoginPage(failure: AppError.invalidCredentials.detail, email: email, next: next)
            return try pages.render(.login, page, status: .unauthorized)
        } catch let error as AppError {
            guard case .rateLimited(let seconds) = error else { throw error }
            var response = try pages.render(
                .login, LoginPage(failure: error.detail, email: email, next: next), status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    /// The second step: a code from the authenticator app, or a recovery code.
    @Sendable func loginCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(CodeForm.self, from: request, context: context)
        let next = LocalRedirect.path(form.next) ?? ""
        let token = form.mfaToken ?? ""
        do {
            let user = try await secondFactor.complete(challenge: token, code: form.code ?? "", client: context.client)
            return try await signIn(user, next: next)
        } catch AppError.invalidSecondFactor(let reason) {
            // A sign-in that ended (expired, or too many wrong codes) starts again from the password.
            let ended = reason.hasSuffix(SecondFactorService.signInEnded)
            let page = LoginCodePage(failure: reason, mfaToken: ended ? "" : token, next: next, ended: ended)
            return try pages.render(.loginCode, page, status: .unauthorized)
        } catch AppError.rateLimited(let seconds) {
            let failure = AppError.rateLimited(retryAfter: seconds).detail
            var response = try pages.render(
                .loginCode, LoginCodePage(failure: failure, mfaToken: token, next: next), status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    @Sendable func registerPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = LocalRedirect.path(request.uri.queryParameters["next"].map(String.init)) ?? ""
        if context.identity != nil { return .redirect(to: next.isEmpty ? "/" : next, type: .normal) }
        let email = request.uri.queryParameters["email"].map(String.init) ?? ""
        return try pages.render(.register, RegisterPage(email: email, next: next))
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RegisterForm.self, from: request, context: context)
        let next = LocalRedirect.path(form.next) ?? ""
        var page = RegisterPage(name: form.name ?? "", email: form.email ?? "", next: next)
        do {
            let user = try await accounts.register(
                .init(
                    email: form.email ?? "", password: form.password ?? "", name: form.name ?? "",
                    emailProven: try await invitationProves(email: form.email ?? "", request: request)),
                client: context.client
            )
            return try await signIn(user, next: next)
        } catch AppError.validation(let error) {
            page.nameError = error.message(for: "name")
            page.emailError = error.message(for: "email")
            page.passwordError = error.message(for: "password")
            page.failure = "Some fields need attention."
            return try pages.render(.register, page, status: .unprocessableContent)
        } catch AppError.emailTaken {
            page.emailError = AppError.emailTaken.detail
            return try pages.render(.register, page, status: .conflict)
        }
    }

    /// Whether the invitation waiting in this browser (see `PendingInvitationCookie`) is open and
    /// addressed to `email`: then the person registering received it there.
    private func invitationProves(email: String, request: Request) async throws -> Bool {
        guard let token = request.cookies[pending.name]?.value, let address = try? EmailAddress(email) else {
            return false
        }
        do {
            return try await members.preview(token: token).invitation.email == address.value
        } catch is AppError {
            return false
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let identity = context.identity { try await accounts.signOut(identity) }
        var response = Response.seeOther("/login?notice=\(Notice.signedOut.rawValue)")
        response.setCookie(cookie.expired())
        return response
    }

    /// A new session (a new id, so a planted one is never adopted), then the dashboard.
    private func signIn(_ user: User, next: String) async throws -> Response {
        let started = try await accounts.startSession(for: user)
        var response = Response.seeOther(next.isEmpty ? "/" : next)
        response.setCookie(cookie.cookie(value: started.cookie))
        return response
    }
}
