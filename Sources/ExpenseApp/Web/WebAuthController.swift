import ExpenseCore
import ExpenseStore
import Hummingbird

/// The sign-in pages: log in, create account, log out.
struct WebAuthController: Sendable {
    let accounts: AccountService
    let pages: PageRenderer
    let cookie: SessionCookie

    struct LoginForm: Decodable {
        var email: String?
        var password: String?
    }

    struct RegisterForm: Decodable {
        var name: String?
        var email: String?
        var password: String?
    }

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("login", use: loginPage)
        router.post("login", use: login)
        router.get("register", use: registerPage)
        router.post("register", use: register)
        router.post("logout", use: logout)
    }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: "/dashboard", type: .normal) }
        let notice = request.uri.queryParameters["notice"].flatMap { Notice(rawValue: String($0)) }?.text
        return pages.render("login", LoginPage(notice: notice))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(LoginForm.self, from: request, context: context)
        let email = form.email ?? ""
        do {
            let user = try await accounts.authenticate(
                email: email, password: form.password ?? "", clientIP: context.clientIP)
            return try await signIn(user)
        } catch AppError.invalidCredentials {
            return pages.render(
                "login", LoginPage(failure: AppError.invalidCredentials.detail, email: email), status: .unauthorized)
        } catch let error as AppError {
            guard case .rateLimited(let seconds) = error else { throw error }
            var response = pages.render(
                "login", LoginPage(failure: error.detail, email: email), status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    @Sendable func registerPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: "/dashboard", type: .normal) }
        return pages.render("register", RegisterPage())
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RegisterForm.self, from: request, context: context)
        var page = RegisterPage(name: form.name ?? "", email: form.email ?? "")
        do {
            let user = try await accounts.register(
                .init(email: form.email ?? "", password: form.password ?? "", name: form.name ?? ""),
                clientIP: context.clientIP
            )
            return try await signIn(user)
        } catch AppError.validation(let error) {
            page.nameError = error.message(for: "name")
            page.emailError = error.message(for: "email")
            page.passwordError = error.message(for: "password")
            page.failure = "Some fields need attention."
            return pages.render("register", page, status: .unprocessableContent)
        } catch AppError.emailTaken {
            page.emailError = AppError.emailTaken.detail
            return pages.render("register", page, status: .conflict)
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let identity = context.identity { try await accounts.signOut(identity) }
        var response = Response.redirect(to: "/login?notice=\(Notice.signedOut.rawValue)", type: .found)
        response.status = .seeOther
        response.setCookie(cookie.expired())
        return response
    }

    /// A new session (new id: no fixation, SECURITY S7), then the dashboard.
    private func signIn(_ user: User) async throws -> Response {
        let started = try await accounts.startSession(for: user)
        var response = Response.redirect(to: "/dashboard", type: .found)
        response.status = .seeOther
        response.setCookie(cookie.cookie(value: started.cookie))
        return response
    }
}
