import ExpenseCore
import Hummingbird

/// Period totals of one organization.
struct ReportsAPIController: Sendable {
    let reports: ReportService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("reports/totals", use: totals)
    }

    @Sendable func totals(_ request: Request, context: OrgRequestContext) async throws -> TotalsResponse {
        TotalsResponse(try await reports.totals(context.access, try ReportService.Request.parse(request.queryValues)))
    }
}
