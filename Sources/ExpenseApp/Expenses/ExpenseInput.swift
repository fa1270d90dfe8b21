import ExpenseCore
import Foundation

/// An expense as a request gives it (JSON or form). On a change, an absent field keeps its
/// value; `category_id: null` (or an empty form choice) clears the category.
public struct ExpenseInput: Sendable, Decodable {
    public var amount: String?
    public var currency: String?
    public var date: String?
    public var categoryID: String?
    /// Whether the request named `category_id` at all (so null can clear it).
    public var categoryGiven: Bool
    public var merchant: String?
    public var note: String?
    public var tags: [String]?

    public init(
        amount: String? = nil, currency: String? = nil, date: String? = nil, categoryID: String? = nil,
        categoryGiven: Bool = false, merchant: String? = nil, note: String? = nil, tags: [String]? = nil
    ) {
        self.amount = amount
        self.currency = currency
        self.date = date
        self.categoryID = categoryID
        self.categoryGiven = categoryGiven || categoryID != nil
        self.merchant = merchant
        self.note = note
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case amount, currency, date, merchant, note, tags
        case categoryID = "category_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        amount = try container.decodeIfPresent(String.self, forKey: .amount)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        date = try container.decodeIfPresent(String.self, forKey: .date)
        categoryGiven = container.contains(.categoryID)
        categoryID = try container.decodeIfPresent(String.self, forKey: .categoryID)
        if categoryID?.isEmpty == true {
            throw DecodingError.dataCorruptedError(
                forKey: .categoryID, in: container, debugDescription: "null clears the category; not an empty string")
        }
        merchant = try container.decodeIfPresent(String.self, forKey: .merchant)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        tags = try container.decodeIfPresent([String].self, forKey: .tags)
    }

    /// The validated draft of a new expense.
    func draft(defaultCurrency: Currency) throws -> ExpenseDraft {
        try ExpenseDraft(
            amount: amount, currency: currency, date: date, categoryID: categoryID, merchant: merchant, note: note,
            tags: tags, defaultCurrency: defaultCurrency)
    }

    /// The validated draft of `expense` with this input's fields applied. A new amount without
    /// a currency is read in the expense's currency.
    func draft(applyingTo expense: Expense) throws -> ExpenseDraft {
        try ExpenseDraft(
            amount: amount ?? (currency == nil ? expense.amount.decimalString : nil),
            currency: currency ?? expense.amount.currency.code,
            date: date ?? expense.date.description,
            categoryID: categoryGiven ? categoryID : expense.categoryID?.description,
            merchant: merchant ?? expense.merchant,
            note: note ?? expense.note,
            tags: tags ?? expense.tags,
            defaultCurrency: expense.amount.currency)
    }
}

/// The query parameters that filter a list, an export or a report.
enum ExpenseQuery {
    /// Reads `from`, `to`, `category_id`, `member_id`, `tag`, `q`, `currency`, `min_amount`
    /// and `max_amount`; every bad one is reported at once (422). Amount bounds are read in
    /// `currency`, or the organization's, and limit the list to that currency.
    static func filter(_ parameters: [String: String], defaultCurrency: Currency) throws -> ExpenseFilter {
        var validator = Validator()
        var filter = ExpenseFilter()
        func value(_ name: String) -> String? { QueryValue.read(parameters, name, &validator) }
        if let from = value("from") {
            filter.from = try validator.check { try CalendarDate(parsing: from, field: "from") }
        }
        if let to = value("to") { filter.to = try validator.check { try CalendarDate(parsing: to, field: "to") } }
        if let from = filter.from, let to = filter.to, to < from {
            validator.add("to", "The end date must not be before the start date.")
        }
        if let category = value("category_id") {
            filter.categoryID = CategoryID(uuidString: category)
            if filter.categoryID == nil { validator.add("category_id", "Not a category id.") }
        }
        if let member = value("member_id") {
            filter.memberID = UserID(uuidString: member)
            if filter.memberID == nil { validator.add("member_id", "Not a member id.") }
        }
        if let tag = value("tag") {
            filter.tag = try validator.check { try Tags.normalize([tag]).first } ?? nil
        }
        if let text = value("q") {
            if text.count > 100 { validator.add("q", "Search for at most 100 characters.") } else { filter.text = text }
        }
        if let currency = value("currency") {
            filter.currency = try validator.check { try Currency(code: currency) }
        }
        let amountCurrency = filter.currency ?? defaultCurrency
        for (name, keyPath) in [("min_amount", \ExpenseFilter.minimumMinorUnits), ("max_amount", \.maximumMinorUnits)] {
            guard let raw = value(name) else { continue }
            if let money = try validator.check({ try Money(parsing: raw, currency: amountCurrency, field: name) }) {
                filter[keyPath: keyPath] = money.minorUnits
                filter.currency = amountCurrency
            }
        }
        try validating { try validator.finish() }
        return filter
    }
}

/// One query parameter: absent is "not given"; present but blank is a mistake the caller hears
/// about (pages drop their blank fields before they get here).
enum QueryValue {
    static func read(_ parameters: [String: String], _ name: String, _ validator: inout Validator) -> String? {
        guard let raw = parameters[name] else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { validator.add(name, "Leave it out or give a value.") }
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension ExpenseInput: NullableJSONFields {
    static var nullableFields: Set<String> { ["category_id"] }
}
