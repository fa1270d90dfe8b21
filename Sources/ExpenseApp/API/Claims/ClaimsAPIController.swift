import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird

/// Claims of one organization: gather, submit, approve or reject, reimburse.
struct ClaimsAPIController: Sendable {
    let claims: ClaimService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("claims", use: create)
        group.get("claims", use: list)
        group.get("claims/:claimId", use: show)
        group.patch("claims/:claimId", use: update)
        group.delete("claims/:claimId", use: delete)
        group.post("claims/:claimId/submit", use: submit)
        group.post("claims/:claimId/approve", use: approve)
        group.post("claims/:claimId/reject", use: reject)
        group.post("claims/:claimId/reimburse", use: reimburse)
        group.get("exports/reimbursements.csv", use: reimbursements)
    }

    @Sendable func reimbursements(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await ReimbursementExport.response(request.queryValues, access: context.access, claims: claims)
    }

    struct NewClaim: JSONRequestBody {
        var title: String
        var expenseIDs: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case title
            case expenseIDs = "expense_ids"
        }
    }

    struct Change: JSONRequestBody {
        var title: String?
        var expenseIDs: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case title
            case expenseIDs = "expense_ids"
        }
    }

    struct Decision: JSONRequestBody {
        var comment: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case comment }
    }

    struct Payment: JSONRequestBody {
        var paidOn: String
        var reference: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case reference
            case paidOn = "paid_on"
        }
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(NewClaim.self, from: request, context: context)
        let claim = try await claims.create(
            context.access, title: body.title, expenseIDs: try Self.expenseIDs(body.expenseIDs ?? []))
        var response = try ClaimResponse(claim, base: context.access.organization.currency).response(
            from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/orgs/\(context.access.tenantID)/claims/\(claim.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> CursorPage<ClaimResponse> {
        let query = request.queryValues
        var validator = Validator()
        func value(_ name: String) -> String? { QueryValue.read(query, name, &validator) }
        var status: ClaimStatus?
        if let raw = value("status") {
            status = ClaimStatus(rawValue: raw)
            if status == nil { validator.add("status", "Choose draft, submitted, approved, rejected or reimbursed.") }
        }
        let member = value("member_id").flatMap { raw in
            let id = UserID(uuidString: raw)
            if id == nil { validator.add("member_id", "Not a member id.") }
            return id
        }
        var before: Int64?
        if let raw = value("cursor") {
            before = Int64(raw)
            if before == nil { validator.add("cursor", "Leave it out, or give the next_cursor of the last page.") }
        }
        try validating { try validator.finish() }
        let size = ClaimService.defaultPageSize
        let page = try await claims.list(
            context.access, status: status, member: member, before: before, limit: size + 1)
        let items = Array(page.prefix(size))
        return CursorPage(
            items: items.map { ClaimResponse($0, base: context.access.organization.currency) },
            nextCursor: page.count > size ? items.last.map { String($0.sequence) } : nil)
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> ClaimResponse {
        ClaimResponse(
            try await claims.find(context.access, id: try context.parameters.id(ClaimID.self, "claimId")),
            base: context.access.organization.currency)
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> ClaimResponse {
        let body = try await JSONBody.decode(Change.self, from: request, context: context)
        return ClaimResponse(
            try await claims.update(
                context.access, id: try context.parameters.id(ClaimID.self, "claimId"), title: body.title,
                expenseIDs: try body.expenseIDs.map(Self.expenseIDs)),
            base: context.access.organization.currency)
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await claims.delete(context.access, id: try context.parameters.id(ClaimID.self, "claimId"))
        return Response(status: .noContent)
    }

    @Sendable func submit(_ request: Request, context: OrgRequestContext) async throws -> ClaimResponse {
        ClaimResponse(
            try await claims.submit(context.access, id: try context.parameters.id(ClaimID.self, "claimId")),
            base: context.access.organization.currency)
    }

    @Sendable func approve(_ request: Request, context: OrgRequestContext) async throws -> ClaimResponse {
        let body = try await Self.decision(request, context)
        return ClaimResponse(
            try await claims.approve(
                context.access, id: try context.parameters.id(ClaimID.self, "claimId"), comment: body.comment),
            base: context.access.organization.currency)
    }

    @Sendable func reject(_ request: Request, context: OrgRequestContext) async throws -> ClaimResponse {
        let body = try await Self.decision(request, context)
        return ClaimResponse(
            try await claims.reject(
                context.access, id: try context.parameters.id(ClaimID.self, "claimId"), comment: body.comment),
            base: context.access.organization.currency)
    }

    @Sendable func reimburse(_ request: Request, context: OrgRequestContext) async throws -> ClaimResponse {
        let body = try await JSONBody.decode(Payment.self, from: request, context: context)
        let paidOn = try validating { try CalendarDate(parsing: body.paidOn, field: "paid_on") }
        return ClaimResponse(
            try await claims.reimburse(
                context.access, id: try context.parameters.id(ClaimID.self, "claimId"), paidOn: paidOn,
                reference: body.reference),
            base: context.access.organization.currency)
    }

    /// An approval may come with no body at all.
    static func decision(_ request: Request, _ context: OrgRequestContext) async throws -> Decision {
        if request.headers[.contentType] == nil { return Decision(comment: nil) }
        return try await JSONBody.decode(Decision.self, from: request, context: context)
    }

    static func expenseIDs(_ raw: [String]) throws -> [ExpenseID] {
        try raw.map { text in
            guard let id = ExpenseID(uuidString: text) else {
                throw AppError.validation(.init("expense_ids", "\(text) is not an expense id."))
            }
            return id
        }
    }
}

/// `{id, title, status, member_id, member_name, expense_ids, totals, submitted_at, decided_at,
/// decided_by, comment, self_approved, paid_on, reference, created_at, updated_at}`.
struct ClaimResponse: ResponseEncodable {
    struct Total: Encodable, Sendable {
        var currency: String
        var amount: String
        var count: Int
    }

    var id: String
    var title: String
    var status: String
    var memberID: String
    var memberName: String
    var expenseIDs: [String]
    var totals: [Total]
    /// The sum of the base amounts in the organization's currency, and how many expenses no
    /// rate converts yet (left out of it).
    var baseTotal: Total
    var unconverted: Int
    var submittedAt: String?
    var decidedAt: String?
    var decidedBy: String?
    var comment: String
    var selfApproved: Bool
    var paidOn: String?
    var reference: String
    var createdAt: String
    var updatedAt: String

    init(_ claim: Claim, base: Currency) {
        id = claim.id.description
        title = claim.title
        status = claim.status.rawValue
        memberID = claim.memberID.description
        memberName = claim.memberName
        expenseIDs = claim.expenseIDs.map(\.description)
        totals = claim.totals.map { Total(currency: $0.currency.code, amount: $0.decimalString, count: $0.count) }
        let baseTotal = MoneyTotal(
            currency: base, minorUnits: claim.baseMinorUnits, count: claim.expenseIDs.count - claim.unconverted)
        self.baseTotal = Total(currency: base.code, amount: baseTotal.decimalString, count: baseTotal.count)
        unconverted = claim.unconverted
        submittedAt = claim.submittedAt.map(UTCTimestamp.format)
        decidedAt = claim.decidedAt.map(UTCTimestamp.format)
        decidedBy = claim.decidedBy?.description
        comment = claim.comment
        selfApproved = claim.selfApproved
        paidOn = claim.paidOn?.description
        reference = claim.reference
        createdAt = UTCTimestamp.format(claim.createdAt)
        updatedAt = UTCTimestamp.format(claim.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, totals, comment, reference, unconverted
        case baseTotal = "base_total"
        case memberID = "member_id"
        case memberName = "member_name"
        case expenseIDs = "expense_ids"
        case submittedAt = "submitted_at"
        case decidedAt = "decided_at"
        case decidedBy = "decided_by"
        case selfApproved = "self_approved"
        case paidOn = "paid_on"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(status, forKey: .status)
        try container.encode(memberID, forKey: .memberID)
        try container.encode(memberName, forKey: .memberName)
        try container.encode(expenseIDs, forKey: .expenseIDs)
        try container.encode(totals, forKey: .totals)
        try container.encode(baseTotal, forKey: .baseTotal)
        try container.encode(unconverted, forKey: .unconverted)
        try container.encode(submittedAt, forKey: .submittedAt)
        try container.encode(decidedAt, forKey: .decidedAt)
        try container.encode(decidedBy, forKey: .decidedBy)
        try container.encode(comment, forKey: .comment)
        try container.encode(selfApproved, forKey: .selfApproved)
        try container.encode(paidOn, forKey: .paidOn)
        try container.encode(reference, forKey: .reference)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
