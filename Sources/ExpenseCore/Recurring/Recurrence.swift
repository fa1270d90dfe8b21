import Foundation

/// When a recurring expense falls: every `interval` days, weeks, months or years from `start`,
/// until `end` (included) or for `count` occurrences, whichever comes first.
///
/// Months and years are counted from the start, never from the previous occurrence: a monthly
/// rule on the 31st falls on the last day of shorter months and on the 31st again after them;
/// a yearly rule on 29 February falls on 28 February in common years.
public struct Recurrence: Sendable, Equatable {
    public enum Frequency: String, Sendable, CaseIterable {
        case daily, weekly, monthly, yearly
    }

    public var frequency: Frequency
    public var interval: Int
    public var start: CalendarDate
    public var end: CalendarDate?
    public var count: Int?

    public static let maximumInterval = 1000
    public static let maximumCount = 100_000

    public init(frequency: Frequency, interval: Int, start: CalendarDate, end: CalendarDate?, count: Int?) throws {
        var validator = Validator()
        if !(1...Self.maximumInterval).contains(interval) {
            validator.add("interval", "Repeat every 1 to \(Self.maximumInterval) periods.")
        }
        if let end, end < start { validator.add("end_date", "The end date must not be before the start date.") }
        if let count, !(1...Self.maximumCount).contains(count) {
            validator.add("count", "Give 1 to \(Self.maximumCount) occurrences, or none for no limit.")
        }
        try validator.finish()
        self.frequency = frequency
        self.interval = interval
        self.start = start
        self.end = end
        self.count = count
    }

    /// The `index`th occurrence (0 is the start), nil past the last date there is.
    public func occurrence(_ index: Int) -> CalendarDate? {
        let steps = index * interval
        switch frequency {
        case .daily, .weekly:
            let days = frequency == .daily ? steps : steps * 7
            let number = start.dayNumber + days
            guard number <= CalendarDate.latest.dayNumber else { return nil }
            return CalendarDate(dayNumber: number)
        case .monthly, .yearly:
            let months = frequency == .monthly ? steps : steps * 12
            let total = start.year * 12 + (start.month - 1) + months
            let (year, month) = (total / 12, total % 12 + 1)
            guard year <= CalendarDate.latest.year else { return nil }
            return CalendarDate(
                year: year, month: month, day: min(start.day, CalendarDate.daysIn(month: month, year: year)))
        }
    }

    /// The occurrences after `after` (all from the start when nil) up to `through`, both by
    /// date, within the end date and the count.
    public func dates(after: CalendarDate?, through: CalendarDate) -> [CalendarDate] {
        var index = firstIndex(after: after)
        var dates: [CalendarDate] = []
        while count.map({ index < $0 }) ?? true, let date = occurrence(index), date <= through,
            end.map({ date <= $0 }) ?? true
        {
            dates.append(date)
            index += 1
        }
        return dates
    }

    /// The first occurrence after `date` (or the start), nil when the rule has ended by then.
    public func next(after date: CalendarDate?) -> CalendarDate? {
        let index = firstIndex(after: date)
        guard count.map({ index < $0 }) ?? true, let next = occurrence(index), end.map({ next <= $0 }) ?? true
        else { return nil }
        return next
    }

    /// The index of the first occurrence after `date`: estimated from the distance, then moved
    /// past any that are not after it.
    func firstIndex(after date: CalendarDate?) -> Int {
        guard let date, date >= start else { return 0 }
        let estimate: Int
        switch frequency {
        case .daily: estimate = (date.dayNumber - start.dayNumber) / interval
        case .weekly: estimate = (date.dayNumber - start.dayNumber) / (7 * interval)
        case .monthly: estimate = ((date.year - start.year) * 12 + date.month - start.month) / interval
        case .yearly: estimate = (date.year - start.year) / interval
        }
        var index = max(0, estimate - 1)
        while let occurrence = occurrence(index), occurrence <= date { index += 1 }
        return index
    }
}
