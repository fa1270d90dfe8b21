import ExpenseCore
import Hummingbird

/// Period totals and the CSV exports of one organization.
struct ReportsAPIController: Sendable {
    let reports: ReportService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("reports/totals", use: totals)
        group.get("exports/expenses.csv", use: expensesCSV)
        group.get("exports/totals.csv", use: totalsCSV)
    }

    @Sendable func totals(_ request: Request, context: OrgRequestContext) async throws -> TotalsResponse {
        TotalsResponse(try await reports.totals(context.access, try ReportService.Request.parse(request.queryValues)))
    }

    @Sendable func expensesCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try CSVResponses.expenses(request.queryValues, access: context.access, reports: reports)
    }

    @Sendable func totalsCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await CSVResponses.totals(request.queryValues, access: context.access, reports: reports)
    }
}
