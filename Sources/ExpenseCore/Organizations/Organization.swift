import Foundation

/// An organization: the tenant that owns members, categories and expenses.
public struct Organization: Sendable, Equatable, Codable {
    public var id: OrganizationID
    public var name: String
    public var kind: OrganizationKind
    /// The default currency of its expenses and the one its reports total in.
    public var currency: Currency
    /// Expense dates are calendar dates in this zone ("today" is today here).
    public var timeZone: TimeZone
    public var weekStart: Weekday
    /// The claim policy, in minor units of `currency`: an expense costlier than this needs a
    /// receipt before a claim holding it is submitted; nil when there is no such rule.
    public var receiptRequiredAbove: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    /// Whether it keeps any budget: read with the organization, so that logging an expense in
    /// one without budgets spends no statement on them.
    public var hasBudgets = false
    /// The books are closed through this date: expenses dated on or before it no longer change.
    public var closedThrough: CalendarDate?
    /// Every member must sign in with a second factor to reach it.
    public var requireSecondFactor = false
    /// Whether it ever had a webhook endpoint: read with the organization, so that a change in
    /// one without endpoints spends no statement on queuing events.
    public var hasWebhooks = false

    /// Whether an expense dated `date` is in a closed period.
    public func isClosed(_ date: CalendarDate) -> Bool { closedThrough.map { date <= $0 } ?? false }

    /// The receipt threshold as an amount of the organization's currency.
    public var receiptThreshold: Money? {
        receiptRequiredAbove.flatMap { Money(minorUnits: $0, currency: currency) }
    }

    /// Today's date where the organization is.
    public func today(at now: Date) -> CalendarDate { CalendarDate(now, in: timeZone) }

    public init(
        id: OrganizationID,
        name: String,
        kind: OrganizationKind,
        currency: Currency,
        timeZone: TimeZone,
        weekStart: Weekday,
        receiptRequiredAbove: Int64? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.currency = currency
        self.timeZone = timeZone
        self.weekStart = weekStart
        self.receiptRequiredAbove = receiptRequiredAbove
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
