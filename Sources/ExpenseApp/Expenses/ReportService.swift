import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Period totals and CSV exports: the database sums days, the domain rolls them up.
public struct ReportService: Sendable {
    let store: Store
    let clock: AppClock
    let logger: Logger

    /// What a totals report is asked for; nil dates default to the last twelve periods.
    public struct Request: Sendable {
        public var period: ReportPeriod
        public var from: CalendarDate?
        public var to: CalendarDate?
        public var groupBy: ExpenseRepository.Grouping?
        /// One total per bucket in the organization's currency (base amounts), with the count of
        /// expenses no rate converts yet; otherwise one total per currency spent.
        public var inBase: Bool

        public init(
            period: ReportPeriod, from: CalendarDate? = nil, to: CalendarDate? = nil,
            groupBy: ExpenseRepository.Grouping? = nil, inBase: Bool = false
        ) {
            self.period = period
            self.from = from
            self.to = to
            self.groupBy = groupBy
            self.inBase = inBase
        }
    }

    /// A totals report with the names of its groups.
    public struct Totals: Sendable {
        public var report: TotalsReport
        public var groupBy: ExpenseRepository.Grouping?
        /// Whether the totals are base amounts (`Request.inBase`).
        public var inBase: Bool = false
        /// Category or member names by id; a group without a key is "Uncategorized".
        public var names: [String: String]
        /// The books are closed through this date (nil: nothing is closed).
        public var closedThrough: CalendarDate?

        /// Whether every day of the bucket is in the closed period.
        public func isClosed(_ bucket: TotalsReport.Bucket) -> Bool {
            closedThrough.map { bucket.end <= $0 } ?? false
        }

        public func name(of key: String?) -> String {
            guard let key else { return "Uncategorized" }
            return names[key] ?? "Unknown"
        }
    }

    /// Refuses roles that may not download CSV (checked before the query is read, so a viewer
    /// gets 403 whatever the parameters).
    public func authorizeExport(_ access: TenantAccess) throws {
        try access.require(.exportCSV)
    }

    /// The range the reports page opens on: this year to date, or from the first expense when
    /// that is later (a young organization sees its whole life, not months of zeros).
    public func yearToDate(_ access: TenantAccess) async throws -> (from: CalendarDate, to: CalendarDate) {
        try access.require(.viewOrganization)
        let today = access.organization.today(at: clock.now())
        let store = self.store
        let first = try await access.reading { tx in try await store.expenses.earliestDate(tx) }
        let yearStart = CalendarDate(year: today.year, month: 1, day: 1) ?? today
        return (from: min(max(yearStart, first ?? today), today), to: today)
    }

    public func totals(_ access: TenantAccess, _ request: Request) async throws -> Totals {
        try access.require(.viewOrganization)
        let organization = access.organization
        let today = organization.today(at: clock.now())
        let range = try validating {
            try DateRange.defaulted(
                from: request.from, to: request.to, period: request.period, weekStart: organization.weekStart,
                today: today)
        }
        let base = organization.currency
        // Refuse a range with too many buckets before asking the database anything.
        _ = try validating {
            try TotalsReport(
                period: request.period, range: range, weekStart: organization.weekStart, baseCurrency: base,
                grouped: false, days: [])
        }
        let store = self.store
        let (days, names) = try await access.reading { tx in
            let days =
                request.inBase
                ? try await store.expenses.baseDayTotals(
                    tx, from: range.from, to: range.to, groupBy: request.groupBy, base: base)
                : try await store.expenses.dayTotals(tx, from: range.from, to: range.to, groupBy: request.groupBy)
            let names = try await Self.groupNames(request.groupBy, days: days, in: tx, store: store)
            return (days, names)
        }
        let report = try validating {
            try TotalsReport(
                period: request.period, range: range, weekStart: organization.weekStart, baseCurrency: base,
                grouped: request.groupBy != nil, days: days)
        }
        return Totals(
            report: report, groupBy: request.groupBy, inBase: request.inBase, names: names,
            closedThrough: access.organization.closedThrough)
    }

    /// Every expense matching `filter`, oldest first, read page by page. The role is checked
    /// here, before any byte of a response is sent.
    public func exportPages(_ access: TenantAccess, _ filter: ExpenseFilter, batchSize: Int = 2000) throws
        -> ExpensePages
    {
        try access.require(.exportCSV)
        return ExpensePages(
            store: store, tenantID: access.tenantID, actor: access.user.id, filter: filter, batchSize: batchSize,
            replica: access.replica)
    }

    static func groupNames(
        _ groupBy: ExpenseRepository.Grouping?, days: [DayTotal], in tx: TenantTransaction, store: Store
    ) async throws -> [String: String] {
        switch groupBy {
        case nil:
            return [:]
        case .category:
            let categories = try await store.categories.list(tx)
            return Dictionary(categories.map { ($0.id.description, $0.name) }, uniquingKeysWith: { first, _ in first })
        case .member:
            let ids = Set(days.compactMap(\.group)).compactMap(UserID.init(uuidString:))
            let names = try await store.expenses.authorNames(tx, ids: ids)
            return Dictionary(uniqueKeysWithValues: names.map { ($0.key.description, $0.value) })
        }
    }
}
