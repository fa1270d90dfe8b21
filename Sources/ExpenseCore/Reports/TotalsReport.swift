/// The sum of one day's expenses of one currency (and one group, when grouped), as the
/// database aggregates them.
public struct DayTotal: Sendable, Hashable {
    public var day: CalendarDate
    public var currency: Currency
    /// The category or member id the row belongs to, when the report is grouped.
    public var group: String?
    public var minorUnits: Int128
    public var count: Int
    /// In a base-currency report (`currency` is the base): the expenses left out of the sum
    /// because no rate converts them yet. Zero otherwise.
    public var unconverted: Int

    public init(
        day: CalendarDate, currency: Currency, group: String?, minorUnits: Int128, count: Int, unconverted: Int = 0
    ) {
        self.day = day
        self.currency = currency
        self.group = group
        self.minorUnits = minorUnits
        self.count = count
        self.unconverted = unconverted
    }
}

/// Period totals: day sums rolled up into dense buckets (an empty period shows a zero), per
/// currency, and per group when asked.
public struct TotalsReport: Sendable, Equatable {
    public struct Group: Sendable, Equatable {
        /// The category or member id; nil for expenses without a category.
        public var key: String?
        public var totals: [MoneyTotal]
        /// Expenses without a base amount (base-currency reports only).
        public var unconverted: Int
    }

    public struct Bucket: Sendable, Equatable {
        public var start: CalendarDate
        /// The bucket's last day (clipped to the range's end).
        public var end: CalendarDate
        /// Per currency, sorted by code; a zero of `baseCurrency` when nothing was spent.
        public var totals: [MoneyTotal]
        /// Per group, largest first (by the base currency, then by key); empty when ungrouped.
        public var groups: [Group]
        /// Expenses without a base amount (base-currency reports only).
        public var unconverted: Int
    }

    public var period: ReportPeriod
    public var range: DateRange
    public var buckets: [Bucket]
    /// The whole range's totals per currency.
    public var totals: [MoneyTotal]
    /// The whole range's totals per group, largest first.
    public var groups: [Group]
    /// The whole range's expenses without a base amount (base-currency reports only).
    public var unconverted: Int

    /// Rolls `days` (any order; rows outside the range are ignored) into buckets of `period`
    /// covering `range`. Refuses a range of more than `DateRange.maximumBuckets` buckets.
    public init(
        period: ReportPeriod, range: DateRange, weekStart: Weekday, baseCurrency: Currency, grouped: Bool,
        days: [DayTotal]
    ) throws {
        var starts: [CalendarDate] = []
        var cursor = period.start(of: range.from, weekStart: weekStart)
        while cursor <= range.to {
            starts.append(cursor)
            guard starts.count <= DateRange.maximumBuckets else {
                throw ValidationError(
                    "from",
                    "That range has more than \(DateRange.maximumBuckets) \(period.rawValue)s; choose a shorter one.")
            }
            cursor = period.next(after: cursor)
        }
        // Bucket index by day number: the starts are sorted, so a binary search places each row.
        let startNumbers = starts.map(\.dayNumber)
        let firstDay = range.from.dayNumber
        let lastDay = range.to.dayNumber
        var perBucket = [Accumulator](repeating: Accumulator(), count: starts.count)
        var overall = Accumulator()
        for row in days {
            let number = row.day.dayNumber
            guard number >= firstDay, number <= lastDay else { continue }
            var low = 0
            var high = startNumbers.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if startNumbers[mid] <= number { low = mid } else { high = mid - 1 }
            }
            perBucket[low].add(row, grouped: grouped)
            overall.add(row, grouped: grouped)
        }
        self.period = period
        self.range = range
        self.buckets = starts.indices.map { index in
            let end = index + 1 < starts.count ? starts[index + 1].adding(days: -1) : range.to
            return Bucket(
                start: starts[index], end: min(end, range.to),
                totals: perBucket[index].totals(base: baseCurrency),
                groups: perBucket[index].groups(base: baseCurrency), unconverted: perBucket[index].unconverted)
        }
        self.totals = overall.totals(base: baseCurrency)
        self.groups = overall.groups(base: baseCurrency)
        self.unconverted = overall.unconverted
    }

    struct Accumulator {
        var byCurrency: [Currency: MoneyTotal] = [:]
        var byGroup: [String?: [Currency: MoneyTotal]] = [:]
        var unconverted = 0
        var unconvertedByGroup: [String?: Int] = [:]

        mutating func add(_ row: DayTotal, grouped: Bool) {
            unconverted += row.unconverted
            if grouped, row.unconverted > 0 { unconvertedByGroup[row.group, default: 0] += row.unconverted }
            // A day whose expenses all wait for a rate adds a group, not a zero total.
            guard row.count > 0 else {
                if grouped, byGroup[row.group] == nil { byGroup[row.group] = [:] }
                return
            }
            let day = MoneyTotal(currency: row.currency, minorUnits: row.minorUnits, count: row.count)
            // Same currency by construction, so these cannot throw.
            try? byCurrency[row.currency, default: MoneyTotal(currency: row.currency)].add(day)
            if grouped {
                try? byGroup[row.group, default: [:]][row.currency, default: MoneyTotal(currency: row.currency)].add(
                    day)
            }
        }

        func totals(base: Currency) -> [MoneyTotal] {
            byCurrency.isEmpty
                ? [MoneyTotal(currency: base)] : byCurrency.values.sorted { $0.currency.code < $1.currency.code }
        }

        func groups(base: Currency) -> [Group] {
            byGroup.map { key, totals in
                Group(
                    key: key,
                    totals: totals.isEmpty
                        ? [MoneyTotal(currency: base)] : totals.values.sorted { $0.currency.code < $1.currency.code },
                    unconverted: unconvertedByGroup[key] ?? 0)
            }.sorted { lhs, rhs in
                let left = lhs.totals.first { $0.currency == base }?.minorUnits ?? 0
                let right = rhs.totals.first { $0.currency == base }?.minorUnits ?? 0
                if left != right { return left > right }
                return (lhs.key ?? "") < (rhs.key ?? "")
            }
        }
    }
}
