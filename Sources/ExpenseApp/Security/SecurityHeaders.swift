import HTTPTypes
import Hummingbird

/// Headers every response carries: a Content-Security-Policy that allows no inline script and
/// no framing, `X-Content-Type-Options: nosniff`, and (in `ReferrerPolicyMiddleware`) a referrer
/// policy. A response that set its own policy keeps it: a receipt is served with
/// `default-src 'none'`, which must not be joined by the pages' policy.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = AppRequestContext

    static let pagePolicy: ContentSecurityPolicy = [
        .defaultSrc(.self),
        .scriptSrc(.self),
        .styleSrc(.self),
        .imgSrc(.self),
        .objectSrc(.none),
        .baseURI(.none),
        .formAction(.self),
        .frameAncestors(.none),
    ]
    /// The policy of a served file: it may load nothing, run nothing and be framed by no one.
    static let filePolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

    private let policy = pagePolicy.description

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = policy }
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
