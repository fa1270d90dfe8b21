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

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
