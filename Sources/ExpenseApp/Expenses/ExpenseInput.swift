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
    /// Paid out of pocket (true, the default) or with a company card (false: never claimed).
    public var reimbursable: Bool?
    /// A rate for this expense alone (units of the organization's currency per unit of the
    /// expense's), instead of the organization's rate for its date.
    public var rate: String?
    /// Set by the pages: the amount is read as typed (`1,200.00`, `$12`), not as the API's
    /// plain decimal.
    public var amountAsTyped = false

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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case amount, currency, date, merchant, note, tags, reimbursable, rate
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
        reimbursable = try container.decodeIfPresent(Bool.self, forKey: .reimbursable)
        rate = try container.decodeIfPresent(String.self, forKey: .rate)
    }

    /// The validated draft of a new expense.
    func draft(defaultCurrency: Currency) throws -> ExpenseDraft {
        try ExpenseDraft(
            amount: amount, currency: currency, date: date, categoryID: categoryID, merchant: merchant, note: note,
            tags: tags, defaultCurrency: defaultCurrency, amountAsTyped: amountAsTyped)
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
            defaultCurrency: expense.amount.currency, amountAsTyped: amountAsTyped, storedTags: expense.tags)
    }
}

extension ExpenseInput: NullableJSONFields {
    static var nullableFields: Set<String> { ["category_id"] }
}
