import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The reports page.
struct WebReportController: Sendable {
    let reports: ReportService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("reports", use: reportsPage)
    }

    @Sendable func reportsPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let query = request.formQueryValues
        var failure: String?
        var status = HTTPResponse.Status.ok
        var asked = ReportService.Request(period: .month)
        var result: ReportService.Totals
        do {
            asked = try ReportService.Request.parse(query)
            if asked.from == nil, asked.to == nil {
                (asked.from, asked.to) = try await reports.yearToDate(access)
            }
            result = try await reports.totals(access, asked)
        } catch AppError.validation(let error) {
            failure = PageFormat.messages(error).joined(separator: " ")
            status = .unprocessableContent
            result = try await reports.totals(access, ReportService.Request(period: .month))
        }
        let base = access.organization.currency
        let report = result.report
        let charts = BarChart.perCurrency(
            base: base, present: report.totals.map(\.currency),
            label: { "Totals per \(report.period.rawValue) in \($0.code)" },
            items: { currency in
                report.buckets.map { bucket in
                    let total = bucket.totals.first { $0.currency == currency } ?? MoneyTotal(currency: currency)
                    return (Self.label(bucket, period: report.period), total.minorUnits, total.text)
                }
            })
        let groupBy =
            switch result.groupBy {
            case .category: "category"
            case .member: "member"
            case nil: ""
            }
        let reportQuery = [
            "period": report.period.rawValue, "from": report.range.from.description,
            "to": report.range.to.description, "group_by": groupBy, "currency": result.inBase ? "base" : "",
        ]
        // In the base currency, what the totals leave out for want of a rate.
        func waiting(_ count: Int) -> String? {
            guard result.inBase, count > 0 else { return nil }
            return count == 1 ? "1 waits for a rate" : "\(count) wait for a rate"
        }
        let exportQuery = ["from": report.range.from.description, "to": report.range.to.description]
        let groupRows = { (groups: [TotalsReport.Group]) in
            groups.map {
                CategoryTotalRow(
                    name: result.name(of: $0.key), totals: $0.totals.map(AmountCell.init),
                    unconverted: waiting($0.unconverted))
            }
        }
        var page = ReportsPage(
            title: "Reports of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .reports),
            periods: ReportPeriod.allCases.map {
                Choice(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == report.period)
            },
            groupings: [("", "No grouping"), ("category", "Category"), ("member", "Member")].map {
                Choice(value: $0.0, label: $0.1, selected: $0.0 == groupBy)
            },
            amountChoices: [
                Choice(value: "", label: "Each currency as spent", selected: !result.inBase),
                Choice(value: "base", label: "All in \(base.code)", selected: result.inBase),
            ],
            from: report.range.from.description, to: report.range.to.description,
            rows: report.buckets.map {
                ReportsPage.Row(
                    start: PageFormat.day(max($0.start, report.range.from)), end: PageFormat.day($0.end),
                    isoStart: max($0.start, report.range.from).description,
                    isoEnd: $0.end.description, totals: $0.totals.map(AmountCell.init),
                    groups: groupRows($0.groups), unconverted: waiting($0.unconverted),
                    closed: result.isClosed($0))
            },
            periodNote: Self.periodNote(report, weekStart: access.organization.weekStart),
            grouped: result.groupBy != nil, totals: report.totals.map(AmountCell.init),
            wholeRange: report.totals.allSatisfy { $0.count == 0 }
                ? "nothing spent"
                : report.totals.map(AmountCell.init).map { "\($0.amount) across \($0.expenses)" }
                    .joined(separator: "; ") + Self.leftOut(report.unconverted, inBase: result.inBase),
            groups: groupRows(report.groups),
            charts: charts,
            totalsCSV: "/orgs/\(access.tenantID)/exports/totals.csv?" + QueryString.encode(reportQuery),
            expensesCSV: "/orgs/\(access.tenantID)/exports/expenses.csv?" + QueryString.encode(exportQuery),
            receiptsZip: "/orgs/\(access.tenantID)/exports/receipts.zip?" + QueryString.encode(exportQuery))
        page.closedThrough = result.closedThrough.map(PageFormat.day)
        return try pages.render(.reports, page, status: status)
    }

    /// Where the report's periods start and why: weeks start on the organization's first day
    /// of the week, and a range that begins or ends inside a period counts only its own days
    /// of it (the rows say so by their dates).
    static func periodNote(_ report: TotalsReport, weekStart: Weekday) -> String? {
        let period = report.period
        var sentences: [String] = []
        if period == .week {
            sentences.append("Weeks start on \(weekStart.name.capitalized), as the organization's settings say.")
        }
        let range = report.range
        if period != .day, period.start(of: range.from, weekStart: weekStart) != range.from {
            sentences.append(
                "The range's first \(period.rawValue) counts from \(PageFormat.day(range.from)), where the range starts."
            )
        }
        if period != .day,
            period.next(after: period.start(of: range.to, weekStart: weekStart)).adding(days: -1) != range.to
        {
            sentences.append(
                "The range's last \(period.rawValue) counts up to \(PageFormat.day(range.to)), where the range ends.")
        }
        return sentences.isEmpty ? nil : sentences.joined(separator: " ")
    }

    /// "; 2 expenses in other currencies left out until a rate converts them", in a report in
    /// the base currency that has such expenses.
    static func leftOut(_ unconverted: Int, inBase: Bool) -> String {
        guard inBase, unconverted > 0 else { return "" }
        return "; \(unconverted == 1 ? "1 expense" : "\(unconverted) expenses") in other currencies left out "
            + "until a rate converts \(unconverted == 1 ? "it" : "them")"
    }

    static func label(_ bucket: TotalsReport.Bucket, period: ReportPeriod) -> String {
        switch period {
        case .day: PageFormat.day(bucket.start)
        case .week: "Week of \(PageFormat.day(bucket.start))"
        case .month: PageFormat.month(bucket.start)
        case .quarter: "Q\((bucket.start.month - 1) / 3 + 1) \(bucket.start.year)"
        case .year: String(bucket.start.year)
        }
    }
}
