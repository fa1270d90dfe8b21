import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An organization's dashboard: this month's spending by category, last month's to compare,
/// and the latest expenses.
struct WebDashboardController: Sendable {
    let expenses: ExpenseService
    let reports: ReportService
    let claims: ClaimService
    let budgets: BudgetService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("dashboard", use: dashboard)
    }

    @Sendable func dashboard(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let today = access.organization.today(at: expenses.clock.now())
        let thisMonth = ReportPeriod.month.start(of: today, weekStart: .monday)
        // Month to date against the same days of last month (to the same day of the month,
        // or last month's end when it is shorter): a comparison with a whole month would always
        // look like a fall until the month ends.
        let lastMonth = thisMonth.adding(months: -1)
        let sameDayLastMonth = today.adding(months: -1)
        let totals = try await reports.totals(
            access, .init(period: .month, from: thisMonth, to: today, groupBy: .category))
        let earlier = try await reports.totals(
            access, .init(period: .month, from: lastMonth, to: sameDayLastMonth))
        let current = totals.report.buckets.last
        let previous = earlier.report.buckets.first
        let base = access.organization.currency
        // With spending in other currencies, the month also in the organization's currency (the
        // base amounts), which is what the change against last month compares.
        var change = Self.change(
            from: previous?.totals.first { $0.currency == base }, to: current?.totals.first { $0.currency == base })
        var inBase: String?
        if ((current?.totals ?? []) + (previous?.totals ?? [])).contains(where: { $0.currency != base }) {
            let now = try await reports.totals(access, .init(period: .month, from: thisMonth, to: today, inBase: true))
            let then = try await reports.totals(
                access, .init(period: .month, from: lastMonth, to: sameDayLastMonth, inBase: true))
            let total = now.report.totals.first ?? MoneyTotal(currency: base)
            inBase =
                "All in \(base.code): \(total.text)"
                + WebReportController.leftOut(now.report.unconverted, inBase: true)
            change = Self.change(from: then.report.totals.first, to: now.report.totals.first)
        }
        let groups = current?.groups ?? []
        let charts = BarChart.perCurrency(
            base: base, present: groups.flatMap { $0.totals.map(\.currency) },
            label: { "Spending by category this month, in \($0.code)" },
            items: { currency in
                groups.compactMap { group in
                    guard let total = group.totals.first(where: { $0.currency == currency }) else { return nil }
                    return (totals.name(of: group.key), total.minorUnits, total.text)
                }
            })
        let latest = try await expenses.list(access, ExpenseFilter(), cursor: nil, limit: 10).items
        let claimSummary = try await claims.summary(access)
        let budgetRows = try await budgets.list(access).map { BudgetRow($0, organization: access.tenantID) }
        let locked = try await claims.locked(access, among: latest)
        var page = OrganizationDashboardPage(
            title: access.organization.name,
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: Notice.text(request),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .dashboard),
            monthLabel: PageFormat.month(thisMonth),
            lastMonthLabel: "\(PageFormat.month(lastMonth)) \(lastMonth.day)–\(sameDayLastMonth.day)",
            thisMonth: (current?.totals ?? []).map(AmountCell.init),
            lastMonth: (previous?.totals ?? []).map(AmountCell.init),
            inBase: inBase, change: change,
            charts: charts,
            categories: groups.map {
                CategoryTotalRow(name: totals.name(of: $0.key), totals: $0.totals.map(AmountCell.init))
            },
            hasCategories: !groups.isEmpty,
            latest: latest.map { ExpenseRow($0, access: access, locked: locked.contains($0.id)) },
            hasLatest: !latest.isEmpty,
            claims: ClaimCounts(claimSummary), budgets: budgetRows, hasBudgets: !budgetRows.isEmpty)
        page.closedThrough = access.organization.closedThrough.map(PageFormat.day)
        return try pages.render(.organizationDashboard, page)
    }

    /// "+12% in USD" against the same days of last month: the organization's currency only, named,
    /// since other currencies cannot be added to it; nil when there is nothing to compare with.
    static func change(from previous: MoneyTotal?, to current: MoneyTotal?) -> String? {
        guard let previous, previous.minorUnits > 0 else { return nil }
        let now = current?.minorUnits ?? 0
        let percent = (now - previous.minorUnits) * 100 / previous.minorUnits
        return (percent >= 0 ? "+" : "−")
            + "\(percent.magnitude)% in \(previous.currency.code)"
    }
}
