import HTTPTypes
import Hummingbird

/// `Referrer-Policy` on every response: `same-origin` by default, so links out of the site
/// carry no path; pages opened from emailed links (which hold a token in their URL) send
/// `no-referrer` instead.
struct ReferrerPolicyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        if response.headers[.referrerPolicy] == nil {
            response.headers[.referrerPolicy] = "same-origin"
        }
        return response
    }
}
