import Hummingbird

/// After a browser changes something (any request other than GET, HEAD or OPTIONS answered
/// below 400), it reads the primary for the standby's tolerated lag: a short-lived cookie says
/// so, and `ReadReplica.forRequest` honours it. The list a form redirects to after "Save" then
/// always holds what was saved, whichever server answers it.
///
/// Installed only when a standby is configured. API clients that need their own write in the
/// next list send `Cache-Control: no-cache` instead (README, "Reading from a standby").
struct ReadYourWrites: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "read_primary"
    let window: Duration
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        guard ![.get, .head, .options].contains(request.method), response.status.code < 400 else { return response }
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: "1", maxAge: Int(window.components.seconds) + 1, path: "/",
                secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }
}
