import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id (`X-Request-ID`, kept from the client when well formed) and logs
/// one line per request when it ends: method, path, status, duration and that id. The id is in
/// the logger every later middleware and handler gets, so their lines (5xx included) carry it.
///
/// The path is logged without its query string: the one-time links in emails carry tokens
/// there, and logs never hold tokens.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let incoming = request.headers[.xRequestID], Self.isAcceptable(incoming) {
            context.requestID = incoming
        }
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[.xRequestID] = context.requestID
            log(request, status: response.status.code, since: start, context: context)
            return response
        } catch {
            // ErrorRenderingMiddleware answers every error, so none should get here; if one
            // does, Hummingbird answers it and this line still records the request.
            log(request, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start, context: context)
            throw error
        }
    }

    private func log(_ request: Request, status: Int, since start: ContinuousClock.Instant, context: Context) {
        let elapsed = ContinuousClock.now - start
        // Hundredths of a millisecond, written as digits (no String(format:) on every request).
        let hundredths = elapsed.components.seconds * 100_000 + elapsed.components.attoseconds / 10_000_000_000_000
        let fraction = hundredths % 100
        let milliseconds = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(status),
                "duration_ms": .string(milliseconds),
            ]
        )
    }

    /// Client-supplied ids are kept only when short and plain, so they cannot forge log lines.
    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-ID")!
}
