import ExpenseCore
import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The accountant's archive: a ZIP of a period's receipts, each named
/// `date_merchant_amount_id.ext`, with the period's `expenses.csv` first. Entries are stored
/// uncompressed (JPEG, HEIC and PDF do not shrink) and streamed a stored row at a time: the
/// CRC-32 and size of every receipt were kept at upload, so each entry's header is written
/// before its bytes and memory stays flat whatever the period.
enum ReceiptArchive {
    static func response(_ parameters: [String: String], access: TenantAccess, receipts: ReceiptService) throws
        -> Response
    {
        let (from, to) = try PeriodQuery.parse(parameters)
        let period = try receipts.period(access, from: from, to: to)
        let expenses = receipts.expensePages(access, from: from, to: to)
        let name = CSVExports.fileName(
            organization: access.organization.name, kind: "receipts", from: parameters["from"].map { _ in from },
            to: parameters["to"].map { _ in to }
        ).replacingOccurrences(of: ".csv", with: ".zip")
        let started = Date()
        let base = access.organization.currency
        let body = ResponseBody { writer in
            var zip = ZipStream()
            try await writer.write(
                ByteBuffer(bytes: try zip.beginStreamedEntry(name: "expenses.csv", modified: started)))
            var buffer = ByteBuffer()
            CSVExports.writeExpensesHead(into: &buffer)
            var page = try await expenses.page(after: nil)
            while true {
                for expense in page { CSVExports.writeExpenseRecord(expense, base: base, into: &buffer) }
                try zip.wrote(buffer.readableBytesView)
                try await writer.write(buffer)
                buffer.clear()
                guard let cursor = expenses.cursor(after: page) else { break }
                page = try await expenses.page(after: cursor)
            }
            try await writer.write(ByteBuffer(bytes: try zip.endEntry()))
            var cursor: ReceiptRepository.Cursor?
            repeat {
                let dated = try await period.page(after: cursor)
                for item in dated {
                    let receipt = item.receipt
                    let header = try zip.beginEntry(
                        name: entryName(item), size: UInt64(receipt.size), crc32: receipt.crc32,
                        modified: receipt.createdAt)
                    try await writer.write(ByteBuffer(bytes: header))
                    // Four rows (1 MiB) per transaction: one archive at a time is worth the memory.
                    try await period.bytes(of: receipt).forEachChunk(batch: 4) { chunk in
                        try zip.wrote(chunk)
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                    try await writer.write(ByteBuffer(bytes: try zip.endEntry()))
                }
                cursor = dated.count == ReceiptPeriod.pageSize ? dated.last?.cursor : nil
            } while cursor != nil
            try await writer.write(ByteBuffer(bytes: try zip.finish()))
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/zip",
                .contentDisposition: "attachment; filename=\"\(name)\"",
                .cacheControl: "no-store",
            ],
            body: body)
    }

    /// `2026-11-02_Café-Central_12.50_<receipt id>.jpg`: sorted by date in any file manager,
    /// recognizable, and unique by the receipt's id.
    static func entryName(_ item: ReceiptRepository.Dated) -> String {
        let merchant = ReceiptName.slug(item.merchant)
        return "\(item.date)_\(merchant.isEmpty ? "expense" : merchant)_\(item.amount.decimalString)_"
            + "\(item.receipt.id).\(item.receipt.kind.fileExtension)"
    }
}

extension ReceiptService {
    /// The period's expenses for the archive's `expenses.csv`, read as the CSV export reads them.
    func expensePages(_ access: TenantAccess, from: CalendarDate, to: CalendarDate) -> ExpensePages {
        ExpensePages(
            store: store, tenantID: access.tenantID, actor: access.user.id,
            filter: ExpenseFilter(from: from, to: to), batchSize: 2000)
    }
}
