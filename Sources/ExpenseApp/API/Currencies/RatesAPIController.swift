import ExpenseCore
import Foundation
import Hummingbird

/// `POST /api/v1/orgs/{orgId}/rates {currency, date, rate}` and `GET .../rates?currency&from&to&limit`.
struct RatesAPIController: Sendable {
    let rates: RateService

    struct NewRate: JSONRequestBody {
        var currency: String
        var date: String
        var rate: String
        enum CodingKeys: String, CodingKey, CaseIterable { case currency, date, rate }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("rates", use: set)
        group.get("rates", use: list)
    }

    /// The import, on a group whose files are spooled before their transaction starts.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("rates/import", use: importFile)
    }

    @Sendable func importFile(_ request: Request, context: OrgRequestContext) async throws -> RateImportResponse {
        let file = try Upload.requireFile(context.upload, limit: RateService.maximumFileBytes)
        return RateImportResponse(
            try await rates.importFile(context.access, bytes: try await file.bytes(), filename: file.filename))
    }

    @Sendable func set(_ request: Request, context: OrgRequestContext) async throws -> EditedResponse<RateResponse> {
        let body = try await JSONBody.decode(NewRate.self, from: request, context: context)
        let (rate, created) = try await rates.set(
            context.access, .init(currency: body.currency, date: body.date, rate: body.rate))
        return .init(status: created ? .created : .ok, response: RateResponse(rate))
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<RateResponse> {
        let query = request.queryValues
        var validator = Validator()
        func value(_ name: String) -> String? { QueryValue.read(query, name, &validator) }
        let currency = try value("currency").flatMap { raw in try validator.check { try Currency(code: raw) } }
        let from = try value("from").flatMap { raw in
            try validator.check { try CalendarDate(parsing: raw, field: "from") }
        }
        let to = try value("to").flatMap { raw in try validator.check { try CalendarDate(parsing: raw, field: "to") } }
        if let from, let to, to < from { validator.add("to", "The end date must not be before the start date.") }
        let limit = try value("limit").flatMap { raw in
            try validator.check { () throws -> Int in
                guard let limit = Int(raw) else { throw ValidationError("limit", "Give a whole number.") }
                return limit
            }
        }
        try validating { try validator.finish() }
        let list = try await rates.list(context.access, currency: currency, from: from, to: to, limit: limit)
        return ItemList(items: list.map(RateResponse.init))
    }
}

/// `{days, first, last, rates, created, converted, currencies, skipped_currencies,
/// days_without_base}`: what an import did.
struct RateImportResponse: ResponseEncodable {
    var days: Int
    var first: String
    var last: String
    var rates: Int
    var created: Int
    var converted: Int
    var currencies: [String]
    var skippedCurrencies: [String]
    var daysWithoutBase: Int

    init(_ summary: RateService.ImportSummary) {
        days = summary.days
        first = summary.first.description
        last = summary.last.description
        rates = summary.rates
        created = summary.created
        converted = summary.converted
        currencies = summary.currencies
        skippedCurrencies = summary.skippedCodes
        daysWithoutBase = summary.daysWithoutBase
    }

    enum CodingKeys: String, CodingKey {
        case days, first, last, rates, created, converted, currencies
        case skippedCurrencies = "skipped_currencies"
        case daysWithoutBase = "days_without_base"
    }
}

/// A rate as the API shows it: `{currency, date, rate, updated_at}`, the rate a decimal string.
struct RateResponse: ResponseEncodable {
    var currency: String
    var date: String
    var rate: String
    var updatedAt: Date

    init(_ rate: DatedRate) {
        currency = rate.currency.code
        date = rate.date.description
        self.rate = rate.rate.decimalString
        updatedAt = rate.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case currency, date, rate
        case updatedAt = "updated_at"
    }
}
