import ExpenseCore
import ExpenseStore
import HTTPTypes
import Hummingbird
import Logging

/// The one place a thrown error becomes a response, in the format its caller reads:
/// problem+json (RFC 9457) under `/api/`, an HTML page elsewhere (plain text if that page cannot
/// be rendered). Nothing below it builds an error response and nothing above it sees an error.
///
/// - `AppError`: its status, problem type and text.
/// - Hummingbird's own errors (`HTTPError`, and NIO's too-many-bytes for a body over the limit):
///   their status; an unknown route whose path answers other methods is 405 with `Allow`.
/// - A database that is busy, lost a race or cannot be reached (`StoreError.retryable`,
///   `StoreError.unavailable`), or more bounded work than the server takes on (`ServerBusy`):
///   503 with `Retry-After`, so the caller tries again.
/// - Anything else: 500 with the request id and never the error's text: no trace, SQL or
///   internal message reaches a client.
///
/// Every 5xx is logged here, with the request id the logger carries.
struct ErrorRenderingMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: PageRenderer
    let allowedMethods: AllowedMethodsFinder
    /// Finds the signed-in person an error page is shown to (nil: every error page is signed
    /// out). The session is otherwise found inside the pages' routes, after this middleware, or
    /// not at all for a path no route matches.
    var sessions: (accounts: AccountService, cookie: SessionCookie)? = nil

    /// Seconds a caller waits before retrying a transaction that lost a race or met a busy database.
    static let retryAfterBusy = 2
    /// Seconds a caller waits before retrying when the database cannot be reached.
    static let retryAfterUnavailable = 5

    /// What a thrown error means to the caller.
    enum Failure {
        case app(AppError)
        case http(HTTPError)
        case unavailable(retryAfter: Int)
        case unexpected
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let failure = await classify(error, request: request, context: context)
            Self.log(failure, error: error, logger: context.logger)
            if request.uri.path.hasPrefix("/api/") {
                return Self.problem(for: failure, requestID: context.requestID)
            }
            return page(
                for: failure, account: await layoutAccount(request, context: context, failure: failure),
                context: context)
        }
    }

    func classify(_ error: any Error, request: Request, context: Context) async -> Failure {
        switch error {
        case let error as AppError:
            return .app(error)
        case StoreError.periodClosed:
            // The database's own check, met when a close committed after this request's read.
            return .app(.periodClosed(through: nil))
        case StoreError.retryable:
            return .unavailable(retryAfter: Self.retryAfterBusy)
        case StoreError.unavailable:
            return .unavailable(retryAfter: Self.retryAfterUnavailable)
        case let busy as ServerBusy:
            return .unavailable(retryAfter: busy.retryAfter)
        case let thrown as any HTTPResponseError:
            let error = thrown as? HTTPError ?? HTTPError(thrown.status)
            // No route for this method: 405 with the methods the path has, if it has any.
            if error.status == .notFound, context.endpointPath == "NotFound" {
                let allowed = await allowedMethods.allowedMethods(path: request.uri.path, context: context)
                if !allowed.isEmpty {
                    return .http(
                        HTTPError(
                            .methodNotAllowed, headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")]))
                }
            }
            return .http(error)
        default:
            return .unexpected
        }
    }

    static func log(_ failure: Failure, error: any Error, logger: Logger) {
        switch failure {
        case .unexpected:
            // Logged in full here, answered with no detail.
            logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
        case .unavailable:
            logger.warning(
                "unavailable or busy, answered 503", metadata: ["error": .string(String(describing: error))])
        case .http(let error) where error.status.code >= 500:
            logger.error("HTTP error", metadata: ["error": .string(String(reflecting: error))])
        case .app, .http:
            break
        }
    }

    // MARK: API: problem+json

    static func problem(for failure: Failure, requestID: String) -> Response {
        switch failure {
        case .app(let error):
            var problem = Problem(
                type: error.problemType, title: error.title, status: Int(error.status.code), detail: error.detail)
            switch error {
            case .validation(let validation):
                problem.errors = validation.fields.map { .init(field: $0.name, message: $0.message) }
            case .receiptRequired(let missing):
                problem.errors = missing.map {
                    .init(field: "expense_ids", message: $0.message, expenseID: $0.expenseID.description)
                }
            case .secondFactorRequired(let token):
                problem.mfaToken = token
            default:
                break
            }
            var response = ProblemResponse.make(problem)
            switch error {
            case .unauthenticated, .invalidCredentials, .secondFactorRequired, .invalidSecondFactor:
                response.headers[.wwwAuthenticate] = #"Bearer realm="expense-tracker""#
            case .rateLimited(let seconds):
                response.headers[.retryAfter] = String(seconds)
            default:
                break
            }
            return response
        case .http(let error):
            var response = ProblemResponse.make(
                Problem(
                    type: "/problems/http-\(error.status.code)",
                    title: error.status.reasonPhrase,
                    status: error.status.code,
                    detail: detail(for: error.status)
                )
            )
            response.headers.append(contentsOf: error.headers)
            return response
        case .unavailable(let seconds):
            var response = ProblemResponse.make(
                Problem(
                    type: "/problems/service-unavailable",
                    title: HTTPResponse.Status.serviceUnavailable.reasonPhrase,
                    status: 503,
                    detail: unavailableDetail(seconds),
                    requestID: requestID
                )
            )
            response.headers[.retryAfter] = String(seconds)
            return response
        case .unexpected:
            return ProblemResponse.internalError(requestID: requestID)
        }
    }

    // MARK: Pages: HTML

    /// The signed-in person an error page is shown to, from the session cookie; none when the
    /// database is what failed (it is not asked again) or the session is not valid.
    func layoutAccount(_ request: Request, context: Context, failure: Failure) async -> LayoutAccount? {
        if let identity = context.identity { return LayoutAccount(identity) }
        if case .unavailable = failure { return nil }
        guard let sessions, let value = request.cookies[sessions.cookie.name]?.value,
            let identity = try? await sessions.accounts.identity(sessionCookie: value)
        else { return nil }
        return LayoutAccount(identity)
    }

    func page(for failure: Failure, account: LayoutAccount?, context: Context) -> Response {
        let start = MessagePage.Link(href: "/", label: "Go to the start page")
        switch failure {
        case .app(let error):
            var response = message(
                MessagePage(
                    title: error.title,
                    account: account,
                    heading: error.title,
                    body: error == .unsupportedMediaType
                        ? "Send the form as a web page would (application/x-www-form-urlencoded)." : error.detail,
                    link: start
                ),
                status: error.status,
                logger: context.logger
            )
            if case .rateLimited(let seconds) = error { response.headers[.retryAfter] = String(seconds) }
            return response
        case .http(let error):
            let status = error.status
            var response = message(
                MessagePage(
                    title: status.reasonPhrase,
                    account: account,
                    heading: status == .notFound ? "Page not found" : status.reasonPhrase,
                    body: Self.detail(for: status),
                    link: start
                ),
                status: status,
                logger: context.logger
            )
            response.headers.append(contentsOf: error.headers)
            return response
        case .unavailable(let seconds):
            var response = message(
                MessagePage(
                    title: "Try again in a moment",
                    account: account,
                    heading: "Try again in a moment",
                    body: Self.unavailableDetail(seconds),
                    link: start
                ),
                status: .serviceUnavailable,
                logger: context.logger
            )
            response.headers[.retryAfter] = String(seconds)
            return response
        case .unexpected:
            return message(
                MessagePage(
                    title: "Something went wrong",
                    account: account,
                    heading: "Something went wrong",
                    body:
                        "Something went wrong on our side. Quote the request id \(context.requestID) if you report it.",
                    link: start
                ),
                status: .internalServerError,
                logger: context.logger
            )
        }
    }

    /// The message page; when even that cannot be rendered, its heading and text as plain text, so
    /// the error is still answered with its status and words (and the failure is logged).
    func message(_ page: MessagePage, status: HTTPResponse.Status, logger: Logger) -> Response {
        do {
            return try pages.render(.message, page, status: status)
        } catch {
            logger.error(
                "error page not rendered, answered as plain text",
                metadata: ["error": .string(String(describing: error))])
            return Response(
                status: status,
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: "\(page.heading)\n\n\(page.body)\n"))
            )
        }
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

    static func unavailableDetail(_ seconds: Int) -> String {
        "The service cannot answer right now. Try again in \(seconds) seconds."
    }
}
