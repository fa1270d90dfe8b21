import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Finds which methods a path answers to, so that a request with the wrong method gets 405 with
/// `Allow` instead of Hummingbird's 404.
///
/// Hummingbird's router does not expose its routes, so the finder asks the router itself: it
/// replays the path with each method through the built responder, marked as a probe. The first
/// middleware of every chain (`RouteProbeMiddleware`) ends a probe at once, before any other
/// middleware or handler runs, and reports whether the router had matched a route (it names the
/// route's path in `endpointPath` before it calls the chain; for no match it leaves it empty).
final class AllowedMethodsFinder: Sendable {
    private let responder = NIOLockedValueBox<RouterResponder<AppRequestContext>?>(nil)
    static let candidates: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]

    /// Called once every route is registered.
    func use(_ router: Router<AppRequestContext>) {
        let built = router.buildResponder()
        responder.withLockedValue { $0 = built }
    }

    func allowedMethods(path: String, context: AppRequestContext) async -> [HTTPRequest.Method] {
        guard let responder = responder.withLockedValue({ $0 }) else { return [] }
        var allowed: [HTTPRequest.Method] = []
        for method in Self.candidates {
            var probe = context
            probe.isRouteProbe = true
            probe.coreContext.endpointPath = EndpointPath()
            let request = Request(
                head: HTTPRequest(method: method, scheme: nil, authority: nil, path: path),
                body: RequestBody(buffer: ByteBuffer()))
            do {
                _ = try await responder.respond(to: request, context: probe)
            } catch RouteProbeResult.matched {
                allowed.append(method)
            } catch {
                continue
            }
        }
        // Every GET route answers HEAD too (the router generates them).
        if let get = allowed.firstIndex(of: .get) { allowed.insert(.head, at: get + 1) }
        return allowed
    }
}

enum RouteProbeResult: Error {
    case matched
    case unmatched
}

/// Must be the router's first middleware: ends probes before anything else runs.
struct RouteProbeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard context.isRouteProbe else { return try await next(request, context) }
        throw context.endpointPath == nil ? RouteProbeResult.unmatched : RouteProbeResult.matched
    }
}
