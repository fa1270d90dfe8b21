import ExpenseCore
import Foundation

extension ImportJob {
    /// Reads the file as its format says and hands each row, as read, to `body`.
    func read(_ body: (ImportRead) async throws -> Void) async throws {
        switch format {
        case .ofx:
            let statement: OFXStatement
            do {
                statement = try OFXStatement(parsing: try file.bytes())
            } catch let malformed as OFXStatement.Malformed {
                throw Failure.file(malformed.detail)
            }
            for transaction in statement.transactions {
                try await body(ImportRecords.ofx(transaction, statement: statement))
            }
        case .expensesCSV, .bankCSV:
            var options: BankCSVOptions?
            if case .bankCSV(let given) = format { options = given }
            var reader = CSVRecordReader(delimiter: options?.delimiter ?? UInt8(ascii: ","))
            var header: ImportRecords.Header?
            var records: [CSVRecordReader.Record] = []
            func handle(_ records: [CSVRecordReader.Record]) async throws {
                for record in records {
                    guard let known = header else {
                        do {
                            header =
                                if let options {
                                    try ImportRecords.Header(bankCSV: record, options: options)
                                } else {
                                    try ImportRecords.Header(expensesCSV: record)
                                }
                        } catch {
                            throw Failure.file(error.detail)
                        }
                        continue
                    }
                    try await body(
                        options.map { ImportRecords.bankCSV(record, header: known, options: $0) }
                            ?? ImportRecords.expensesCSV(record, header: known))
                }
            }
            do {
                try await file.pieces(of: 1 << 20) { piece in
                    try reader.read(piece, into: &records)
                    try await handle(records)
                    records.removeAll(keepingCapacity: true)
                }
                try reader.finish(into: &records)
                try await handle(records)
            } catch let malformed as CSVRecordReader.Malformed {
                throw Failure.file(malformed.detail)
            }
            if header == nil { throw Failure.file("The file is empty: it has no header.") }
        }
    }
}
