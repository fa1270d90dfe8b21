import ExpenseCore
import Hummingbird

/// The CSV downloads of one organization, for a signed-in browser.
struct WebExportController: Sendable {
    let reports: ReportService
    let receipts: ReceiptService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("exports/expenses.csv", use: expensesCSV)
        group.get("exports/totals.csv", use: totalsCSV)
        group.get("exports/receipts.zip", use: receiptsZip)
    }

    /// The report range's receipts with their expenses.csv, as the API's archive.
    @Sendable func receiptsZip(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try ReceiptArchive.response(request.queryValues, access: context.access, receipts: receipts)
    }

    /// The same streamed exports as the API, for a signed-in browser (a GET: nothing changes).
    @Sendable func expensesCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        // The list's CSV link carries the filter as typed on the page (`1,000`, `$20`).
        try CSVResponses.expenses(
            request.formQueryValues, access: context.access, reports: reports, amountsAsTyped: true)
    }

    @Sendable func totalsCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await CSVResponses.totals(request.queryValues, access: context.access, reports: reports)
    }
}
