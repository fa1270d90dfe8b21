import ExpenseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The CSV downloads as responses, the same for the API and for the pages' "Download CSV"
/// links.
enum CSVResponses {
    /// The expenses export, streamed: one page of rows at a time, each record written straight
    /// into the buffer, so memory stays flat whatever the size.
    static func expenses(
        _ parameters: [String: String], access: TenantAccess, reports: ReportService, amountsAsTyped: Bool = false
    ) throws -> Response {
        let filter = try ExpenseQuery.filter(
            parameters, defaultCurrency: access.organization.currency, amountsAsTyped: amountsAsTyped)
        let pages = try reports.exportPages(access, filter)
        let name = CSVExports.fileName(
            organization: access.organization.name, kind: "expenses", from: filter.from, to: filter.to)
        let base = access.organization.currency
        let body = ResponseBody { writer in
            var buffer = ByteBuffer()
            CSVExports.writeExpensesHead(into: &buffer)
            var page = try await pages.page(after: nil)
            while !page.isEmpty {
                // Read the next page while this one is written out.
                let cursor = pages.cursor(after: page)
                async let following = cursor == nil ? [] : pages.page(after: cursor)
                for expense in page { CSVExports.writeExpenseRecord(expense, base: base, into: &buffer) }
                try await writer.write(buffer)
                buffer.clear()
                page = try await following
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers(fileName: name), body: body)
    }

    /// The totals export: one record per bucket and currency (and group).
    static func totals(_ parameters: [String: String], access: TenantAccess, reports: ReportService) async throws
        -> Response
    {
        try reports.authorizeExport(access)
        let totals = try await reports.totals(access, try ReportService.Request.parse(parameters))
        let name = CSVExports.fileName(
            organization: access.organization.name, kind: "totals-\(totals.report.period.rawValue)",
            from: totals.report.range.from, to: totals.report.range.to)
        return Response(
            status: .ok, headers: headers(fileName: name),
            body: .init(byteBuffer: ByteBuffer(string: CSVExports.totals(totals))))
    }

    static func headers(fileName: String) -> HTTPFields {
        [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"\(fileName)\"",
            .cacheControl: "no-store",
        ]
    }
}
