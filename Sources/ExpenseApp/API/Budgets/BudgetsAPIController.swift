import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST, GET /api/v1/orgs/{orgId}/budgets` and `GET, PATCH, DELETE .../budgets/{budgetId}`.
struct BudgetsAPIController: Sendable {
    let budgets: BudgetService

    /// `{name, amount, period, category_id?, alert_percents?}`; on PATCH every field is optional
    /// and `category_id: null` makes the budget the whole organization's.
    struct Body: JSONRequestBody, NullableJSONFields {
        var input: BudgetService.Input

        static let nullableFields: Set<String> = ["category_id"]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, amount, period
            case categoryID = "category_id"
            case alertPercents = "alert_percents"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if try container.decodeIfPresent(String.self, forKey: .categoryID)?.isEmpty == true {
                throw DecodingError.dataCorruptedError(
                    forKey: .categoryID, in: container,
                    debugDescription: "null clears the category; not an empty string")
            }
            input = BudgetService.Input(
                name: try container.decodeIfPresent(String.self, forKey: .name),
                amount: try container.decodeIfPresent(String.self, forKey: .amount),
                period: try container.decodeIfPresent(String.self, forKey: .period),
                categoryID: try container.decodeIfPresent(String.self, forKey: .categoryID),
                categoryGiven: container.contains(.categoryID),
                alertPercents: try container.decodeIfPresent([Int].self, forKey: .alertPercents))
        }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("budgets", use: create)
        group.get("budgets", use: list)
        group.get("budgets/:budgetId", use: show)
        group.patch("budgets/:budgetId", use: update)
        group.delete("budgets/:budgetId", use: delete)
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        let view = try await budgets.create(context.access, body.input)
        var response = try BudgetResponse(view).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/orgs/\(context.access.tenantID)/budgets/\(view.budget.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<BudgetResponse> {
        ItemList(items: try await budgets.list(context.access).map { BudgetResponse($0) })
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> BudgetResponse {
        let view = try await budgets.find(context.access, id: try context.parameters.id(BudgetID.self, "budgetId"))
        return BudgetResponse(view, periods: try await budgets.history(context.access, view.budget))
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> BudgetResponse {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        return BudgetResponse(
            try await budgets.update(
                context.access, id: try context.parameters.id(BudgetID.self, "budgetId"), body.input))
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await budgets.delete(context.access, id: try context.parameters.id(BudgetID.self, "budgetId"))
        return Response(status: .noContent)
    }
}

/// A budget with its current period's `{spent, remaining, percent, unconverted}`, and, on its
/// own route, the last twelve periods (`periods`, oldest first).
struct BudgetResponse: ResponseEncodable {
    struct Period: Encodable, Sendable {
        var start: String
        var end: String
        var spent: String
        var remaining: String
        var percent: Int
        var unconverted: Int

        init(_ status: BudgetStatus) {
            let currency = status.budget.currency
            start = status.start.description
            end = status.end.description
            spent = MoneyTotal(currency: currency, minorUnits: status.spent, count: 0).decimalString
            remaining = MoneyTotal(currency: currency, minorUnits: status.remaining, count: 0).decimalString
            percent = status.percent
            unconverted = status.unconverted
        }
    }

    var id: String
    var name: String
    var amount: String
    var currency: String
    var period: String
    var categoryID: String?
    var categoryName: String?
    var alertPercents: [Int]
    var current: Period
    var periods: [Period]?
    var createdAt: String
    var updatedAt: String

    init(_ view: BudgetService.View, periods: [BudgetStatus]? = nil) {
        let budget = view.budget
        id = budget.id.description
        name = budget.name
        amount = budget.amount.decimalString
        currency = budget.amount.currency.code
        period = budget.period.rawValue
        categoryID = budget.categoryID?.description
        categoryName = view.categoryName
        alertPercents = budget.alertPercents
        current = Period(view.current)
        self.periods = periods?.map(Period.init)
        createdAt = UTCTimestamp.format(budget.createdAt)
        updatedAt = UTCTimestamp.format(budget.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, amount, currency, period, current, periods, spent, remaining, percent, unconverted
        case categoryID = "category_id"
        case categoryName = "category_name"
        case alertPercents = "alert_percents"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
        try container.encode(period, forKey: .period)
        try container.encode(categoryID, forKey: .categoryID)
        try container.encode(categoryName, forKey: .categoryName)
        try container.encode(alertPercents, forKey: .alertPercents)
        // The current period's figures at the top level too, as the list shows them.
        try container.encode(current.spent, forKey: .spent)
        try container.encode(current.remaining, forKey: .remaining)
        try container.encode(current.percent, forKey: .percent)
        try container.encode(current.unconverted, forKey: .unconverted)
        try container.encode(current, forKey: .current)
        try container.encodeIfPresent(periods, forKey: .periods)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
