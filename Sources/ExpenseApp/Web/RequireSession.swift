import Foundation
import Hummingbird

/// Sends a visitor who is not signed in to the login page, to come back afterwards.
struct RequireSession: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard context.identity != nil else {
            let back = request.method == .get ? request.uri.path : "/"
            return .redirect(
                to: "/login?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
                type: .normal)
        }
        return try await next(request, context)
    }
}
