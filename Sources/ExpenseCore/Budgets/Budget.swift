import Foundation

/// A budget: an amount in the organization's currency per month, quarter or year, for the whole
/// organization or one category, with the percents of it at which owners, admins and finance
/// are told.
public struct Budget: Sendable, Equatable {
    public enum Period: String, Sendable, CaseIterable {
        case month, quarter, year

        var reportPeriod: ReportPeriod {
            switch self {
            case .month: .month
            case .quarter: .quarter
            case .year: .year
            }
        }

        /// The period holding `date`, both ends included.
        public func span(of date: CalendarDate) -> (start: CalendarDate, end: CalendarDate) {
            let start = reportPeriod.start(of: date, weekStart: .monday)
            return (start, reportPeriod.next(after: start).adding(days: -1))
        }

        /// The `count` periods up to the one holding `date`, oldest first.
        public func spans(count: Int, upTo date: CalendarDate) -> [(start: CalendarDate, end: CalendarDate)] {
            let last = reportPeriod.start(of: date, weekStart: .monday)
            return (0..<count).reversed().map { back in
                let start = reportPeriod.previous(back, before: last)
                return (start, reportPeriod.next(after: start).adding(days: -1))
            }
        }
    }

    public var id: BudgetID
    public var name: String
    /// In the organization's currency.
    public var amount: Money
    public var period: Period
    /// Nil: every expense of the organization counts.
    public var categoryID: CategoryID?
    /// Ascending, distinct, 1 to 1000.
    public var alertPercents: [Int]
    public var createdAt: Date
    public var updatedAt: Date

    public static let defaultAlertPercents = [80, 100]
    public static let maximumAlerts = 5

    public init(
        id: BudgetID, name: String, amount: Money, period: Period, categoryID: CategoryID?, alertPercents: [Int],
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.amount = amount
        self.period = period
        self.categoryID = categoryID
        self.alertPercents = alertPercents
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The alert percents reached by `spent` minor units, in ascending order: a percent is
    /// reached when spent × 100 ≥ amount × percent, exactly (no rounding).
    public func reached(spent: Int128) -> [Int] {
        alertPercents.filter { spent * 100 >= Int128(amount.minorUnits) * Int128($0) }
    }

    /// Checks a name, amount and alert list as a request gives them; the amount must be more
    /// than zero in the organization's currency.
    public static func validated(name: String, alertPercents: [Int]?) throws -> (String, [Int]) {
        var validator = Validator()
        // As a category's: runs of spaces and control characters become one space; the limit
        // counts code points, as the database does.
        let cleaned = ExpenseDraft.clean(name)
        if cleaned.isEmpty || cleaned.unicodeScalars.count > 100 {
            validator.add("name", "Give the budget a name of 1 to 100 characters.")
        }
        let percents = alertPercents ?? defaultAlertPercents
        if percents.isEmpty || percents.count > maximumAlerts || percents.contains(where: { !(1...1000).contains($0) })
            || Set(percents).count != percents.count
        {
            validator.add(
                "alert_percents",
                "Give 1 to \(maximumAlerts) different percents between 1 and 1000, such as 80 and 100.")
        }
        try validator.finish()
        return (cleaned, percents.sorted())
    }
}

/// How a budget stands in one period: spent (base amounts of the period's expenses), what is
/// left, and the share used.
public struct BudgetStatus: Sendable, Equatable {
    public var start: CalendarDate
    public var end: CalendarDate
    public var budget: Money
    public var spent: Int128
    /// Expenses in the period no rate converts yet (left out of `spent`).
    public var unconverted: Int

    public init(start: CalendarDate, end: CalendarDate, budget: Money, spent: Int128, unconverted: Int) {
        self.start = start
        self.end = end
        self.budget = budget
        self.spent = spent
        self.unconverted = unconverted
    }

    /// Negative once overspent.
    public var remaining: Int128 { Int128(budget.minorUnits) - spent }

    /// Whole percent used, rounded down (99.9% is 99, so "100%" means all of it is spent); held
    /// within `Int` however far past the budget the spending goes.
    public var percent: Int { Int(clamping: spent * 100 / Int128(budget.minorUnits)) }
}
