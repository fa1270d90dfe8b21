import Foundation
import HTTPTypes
import Hummingbird

/// Sets the client address used by per-address rate limits.
///
/// Behind a reverse proxy every connection comes from the proxy, so one person's failures would
/// throttle everyone. When the peer is one of `TRUSTED_PROXIES`, the address is taken from
/// `X-Forwarded-For` instead: the rightmost entry that is not itself a trusted proxy (entries to
/// its left were written by the client and prove nothing).
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard trustedProxies.contains(context.clientIP) else { return try await next(request, context) }
        let hops = request.headers[values: .xForwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let client = hops.last(where: { !trustedProxies.contains($0) }), AppConfig.isIPAddress(client) else {
            return try await next(request, context)
        }
        var context = context
        context.clientIP = client
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
