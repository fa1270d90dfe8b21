import Foundation
import Hummingbird

/// RFC 9457 problem details, the body of every API error.
struct Problem: Codable, Sendable, Equatable {
    struct FieldError: Codable, Sendable, Equatable {
        var field: String
        var message: String
        /// The expense an entry is about, when the field lists expenses.
        var expenseID: String? = nil

        enum CodingKeys: String, CodingKey {
            case field, message
            case expenseID = "expense_id"
        }
    }

    var type: String
    var title: String
    var status: Int
    var detail: String?
    var requestID: String?
    /// Per-field failures, for validation problems.
    var errors: [FieldError]?
    /// The token that carries a sign-in to its second step (`POST /api/v1/auth/login/totp`).
    var mfaToken: String? = nil

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors
        case requestID = "request_id"
        case mfaToken = "mfa_token"
    }
}

enum ProblemResponse {
    static let contentType = "application/problem+json"

    static func make(_ problem: Problem) -> Response {
        let body = (try? AppJSON.encoder.encode(problem)) ?? Data()
        return Response(
            status: .init(code: problem.status),
            headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// The generic answer to anything unexpected: no message, no trace, only the request id.
    static func internalError(requestID: String) -> Response {
        make(
            Problem(
                type: "/problems/internal-error",
                title: "Internal Server Error",
                status: 500,
                detail: "Something went wrong on our side. Quote the request id if you report it.",
                requestID: requestID
            )
        )
    }
}
