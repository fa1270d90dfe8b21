import Foundation

/// A schedule: what each occurrence is (an expense template, logged as its member) and when.
public struct RecurringExpense: Sendable, Equatable {
    public var id: RecurringID
    public var memberID: UserID
    public var memberName: String
    public var amount: Money
    public var categoryID: CategoryID?
    public var merchant: String
    public var note: String
    public var tags: [String]
    public var reimbursable: Bool
    public var rule: Recurrence
    public var paused: Bool
    /// The last day occurrences were written up to; edits never reach back before it.
    public var createdThrough: CalendarDate?
    public var createdCount: Int
    /// The next occurrence to write, nil once the rule has ended.
    public var nextOn: CalendarDate?
    /// Occurrences not written because their date was in a closed period, and the last of them.
    public var skippedCount = 0
    public var lastSkippedOn: CalendarDate?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecurringID, memberID: UserID, memberName: String, amount: Money, categoryID: CategoryID?,
        merchant: String, note: String, tags: [String], reimbursable: Bool, rule: Recurrence, paused: Bool,
        createdThrough: CalendarDate?, createdCount: Int, nextOn: CalendarDate?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.memberID = memberID
        self.memberName = memberName
        self.amount = amount
        self.categoryID = categoryID
        self.merchant = merchant
        self.note = note
        self.tags = tags
        self.reimbursable = reimbursable
        self.rule = rule
        self.paused = paused
        self.createdThrough = createdThrough
        self.createdCount = createdCount
        self.nextOn = nextOn
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The occurrences due by `today` not written yet.
    public func due(through today: CalendarDate) -> [CalendarDate] {
        paused ? [] : rule.dates(after: createdThrough, through: today)
    }
}
