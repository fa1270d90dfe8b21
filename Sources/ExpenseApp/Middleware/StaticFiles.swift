import Hummingbird

/// Serves `/static/...` with Hummingbird's `FileMiddleware`, and stays out of every other
/// request. Left global, `FileMiddleware` also looks at the misses of other routes, and answers
/// 400 to any such path holding "..", so `/api/v1/orgs/0..0/expenses` said "bad request"
/// where it means "not found".
struct StaticFiles<Files: RouterMiddleware>: RouterMiddleware where Files.Context == AppRequestContext {
    typealias Context = AppRequestContext
    let prefix: String
    let files: Files

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path.hasPrefix(prefix + "/") else { return try await next(request, context) }
        return try await files.handle(request, context: context, next: next)
    }
}
