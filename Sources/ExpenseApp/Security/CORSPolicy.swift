import HTTPTypes
import Hummingbird

/// CORS for the JSON API, from `ALLOWED_ORIGINS`.
///
/// Written here rather than with Hummingbird's `CORSMiddleware` because its list form
/// (`.oneOf(_:)`) takes a variadic list fixed in code, not the configured array. Only listed
/// origins are answered; credentials are allowed only for them (the API itself authenticates
/// with bearer tokens, never cookies).
struct CORSPolicy: RouterMiddleware {
    typealias Context = AppRequestContext
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path.hasPrefix("/api/"), let origin = request.headers[.origin] else {
            return try await next(request, context)
        }
        let allowed = allowedOrigins.contains(origin.lowercased())
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: allowed ? .noContent : .forbidden)
            if allowed {
                response.headers[.accessControlAllowOrigin] = origin
                response.headers[.accessControlAllowMethods] = "GET, POST, PATCH, DELETE, OPTIONS"
                response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-Match, X-Request-ID"
                response.headers[.accessControlAllowCredentials] = "true"
                response.headers[.accessControlMaxAge] = "600"
            }
            response.headers[.vary] = "Origin"
            return response
        }
        // Errors are answered by ErrorRenderingMiddleware, below this one, so they carry the CORS
        // headers too, or the calling page could not read them.
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            response.headers[.accessControlExposeHeaders] = "ETag, Location, Retry-After, X-Request-ID"
        }
        response.headers[.vary] = "Origin"
        return response
    }
}
