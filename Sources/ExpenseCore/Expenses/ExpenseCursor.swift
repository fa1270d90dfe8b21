import Foundation

/// Where a page of the newest-first list ended: the last row's date and sequence. Opaque to
/// clients (base64url), so its shape can change without breaking them.
public struct ExpenseCursor: Sendable, Equatable {
    public var date: CalendarDate
    public var sequence: Int64

    public init(date: CalendarDate, sequence: Int64) {
        self.date = date
        self.sequence = sequence
    }

    public init(after expense: Expense) {
        self.init(date: expense.date, sequence: expense.sequence)
    }

    /// Decodes a cursor a previous page gave; a `ValidationError` on `cursor` otherwise.
    public init(token: String) throws {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 64, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8)
        else { throw Self.invalid }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let date = try? CalendarDate(parsing: String(parts[0])),
            let sequence = Int64(parts[1]), sequence >= 0
        else { throw Self.invalid }
        self.init(date: date, sequence: sequence)
    }

    public var token: String {
        Data("\(date)/\(sequence)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static let invalid = ValidationError(
        "cursor", "This cursor is not one a previous page gave; start from the first page.")
}

/// Which expenses a list, report or export covers. Amounts compare within `currency` only.
public struct ExpenseFilter: Sendable, Equatable {
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var categoryID: CategoryID?
    public var memberID: UserID?
    public var tag: String?
    /// Text found in the merchant or the note, any case.
    public var text: String?
    public var currency: Currency?
    public var minimumMinorUnits: Int64?
    public var maximumMinorUnits: Int64?
    /// Only expenses with at least one receipt (true) or with none (false).
    public var hasReceipt: Bool?
    /// Only the expenses of this claim.
    public var claimID: ClaimID?
    /// Only reimbursable expenses in no claim: what a claim can still gather.
    public var claimable = false

    public init(
        from: CalendarDate? = nil, to: CalendarDate? = nil, categoryID: CategoryID? = nil, memberID: UserID? = nil,
        tag: String? = nil, text: String? = nil, currency: Currency? = nil, minimumMinorUnits: Int64? = nil,
        maximumMinorUnits: Int64? = nil, hasReceipt: Bool? = nil, claimID: ClaimID? = nil, claimable: Bool = false
    ) {
        self.claimID = claimID
        self.claimable = claimable
        self.from = from
        self.to = to
        self.categoryID = categoryID
        self.memberID = memberID
        self.tag = tag
        self.text = text
        self.currency = currency
        self.minimumMinorUnits = minimumMinorUnits
        self.maximumMinorUnits = maximumMinorUnits
        self.hasReceipt = hasReceipt
    }
}
