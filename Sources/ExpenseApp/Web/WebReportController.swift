import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The reports page with its CSV downloads, and the categories page.
struct WebReportController: Sendable {
    let reports: ReportService
    let categories: CategoryService
    let organizations: OrganizationService
    let pages: PageRenderer

    struct NameForm: Decodable { var name: String? }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("reports", use: reportsPage)
        group.get("exports/expenses.csv", use: expensesCSV)
        group.get("exports/totals.csv", use: totalsCSV)
        group.get("categories", use: categoriesPage)
        group.post("categories", use: createCategory)
        group.post("categories/:categoryId", use: renameCategory)
        group.post("categories/:categoryId/archive", use: archiveCategory)
        group.post("categories/:categoryId/restore", use: restoreCategory)
        group.post("categories/:categoryId/delete", use: deleteCategory)
    }

    // MARK: Reports

    @Sendable func reportsPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let query = request.formQueryValues
        var failure: String?
        var status = HTTPResponse.Status.ok
        var asked = ReportService.Request(period: .month)
        var result: ReportService.Totals
        do {
            asked = try ReportService.Request.parse(query)
            result = try await reports.totals(access, asked)
        } catch AppError.validation(let error) {
            failure = error.fields.map(\.message).joined(separator: " ")
            status = .unprocessableContent
            result = try await reports.totals(access, ReportService.Request(period: .month))
        }
        let base = access.organization.currency
        let report = result.report
        let chart = BarChart(
            label: "Totals per \(report.period.rawValue) in \(base.code)",
            items: report.buckets.map { bucket in
                let total = bucket.totals.first { $0.currency == base } ?? MoneyTotal(currency: base)
                return (Self.label(bucket, period: report.period), total.minorUnits, total.decimalString)
            })
        let groupBy =
            switch result.groupBy {
            case .category: "category"
            case .member: "member"
            case nil: ""
            }
        let reportQuery = [
            "period": report.period.rawValue, "from": report.range.from.description,
            "to": report.range.to.description, "group_by": groupBy,
        ]
        let exportQuery = ["from": report.range.from.description, "to": report.range.to.description]
        let groupRows = { (groups: [TotalsReport.Group]) in
            groups.map { CategoryTotalRow(name: result.name(of: $0.key), totals: $0.totals.map(AmountCell.init)) }
        }
        let page = ReportsPage(
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
            from: report.range.from.description, to: report.range.to.description,
            rows: report.buckets.map {
                ReportsPage.Row(
                    start: $0.start.description, end: $0.end.description, totals: $0.totals.map(AmountCell.init),
                    groups: groupRows($0.groups))
            },
            grouped: result.groupBy != nil, totals: report.totals.map(AmountCell.init),
            groups: groupRows(report.groups),
            chart: chart,
            totalsCSV: "/orgs/\(access.tenantID)/exports/totals.csv?" + QueryString.encode(reportQuery),
            expensesCSV: "/orgs/\(access.tenantID)/exports/expenses.csv?" + QueryString.encode(exportQuery))
        return pages.render("reports", page, status: status)
    }

    static func label(_ bucket: TotalsReport.Bucket, period: ReportPeriod) -> String {
        switch period {
        case .day: bucket.start.description
        case .week: "Week of \(bucket.start)"
        case .month: PageFormat.month(bucket.start)
        case .quarter: "Q\((bucket.start.month - 1) / 3 + 1) \(bucket.start.year)"
        case .year: String(bucket.start.year)
        }
    }

    /// The same streamed exports as the API, for a signed-in browser (a GET: nothing changes).
    @Sendable func expensesCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try CSVResponses.expenses(request.formQueryValues, access: context.access, reports: reports)
    }

    @Sendable func totalsCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await CSVResponses.totals(request.queryValues, access: context.access, reports: reports)
    }

    // MARK: Categories

    @Sendable func categoriesPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderCategories(context, notice: Notice.text(request))
    }

    @Sendable func createCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(NameForm.self, from: request, context: context)
        do {
            _ = try await categories.create(context.access, name: form.name ?? "")
        } catch AppError.validation(let error) {
            return try await renderCategories(
                context, newName: form.name ?? "", nameError: error.message(for: "name"), status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/categories?notice=category-added")
    }

    @Sendable func renameCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(NameForm.self, from: request, context: context)
        return try await change(context, .init(name: form.name ?? ""), notice: "category-saved")
    }

    @Sendable func archiveCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await change(context, .init(archived: true), notice: "category-archived")
    }

    @Sendable func restoreCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await change(context, .init(archived: false), notice: "category-restored")
    }

    @Sendable func deleteCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        do {
            try await categories.delete(context.access, id: try context.parameters.id(CategoryID.self, "categoryId"))
        } catch AppError.conflict(let reason) {
            return try await renderCategories(context, failure: reason, status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/categories?notice=category-deleted")
    }

    private func change(_ context: OrgRequestContext, _ change: CategoryService.Change, notice: String) async throws
        -> Response
    {
        do {
            _ = try await categories.update(
                context.access, id: try context.parameters.id(CategoryID.self, "categoryId"), change)
        } catch AppError.validation(let error) {
            return try await renderCategories(
                context, failure: error.fields.map(\.message).joined(separator: " "), status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/categories?notice=\(notice)")
    }

    private func renderCategories(
        _ context: OrgRequestContext, notice: String? = nil, failure: String? = nil, newName: String = "",
        nameError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let list = try await categories.list(access)
        let rows = list.map { CategoriesPage.Row(id: $0.id.description, name: $0.name, archived: $0.isArchived) }
        let archived = rows.filter(\.archived)
        let page = CategoriesPage(
            title: "Categories of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .categories),
            active: rows.filter { !$0.archived }, archived: archived, hasArchived: !archived.isEmpty,
            newName: newName, nameError: nameError)
        return pages.render("categories", page, status: status)
    }
}
