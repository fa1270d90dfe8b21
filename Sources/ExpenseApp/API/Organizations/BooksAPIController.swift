import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `POST, GET /api/v1/orgs/{orgId}/closes`, `POST .../closes/reopen` and
/// `GET .../audit/verify`: closing the books and checking the audit chain.
struct BooksAPIController: Sendable {
    let books: PeriodCloseService

    /// `{through}` to close; `{through, reason}` to reopen (`through` null or absent: nothing
    /// stays closed).
    struct Body: JSONRequestBody, NullableJSONFields {
        var through: String?
        var reason: String?

        static let nullableFields: Set<String> = ["through"]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case through, reason
        }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("closes", use: close)
        group.get("closes", use: list)
        group.post("closes/reopen", use: reopen)
        group.get("audit/verify", use: verify)
    }

    @Sendable func close(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        let close = try await books.close(context.access, through: body.through)
        var response = try PeriodCloseResponse(close).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func reopen(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        // The pages send an empty field for "reopen everything"; the API says that with null, and
        // an empty string is a date left out by mistake.
        if body.through?.isEmpty == true {
            throw AppError.validation(.init("through", "Give the date as YYYY-MM-DD, or null to reopen everything."))
        }
        let reopen = try await books.reopen(context.access, through: body.through, reason: body.reason)
        var response = try PeriodCloseResponse(reopen).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ClosesResponse {
        let state = try await books.state(context.access)
        return ClosesResponse(
            closedThrough: state.closedThrough?.description, items: state.history.map(PeriodCloseResponse.init))
    }

    @Sendable func verify(_ request: Request, context: OrgRequestContext) async throws -> AuditVerifyResponse {
        AuditVerifyResponse(try await books.verify(context.access))
    }
}

/// One close or reopen: `{seq, action, through, reason, actor_id, actor_name, audit_head,
/// created_at}`; `through` and `reason` are null where they do not apply.
struct PeriodCloseResponse: ResponseEncodable, Sendable {
    var close: PeriodClose

    init(_ close: PeriodClose) { self.close = close }

    enum CodingKeys: String, CodingKey {
        case seq, action, through, reason
        case actorID = "actor_id"
        case actorName = "actor_name"
        case auditHead = "audit_head"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(close.seq, forKey: .seq)
        try container.encode(close.action.rawValue, forKey: .action)
        try container.encode(close.through?.description, forKey: .through)
        try container.encode(close.reason, forKey: .reason)
        try container.encode(close.actorID?.description, forKey: .actorID)
        try container.encode(close.actorName, forKey: .actorName)
        try container.encode(AuditHeadResponse(seq: close.auditSeq, hash: close.auditHash), forKey: .auditHead)
        try container.encode(UTCTimestamp.format(close.createdAt), forKey: .createdAt)
    }
}

/// `{closed_through, items}`: the date (null when nothing is closed) and the newest 100 closes
/// and reopens, newest first.
struct ClosesResponse: ResponseEncodable, Sendable {
    var closedThrough: String?
    var items: [PeriodCloseResponse]

    enum CodingKeys: String, CodingKey {
        case items
        case closedThrough = "closed_through"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(closedThrough, forKey: .closedThrough)
        try container.encode(items, forKey: .items)
    }
}

struct AuditHeadResponse: Encodable, Sendable {
    var seq: Int64
    var hash: String
}

/// `{ok, entries, head: {seq, hash}, first_break}`; `first_break` is null when the chain holds,
/// else `{seq, id, detail}` naming the first entry altered, removed or moved.
struct AuditVerifyResponse: ResponseEncodable, Sendable {
    struct Break: Encodable, Sendable {
        var seq: Int64
        var id: String?
        var detail: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(seq, forKey: .seq)
            try container.encode(id, forKey: .id)
            try container.encode(detail, forKey: .detail)
        }

        enum CodingKeys: String, CodingKey { case seq, id, detail }
    }

    var ok: Bool
    var entries: Int64
    var head: AuditHeadResponse
    var firstBreak: Break?

    init(_ verification: AuditVerification) {
        ok = verification.ok
        entries = verification.entries
        head = AuditHeadResponse(seq: verification.head.seq, hash: verification.head.hash)
        firstBreak = verification.firstBreak.map {
            Break(seq: $0.seq, id: $0.id?.uuidString.lowercased(), detail: $0.detail)
        }
    }

    enum CodingKeys: String, CodingKey {
        case ok, entries, head
        case firstBreak = "first_break"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(entries, forKey: .entries)
        try container.encode(head, forKey: .head)
        try container.encode(firstBreak, forKey: .firstBreak)
    }
}
