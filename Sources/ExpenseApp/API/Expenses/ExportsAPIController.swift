import ExpenseCore
import Hummingbird

/// The CSV exports of one organization.
struct ExportsAPIController: Sendable {
    let reports: ReportService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("exports/expenses.csv", use: expensesCSV)
        group.get("exports/totals.csv", use: totalsCSV)
    }

    @Sendable func expensesCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try CSVResponses.expenses(request.queryValues, access: context.access, reports: reports)
    }

    @Sendable func totalsCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await CSVResponses.totals(request.queryValues, access: context.access, reports: reports)
    }
}
