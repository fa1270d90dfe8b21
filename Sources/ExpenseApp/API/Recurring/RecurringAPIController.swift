import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST, GET /api/v1/orgs/{orgId}/recurring`, `GET, PATCH, DELETE .../recurring/{id}`,
/// `POST .../recurring/{id}/pause` and `.../resume`.
struct RecurringAPIController: Sendable {
    let recurring: RecurringService

    /// `{amount, currency?, category_id?, merchant?, note?, tags?, reimbursable?, frequency,
    /// interval?, start_date, end_date?, count?}`; on PATCH every field is optional, and
    /// `category_id`, `end_date` and `count` may be null to clear them.
    struct Body: JSONRequestBody, NullableJSONFields {
        var input: RecurringService.Input

        static let nullableFields: Set<String> = ["category_id", "end_date", "count"]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case amount, currency, merchant, note, tags, reimbursable, frequency, interval, count
            case categoryID = "category_id"
            case startDate = "start_date"
            case endDate = "end_date"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            var input = RecurringService.Input()
            input.amount = try container.decodeIfPresent(String.self, forKey: .amount)
            input.currency = try container.decodeIfPresent(String.self, forKey: .currency)
            input.categoryGiven = container.contains(.categoryID)
            input.categoryID = try container.decodeIfPresent(String.self, forKey: .categoryID)
            if input.categoryID?.isEmpty == true {
                throw DecodingError.dataCorruptedError(
                    forKey: .categoryID, in: container,
                    debugDescription: "null clears the category; not an empty string")
            }
            input.merchant = try container.decodeIfPresent(String.self, forKey: .merchant)
            input.note = try container.decodeIfPresent(String.self, forKey: .note)
            input.tags = try container.decodeIfPresent([String].self, forKey: .tags)
            input.reimbursable = try container.decodeIfPresent(Bool.self, forKey: .reimbursable)
            input.frequency = try container.decodeIfPresent(String.self, forKey: .frequency)
            input.interval = try container.decodeIfPresent(Int.self, forKey: .interval)
            input.startDate = try container.decodeIfPresent(String.self, forKey: .startDate)
            input.endGiven = container.contains(.endDate)
            input.endDate = try container.decodeIfPresent(String.self, forKey: .endDate)
            if input.endDate?.isEmpty == true {
                throw DecodingError.dataCorruptedError(
                    forKey: .endDate, in: container, debugDescription: "null clears the end date; not an empty string")
            }
            input.countGiven = container.contains(.count)
            input.count = try container.decodeIfPresent(Int.self, forKey: .count)
            self.input = input
        }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("recurring", use: create)
        group.get("recurring", use: list)
        group.get("recurring/:recurringId", use: show)
        group.patch("recurring/:recurringId", use: update)
        group.delete("recurring/:recurringId", use: delete)
        group.post("recurring/:recurringId/pause", use: pause)
        group.post("recurring/:recurringId/resume", use: resume)
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        let schedule = try await recurring.create(context.access, body.input)
        var response = try RecurringResponse(schedule).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/orgs/\(context.access.tenantID)/recurring/\(schedule.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<RecurringResponse> {
        ItemList(items: try await recurring.list(context.access).map(RecurringResponse.init))
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> RecurringResponse {
        RecurringResponse(try await recurring.find(context.access, id: try Self.id(context)))
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> RecurringResponse {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        return RecurringResponse(try await recurring.update(context.access, id: try Self.id(context), body.input))
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await recurring.delete(context.access, id: try Self.id(context))
        return Response(status: .noContent)
    }

    @Sendable func pause(_ request: Request, context: OrgRequestContext) async throws -> RecurringResponse {
        RecurringResponse(try await recurring.setPaused(context.access, id: try Self.id(context), true))
    }

    @Sendable func resume(_ request: Request, context: OrgRequestContext) async throws -> RecurringResponse {
        RecurringResponse(try await recurring.setPaused(context.access, id: try Self.id(context), false))
    }

    static func id(_ context: OrgRequestContext) throws -> RecurringID {
        try context.parameters.id(RecurringID.self, "recurringId")
    }
}

/// A schedule as the API shows it.
struct RecurringResponse: ResponseEncodable {
    var id: String
    var memberID: String
    var memberName: String
    var amount: String
    var currency: String
    var categoryID: String?
    var merchant: String
    var note: String
    var tags: [String]
    var reimbursable: Bool
    var frequency: String
    var interval: Int
    var startDate: String
    var endDate: String?
    var count: Int?
    var paused: Bool
    var nextDate: String?
    var createdCount: Int
    var skippedCount: Int
    var lastSkippedDate: String?
    var createdAt: String
    var updatedAt: String

    init(_ schedule: RecurringExpense) {
        id = schedule.id.description
        memberID = schedule.memberID.description
        memberName = schedule.memberName
        amount = schedule.amount.decimalString
        currency = schedule.amount.currency.code
        categoryID = schedule.categoryID?.description
        merchant = schedule.merchant
        note = schedule.note
        tags = schedule.tags
        reimbursable = schedule.reimbursable
        frequency = schedule.rule.frequency.rawValue
        interval = schedule.rule.interval
        startDate = schedule.rule.start.description
        endDate = schedule.rule.end?.description
        count = schedule.rule.count
        paused = schedule.paused
        nextDate = schedule.paused ? nil : schedule.nextOn?.description
        createdCount = schedule.createdCount
        skippedCount = schedule.skippedCount
        lastSkippedDate = schedule.lastSkippedOn?.description
        createdAt = UTCTimestamp.format(schedule.createdAt)
        updatedAt = UTCTimestamp.format(schedule.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, merchant, note, tags, reimbursable, frequency, interval, count, paused
        case memberID = "member_id"
        case memberName = "member_name"
        case categoryID = "category_id"
        case startDate = "start_date"
        case endDate = "end_date"
        case nextDate = "next_date"
        case createdCount = "created_count"
        case skippedCount = "skipped_count"
        case lastSkippedDate = "last_skipped_date"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(memberID, forKey: .memberID)
        try container.encode(memberName, forKey: .memberName)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
        try container.encode(categoryID, forKey: .categoryID)
        try container.encode(merchant, forKey: .merchant)
        try container.encode(note, forKey: .note)
        try container.encode(tags, forKey: .tags)
        try container.encode(reimbursable, forKey: .reimbursable)
        try container.encode(frequency, forKey: .frequency)
        try container.encode(interval, forKey: .interval)
        try container.encode(startDate, forKey: .startDate)
        try container.encode(endDate, forKey: .endDate)
        try container.encode(count, forKey: .count)
        try container.encode(paused, forKey: .paused)
        try container.encode(nextDate, forKey: .nextDate)
        try container.encode(createdCount, forKey: .createdCount)
        try container.encode(skippedCount, forKey: .skippedCount)
        try container.encode(lastSkippedDate, forKey: .lastSkippedDate)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
