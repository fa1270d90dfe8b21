import Hummingbird
import HummingbirdAuth

/// The session cookie's name: `__Host-session` over HTTPS (bound to this exact host, Secure,
/// Path=/), plain `session` on a development http:// address where Secure cookies would be lost.
struct SessionCookie: Sendable {
    let secure: Bool
    let idleLifetime: Int

    var name: String { secure ? "__Host-session" : "session" }

    /// The cookie that carries a new session (HttpOnly, SameSite=Lax, Path=/).
    func cookie(value: String) -> Cookie {
        Cookie(name: name, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The cookie that removes it.
    func expired() -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

/// Finds the signed-in user of a page request from the session cookie. API routes never use it:
/// a cookie alone authorizes no API call.
struct SessionAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountService
    let cookie: SessionCookie

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let value = request.cookies[cookie.name]?.value {
            context.identity = try await accounts.identity(sessionCookie: value)
        }
        return try await next(request, context)
    }
}

/// Finds the caller of an API request from `Authorization: Bearer <token>`.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let bearer = request.headers.bearer {
            context.identity = try await accounts.identity(bearerToken: bearer.token)
        }
        return try await next(request, context)
    }
}

/// Refuses API requests without a valid bearer token: 401 with `WWW-Authenticate: Bearer`.
/// A personal access token is held to its scopes here: a read token changes nothing, and a
/// token limited to one organization changes nothing outside it (it may still read the account
/// and sign itself out).
struct RequireBearer: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let identity = context.identity else { throw AppError.unauthenticated }
        let isWrite = TenantRequest.isWrite(request)
        if identity.personalToken != nil, isWrite, request.uri.path != "/api/v1/auth/logout" {
            try identity.requireScope(forWrite: isWrite)
            if identity.limitedOrganization != nil {
                throw AppError.insufficientScope(
                    "This token is limited to one organization: it changes nothing outside that organization.")
            }
        }
        return try await next(request, context)
    }
}
