import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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
        try Self.expensesCSV(request.queryValues, access: context.access, reports: reports)
    }

    @Sendable func totalsCSV(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try context.access.require(.exportCSV)
        let totals = try await reports.totals(context.access, try ReportService.Request.parse(request.queryValues))
        let name = CSVExports.fileName(
            organization: context.access.organization.name, kind: "totals-\(totals.report.period.rawValue)",
            from: totals.report.range.from, to: totals.report.range.to)
        return Response(
            status: .ok, headers: Self.csvHeaders(fileName: name),
            body: .init(byteBuffer: ByteBuffer(string: CSVExports.totals(totals))))
    }

    /// The expenses export as a streamed response: one page of rows at a time, so memory stays
    /// flat whatever the size. Shared with the pages' "Download CSV" link.
    static func expensesCSV(_ parameters: [String: String], access: TenantAccess, reports: ReportService) throws
        -> Response
    {
        let filter = try ExpenseQuery.filter(parameters, defaultCurrency: try ExpenseService.currency(of: access))
        let pages = try reports.exportPages(access, filter)
        let name = CSVExports.fileName(
            organization: access.organization.name, kind: "expenses", from: filter.from, to: filter.to)
        let body = ResponseBody { writer in
            var buffer = ByteBuffer(string: CSVExports.byteOrderMark + CSVExports.expensesHeader)
            var page = try await pages.page(after: nil)
            while !page.isEmpty {
                // Read the next page while this one is written out.
                let cursor = pages.cursor(after: page)
                async let following = cursor == nil ? [] : pages.page(after: cursor)
                for expense in page { buffer.writeString(CSVExports.expenseRecord(expense)) }
                try await writer.write(buffer)
                buffer.clear()
                page = try await following
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: csvHeaders(fileName: name), body: body)
    }

    static func csvHeaders(fileName: String) -> HTTPFields {
        [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"\(fileName)\"",
            .cacheControl: "no-store",
        ]
    }
}
