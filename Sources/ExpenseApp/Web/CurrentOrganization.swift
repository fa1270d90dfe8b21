import ExpenseCore
import Hummingbird

/// Remembers the organization a person last opened, so `/` brings them back to it. The cookie
/// holds only an organization id and grants nothing: `/` checks membership before using it.
struct CurrentOrganization: RouterMiddleware {
    typealias Context = OrgRequestContext
    static let cookieName = "org"
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        let id = context.access.tenantID.description
        if request.method == .get, response.status == .ok, request.cookies[Self.cookieName]?.value != id {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: id, maxAge: 365 * 24 * 3600, path: "/", secure: secure,
                    httpOnly: true, sameSite: .lax))
        }
        return response
    }
}
