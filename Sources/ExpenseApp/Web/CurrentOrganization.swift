import ExpenseCore
import Hummingbird

/// Remembers the organization a person last opened, so `/` brings them back to it: on the
/// account, for the next sign-in anywhere (in the request's own transaction; the row is written
/// only when it changes), and in a cookie for this browser. Neither grants anything: `/` checks
/// membership before using them.
struct CurrentOrganization: RouterMiddleware {
    typealias Context = OrgRequestContext
    static let cookieName = "org"
    let secure: Bool
    let organizations: OrganizationService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        let id = context.access.tenantID.description
        guard request.method == .get, response.status == .ok else { return response }
        try await organizations.recordWorkingIn(context.access)
        if request.cookies[Self.cookieName]?.value != id {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: id, maxAge: 365 * 24 * 3600, path: "/", secure: secure,
                    httpOnly: true, sameSite: .lax))
        }
        return response
    }
}
