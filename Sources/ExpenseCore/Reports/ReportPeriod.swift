/// The length of a report's buckets.
public enum ReportPeriod: String, Sendable, CaseIterable, Codable {
    case day, week, month, quarter, year

    /// The first day of the bucket holding `date`; weeks start on `weekStart`.
    public func start(of date: CalendarDate, weekStart: Weekday) -> CalendarDate {
        switch self {
        case .day:
            return date
        case .week:
            let back = (date.weekday.rawValue - weekStart.rawValue + 7) % 7
            return date.adding(days: -back)
        case .month:
            return CalendarDate(unchecked: date.year, date.month, 1)
        case .quarter:
            return CalendarDate(unchecked: date.year, (date.month - 1) / 3 * 3 + 1, 1)
        case .year:
            return CalendarDate(unchecked: date.year, 1, 1)
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    public func next(after start: CalendarDate) -> CalendarDate {
        switch self {
        case .day: start.adding(days: 1)
        case .week: start.adding(days: 7)
        case .month: start.adding(months: 1)
        case .quarter: start.adding(months: 3)
        case .year: start.adding(months: 12)
        }
    }

    /// The first day of the bucket `count` buckets before the one starting at `start`.
    public func previous(_ count: Int, before start: CalendarDate) -> CalendarDate {
        switch self {
        case .day: start.adding(days: -count)
        case .week: start.adding(days: -7 * count)
        case .month: start.adding(months: -count)
        case .quarter: start.adding(months: -3 * count)
        case .year: start.adding(months: -12 * count)
        }
    }
}

/// The dates a report or export covers, both ends included.
public struct DateRange: Sendable, Hashable {
    public let from: CalendarDate
    public let to: CalendarDate

    /// The most buckets one report may have (a little over ten years of days).
    public static let maximumBuckets = 4000

    public init(from: CalendarDate, to: CalendarDate) throws {
        guard from <= to else { throw ValidationError("to", "The end date must not be before the start date.") }
        self.from = from
        self.to = to
    }

    /// The range a report shows when the request names no dates: the twelve buckets up to
    /// `today` (thirty-one for days), or from `from` to `today`.
    public static func defaulted(
        from: CalendarDate?, to: CalendarDate?, period: ReportPeriod, weekStart: Weekday, today: CalendarDate
    ) throws -> DateRange {
        let end = to ?? max(today, from ?? today)
        let count = period == .day ? 30 : 11
        let start = from ?? period.previous(count, before: period.start(of: end, weekStart: weekStart))
        return try DateRange(from: start, to: end)
    }
}
