import HTTPTypes
import Hummingbird

/// Headers every response carries: a Content-Security-Policy that allows no inline script and
/// no framing (Hummingbird's `ContentSecurityMiddleware`, which also sets
/// `X-Content-Type-Options: nosniff`), plus a referrer policy.
enum SecurityHeaders {
    static func middleware() -> ContentSecurityMiddleware<AppRequestContext> {
        ContentSecurityMiddleware(
            contentSecurityPolicy: [
                .defaultSrc(.self),
                .scriptSrc(.self),
                .styleSrc(.self),
                .imgSrc(.self),
                .objectSrc(.none),
                .baseURI(.none),
                .formAction(.self),
                .frameAncestors(.none),
            ]
        )
    }
}

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

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
