import Crypto
import ExpenseCore
import ExpenseStore
import Foundation
import Logging
import SystemPackage

/// Bringing expenses in from a file: our own export, a bank's CSV or an OFX statement. Each
/// import is all or nothing, recognizes rows it imported before, and adds them as the expenses
/// of whoever imports (members import only as themselves). The request records the import and
/// answers 202; the work runs beside it (`ImportRunner`), and its progress and outcome are read
/// back from the import's record.
public struct ImportService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    let alerts: BudgetAlerts
    let runner: ImportRunner
    let logger: Logger

    /// The largest file taken: about a million rows of a bank's CSV.
    public static let maximumFileBytes = 64 << 20
    /// Problems kept with the import (all are counted).
    static let problemLimit = 1000
    static let previewRows = 10

    /// What a request asks for, as sent.
    public struct Request: Sendable {
        public var format: String?
        public var mapping: String?
        public var dateFormat: String?
        public var decimalSeparator: String?
        public var delimiter: String?
        public var dryRun: Bool

        public init(
            format: String?, mapping: String? = nil, dateFormat: String? = nil, decimalSeparator: String? = nil,
            delimiter: String? = nil, dryRun: Bool = false
        ) {
            self.format = format
            self.mapping = mapping
            self.dateFormat = dateFormat
            self.decimalSeparator = decimalSeparator
            self.delimiter = delimiter
            self.dryRun = dryRun
        }

        func parsed() throws -> ImportFormat {
            // The layout settings are checked whatever the format: a value no format knows is a
            // mistake worth saying, not one to ignore.
            var validator = Validator()
            if let decimalSeparator, ![".", ","].contains(decimalSeparator) {
                validator.add("decimal_separator", "Choose . or , as the decimal separator.")
            }
            if let delimiter, ![",", ";", "tab", "\t", "|"].contains(delimiter) {
                validator.add("delimiter", "Choose , ; | or tab as the delimiter.")
            }
            try validating { try validator.finish() }
            switch format?.trimmingCharacters(in: .whitespaces) ?? "" {
            case "expenses-csv": return .expensesCSV
            case "ofx": return .ofx
            case "bank-csv":
                return .bankCSV(
                    try validating {
                        try BankCSVOptions.parse(
                            mapping: mapping, dateFormat: dateFormat, decimalSeparator: decimalSeparator,
                            delimiter: delimiter)
                    })
            default:
                throw AppError.validation(.init("format", "Choose the file's format: expenses-csv, bank-csv or ofx."))
            }
        }
    }

    /// Records the import and hands the file to the runner; the file becomes the runner's.
    func start(_ access: TenantAccess, file: SpooledFile, _ request: Request) async throws
        -> ImportRepository.Record
    {
        try access.require(.createExpenses)
        let format = try request.parsed()
        let id = ids.uuid()
        let now = clock.now()
        let filename = Self.storedName(file.filename)
        try await store.imports.create(
            access.transaction, id: id, member: access.user.id, format: format.name, filename: filename,
            dryRun: request.dryRun, at: now)
        let owned = try await ImportFile.take(file, id: id)
        let job = ImportJob(
            service: self, tenant: access.tenantID, member: access.user.id, id: id, format: format, file: owned,
            dryRun: request.dryRun)
        await runner.submit(id: id) { await job.run() }
        guard let record = try await store.imports.find(access.transaction, id: id) else { throw AppError.notFound }
        return record
    }

    /// An import of the organization: one's own, or anyone's for those who may change anyone's
    /// expenses (404 otherwise, as for one that does not exist).
    public func find(_ access: TenantAccess, id: UUID) async throws -> ImportRepository.Record {
        try access.require(.viewOrganization)
        guard var record = try await store.imports.find(access.transaction, id: id),
            record.memberID == access.user.id || access.role.can(.editAnyExpenses)
        else { throw AppError.notFound }
        record = await withLiveProgress(record)
        return record
    }

    /// The newest 50: one's own, or everyone's for those who may change anyone's expenses.
    public func list(_ access: TenantAccess) async throws -> [ImportRepository.Record] {
        try access.require(.viewOrganization)
        let member = access.role.can(.editAnyExpenses) ? nil : access.user.id
        var records = try await store.imports.list(access.transaction, member: member, limit: 50)
        for index in records.indices { records[index] = await withLiveProgress(records[index]) }
        return records
    }

    /// A running import's rows read so far, from this process when it runs here; one no process
    /// has touched for `staleAfter` was interrupted (a server stopped under it): nothing of it
    /// was written, as every import is one transaction.
    func withLiveProgress(_ record: ImportRepository.Record) async -> ImportRepository.Record {
        guard record.status == "running" else { return record }
        var record = record
        if let rows = await runner.progress(of: record.id) {
            record.rows = max(record.rows, rows)
        } else if clock.now().timeIntervalSince(record.updatedAt) > ImportJob.staleAfter {
            record.status = "failed"
            record.detail = Self.interrupted
        }
        return record
    }

    /// The file's name as kept: no control characters, at most 255 code points (what the
    /// column's check counts), "import" when nothing is left.
    static func storedName(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars where scalar.value >= 0x20 && scalar.value != 0x7F {
            guard scalars.count < 255 else { break }
            scalars.append(scalar)
        }
        let kept = String(scalars).trimmingCharacters(in: .whitespaces)
        return kept.isEmpty ? "import" : kept
    }

    static let interrupted =
        "The import was interrupted (the server stopped) before it finished; nothing of it was written. Import the file again."
}

/// The import's own copy of the uploaded file, moved out of the request's spool (which is
/// removed once the request is answered).
struct ImportFile: Sendable {
    let path: String

    static func take(_ file: SpooledFile, id: UUID) async throws -> ImportFile {
        let target = file.path.removingLastComponent().appending("expense-tracker-import-\(id.uuidString.lowercased())")
        try FileManager.default.moveItem(atPath: file.path.string, toPath: target.string)
        return ImportFile(path: target.string)
    }

    /// The bytes in pieces of `length`, in order.
    func pieces(of length: Int, _ body: ([UInt8]) async throws -> Void) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportJob.Failure.file("The file is gone.") }
        defer { try? handle.close() }
        while true {
            let data = try handle.read(upToCount: length) ?? Data()
            if data.isEmpty { return }
            try await body(Array(data))
        }
    }

    func bytes() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
