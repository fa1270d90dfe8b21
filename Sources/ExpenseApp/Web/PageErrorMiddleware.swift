import ExpenseCore
import ExpenseStore
import Hummingbird

/// Renders every failure in the format its caller reads: problem+json under `/api/`, an HTML
/// page elsewhere. Unknown routes, wrong methods and oversized bodies included.
struct ErrorRenderingMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer
    let allowedMethods: AllowedMethodsFinder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let isAPI = request.uri.path.hasPrefix("/api/")
        do {
            return try await next(request, context)
        } catch let error as AppError {
            return isAPI ? try error.response(from: request, context: context) : page(for: error, context: context)
        } catch let thrown as any HTTPResponseError {
            // Hummingbird's own errors (HTTPError, and NIO's too-many-bytes for a body over the
            // limit) are answered in the caller's format like the rest.
            var error = thrown as? HTTPError ?? HTTPError(thrown.status)
            // No route for this method: 405 with the methods the path has, if it has any.
            if error.status == .notFound, context.endpointPath == "NotFound" {
                let allowed = await allowedMethods.allowedMethods(path: request.uri.path, context: context)
                if !allowed.isEmpty {
                    error = HTTPError(
                        .methodNotAllowed, headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
                }
            }
            if isAPI {
                let problem = Problem(
                    type: "/problems/http-\(error.status.code)",
                    title: error.status.reasonPhrase,
                    status: error.status.code,
                    detail: Self.detail(for: error.status)
                )
                var response = ProblemResponse.make(problem)
                response.headers.append(contentsOf: error.headers)
                return response
            }
            let status = error.status
            var response = pages.render(
                "message",
                MessagePage(
                    title: status.reasonPhrase,
                    account: LayoutAccount(context.identity),
                    heading: status == .notFound ? "Page not found" : status.reasonPhrase,
                    body: Self.detail(for: status),
                    link: .init(href: "/", label: "Go to the start page")
                ),
                status: status
            )
            response.headers.append(contentsOf: error.headers)
            return response
        }
    }

    private func page(for error: AppError, context: Context) -> Response {
        var response = pages.render(
            "message",
            MessagePage(
                title: error.title,
                account: LayoutAccount(context.identity),
                heading: error.title,
                body: error == .unsupportedMediaType
                    ? "Send the form as a web page would (application/x-www-form-urlencoded)." : error.detail,
                link: .init(href: "/", label: "Go to the start page")
            ),
            status: error.status
        )
        if case .rateLimited(let seconds) = error { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    static func detail(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "There is nothing at this address. Check the link, or start again from the start page."
        case .methodNotAllowed: "This address does not accept that method."
        case .contentTooLarge: "The request body is larger than this server accepts."
        case .badRequest: "The request could not be read."
        default: "The request could not be completed."
        }
    }
}
