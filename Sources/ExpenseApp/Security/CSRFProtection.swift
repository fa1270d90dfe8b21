import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Refuses cross-site form posts to the pages.
///
/// Every state-changing request must come from this site: its `Origin` (or, without one, its
/// `Referer`) must be the public base URL's origin or the host the request was sent to. A
/// request of a signed-in session must also echo the session's synchronizer token in `_csrf`.
struct CSRFProtection: RouterMiddleware {
    typealias Context = AppRequestContext
    let publicOrigin: String

    struct TokenField: Decodable {
        var token: String?

        enum CodingKeys: String, CodingKey {
            case token = "_csrf"
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard [.post, .put, .patch, .delete].contains(request.method) else {
            return try await next(request, context)
        }
        guard
            isSameOrigin(request) || isTokenFormFromNullOrigin(request) || isSessionFormFromNullOrigin(request, context)
        else {
            context.logger.notice("cross-site form post refused")
            throw AppError.crossSiteRequest
        }
        var request = request
        if let identity = context.identity, case .session(let session) = identity.credential {
            if let boundary = Self.multipartBoundary(request) {
                // Only the routes that take a file read a multipart form, so only they may be
                // sent one: another route might act without ever reading the body.
                guard let path = context.endpointPath, Self.uploadEndpoints.contains(path) else {
                    throw AppError.unsupportedMediaType
                }
                request.body = RequestBody(
                    asyncSequence: CSRFCheckedBody(
                        base: request.body, boundary: boundary, expectedToken: session.csrfToken))
                return try await next(request, context)
            }
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let field = try? URLEncodedFormDecoder().decode(TokenField.self, from: String(buffer: body))
            guard let token = field?.token, Self.constantTimeEquals(token, session.csrfToken) else {
                context.logger.notice("form post without this session's CSRF token refused")
                throw AppError.crossSiteRequest
            }
        }
        return try await next(request, context)
    }

    /// The page routes that take a file (a receipt, a rate file), as the router names them.
    static let uploadEndpoints: Set<String> = [
        "/orgs/{orgId}/expenses", "/orgs/{orgId}/expenses/{expenseId}", "/orgs/{orgId}/expenses/{expenseId}/receipts",
        "/orgs/{orgId}/rates/import", "/orgs/{orgId}/imports",
    ]

    /// The boundary of a `multipart/form-data` body, nil for any other body.
    static func multipartBoundary(_ request: Request) -> String? {
        guard let contentType = request.headers[.contentType],
            contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
                == "multipart/form-data"
        else { return nil }
        // A boundary is 1 to 70 characters (RFC 2046); another is no multipart body at all.
        guard let boundary = MultipartHeader.parameter("boundary", in: contentType), (1...70).contains(boundary.count)
        else { return nil }
        return boundary
    }

    /// The pages an emailed link opens send `Referrer-Policy: no-referrer`, so a browser
    /// posts their forms with `Origin: null`. Those forms carry the link's one-time token, which
    /// a cross-site page cannot know; a signed-in session must still echo its synchronizer token.
    static let tokenFormPaths: Set<String> = ["/verify", "/password/reset", "/invitations/accept"]

    private func isTokenFormFromNullOrigin(_ request: Request) -> Bool {
        request.headers[.origin] == "null" && Self.tokenFormPaths.contains(request.uri.path)
    }

    /// Every form of those pages (the layout's logout and "send the link again" too) posts with
    /// `Origin: null`. With a signed-in session it must echo the session's synchronizer token
    /// (checked below), which a cross-site page cannot know either.
    private func isSessionFormFromNullOrigin(_ request: Request, _ context: Context) -> Bool {
        guard request.headers[.origin] == "null", let identity = context.identity else { return false }
        if case .session = identity.credential { return true }
        return false
    }

    private func isSameOrigin(_ request: Request) -> Bool {
        let source: String
        if let origin = request.headers[.origin] {
            source = origin
        } else if let referer = request.headers[.referer], let origin = AppConfig.origin(Self.originPart(of: referer)) {
            source = origin
        } else {
            // Browsers send Origin with every cross-site POST; a request with neither header
            // comes from a non-browser client, which cookies do not follow.
            return true
        }
        let normalized = source.lowercased()
        if normalized == publicOrigin { return true }
        if let host = request.head.authority?.lowercased() {
            return normalized == "http://\(host)" || normalized == "https://\(host)"
        }
        return false
    }

    /// `scheme://authority` of a URL.
    private static func originPart(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host
        else {
            return url
        }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension OrgRequestContext {
    /// The session's synchronizer token, for the forms a page of the organization renders
    /// (empty for a bearer token, which posts no forms).
    var csrfToken: String {
        if case .session(let session) = identity.credential { return session.csrfToken }
        return ""
    }
}
