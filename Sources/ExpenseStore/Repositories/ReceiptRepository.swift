import ExpenseCore
import Foundation

/// A tenant's receipts and the files they name. A file's bytes are kept once per content, in
/// rows of at most `chunkBytes`, so neither driver ever holds more than one such row of a file.
public struct ReceiptRepository: Sendable {
    public init() {}

    /// The largest row of a file's bytes: small enough that fifty downloads at once stay within
    /// a few tens of MiB, large enough that a 10 MiB file is forty rows.
    public static let chunkBytes = 256 * 1024

    /// Serializes the uploads of one organization until the transaction ends, so that two at
    /// once cannot both fit under the quota and together exceed it. (SQLite runs one write
    /// transaction at a time anyway.)
    public func lockUploads(_ tx: TenantTransaction) async throws {
        guard tx.executor.dialect == .postgres else { return }
        try await tx.executor.execute(
            """
            SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(\("receipts:" + tx.tenantID.description), 0))
            """)
    }

    /// Locks the expense against deletion until the transaction ends (PostgreSQL `FOR KEY
    /// SHARE`, which edits do not wait for), so a receipt is never attached to an expense deleted
    /// meanwhile; false when it is gone. SQLite runs one write transaction at a time anyway.
    public func lockExpense(_ tx: TenantTransaction, _ id: ExpenseID) async throws -> Bool {
        let lock = tx.executor.dialect == .postgres ? " FOR KEY SHARE" : ""
        return try await tx.executor.first(
            "SELECT 1 AS found FROM expenses WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(unsafeRaw: lock)") != nil
    }

    /// Bytes the organization's distinct files take: what the quota counts.
    public func storageUsed(_ tx: TenantTransaction) async throws -> Int64 {
        try await tx.executor.first(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS used FROM receipt_files WHERE tenant_id = \(tx.tenantID)"
        )?.decode("used") ?? 0
    }

    public func fileExists(_ tx: TenantTransaction, sha256: [UInt8]) async throws -> Bool {
        try await tx.executor.first(
            "SELECT 1 AS found FROM receipt_files WHERE tenant_id = \(tx.tenantID) AND sha256 = \(sha256)") != nil
    }

    /// The facts of a file about to gain a receipt.
    public struct File: Sendable {
        public var sha256: [UInt8]
        public var size: Int64
        public var crc32: UInt32
        public var kind: ReceiptKind

        public init(sha256: [UInt8], size: Int64, crc32: UInt32, kind: ReceiptKind) {
            self.sha256 = sha256
            self.size = size
            self.crc32 = crc32
            self.kind = kind
        }

        public var chunkCount: Int { Int((size + Int64(chunkBytes) - 1) / Int64(chunkBytes)) }
    }

    /// Counts one more receipt of `file`, creating its row if the organization has no such file
    /// yet, and says whether it did (then the caller writes its chunks). The upsert locks the
    /// row, so a removal of the file's last receipt at the same moment either finishes first
    /// (and this creates the row again) or waits and sees the new count.
    public func claimFile(_ tx: TenantTransaction, _ file: File, at now: Date) async throws -> Bool {
        let row = try await tx.executor.first(
            """
            INSERT INTO receipt_files (tenant_id, sha256, size, crc32, kind, chunk_count, receipt_count, created_at)
            VALUES (\(tx.tenantID), \(file.sha256), \(file.size), \(Int64(file.crc32)), \(file.kind),
                    \(file.chunkCount), 1, \(now))
            ON CONFLICT (tenant_id, sha256) DO UPDATE SET receipt_count = receipt_files.receipt_count + 1
            RETURNING receipt_count
            """)
        let count: Int = try row?.decode("receipt_count") ?? 0
        return count == 1
    }

    /// One row of a new file's bytes, `position` counting from 0.
    public func insertChunk(_ tx: TenantTransaction, sha256: [UInt8], position: Int, bytes: [UInt8]) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO receipt_chunks (tenant_id, sha256, position, data)
            VALUES (\(tx.tenantID), \(sha256), \(position), \(bytes))
            """)
    }

    /// One row of a file's bytes, or nil when the file is gone.
    public func chunk(_ tx: TenantTransaction, sha256: [UInt8], position: Int) async throws -> [UInt8]? {
        try await tx.executor.first(
            Self.chunkSQL(tx.tenantID, sha256, position).prepared(as: Chunk.self)
        )?.decode("data")
    }

    /// Rows `positions` of a file's bytes, in order (fewer when the file is gone): an archive
    /// reads a few per transaction.
    public func chunks(_ tx: TenantTransaction, sha256: [UInt8], positions: Range<Int>) async throws -> [[UInt8]] {
        try await tx.executor.query(
            """
            SELECT data FROM receipt_chunks
            WHERE tenant_id = \(tx.tenantID) AND sha256 = \(sha256) AND position >= \(positions.lowerBound)
                AND position < \(positions.upperBound)
            ORDER BY position
            """
        ).map { try $0.decode("data") }
    }

    static func chunkSQL(_ tenant: TenantID, _ sha256: [UInt8], _ position: Int) -> SQL {
        "SELECT data FROM receipt_chunks WHERE tenant_id = \(tenant) AND sha256 = \(sha256) AND position = \(position)"
    }

    enum Chunk: PreparedStatementKey {
        static let text = ReceiptRepository.chunkSQL(TenantID(), [], 0).text(for: .postgres)
    }

    public func insert(_ tx: TenantTransaction, _ receipt: Receipt) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO receipts (tenant_id, id, expense_id, sha256, filename, uploaded_by, created_at)
            VALUES (\(tx.tenantID), \(receipt.id), \(receipt.expenseID), \(receipt.sha256), \(receipt.filename),
                    \(receipt.uploadedBy), \(receipt.createdAt))
            """)
    }

    public func find(_ tx: TenantTransaction, id: ReceiptID) async throws -> Receipt? {
        try await tx.executor.first("\(Self.select) WHERE r.tenant_id = \(tx.tenantID) AND r.id = \(id)")
            .map(Self.receipt(from:))
    }

    /// An expense's receipts, oldest first.
    public func list(_ tx: TenantTransaction, expense: ExpenseID) async throws -> [Receipt] {
        try await tx.executor.query(
            """
            \(Self.select) WHERE r.tenant_id = \(tx.tenantID) AND r.expense_id = \(expense)
            ORDER BY r.seq
            """
        ).map(Self.receipt(from:))
    }

    /// The receipts of a claim's expenses, in upload order, in one statement.
    public func list(_ tx: TenantTransaction, claim: ClaimID) async throws -> [Receipt] {
        try await tx.executor.query(
            """
            \(Self.select) JOIN expenses ce ON ce.tenant_id = r.tenant_id AND ce.id = r.expense_id
            WHERE r.tenant_id = \(tx.tenantID) AND ce.claim_id = \(claim)
            ORDER BY r.seq
            """
        ).map(Self.receipt(from:))
    }

    /// Removes the receipt (its file goes with its last receipt); false when there was none.
    public func delete(_ tx: TenantTransaction, id: ReceiptID) async throws -> Bool {
        try await !tx.executor.query(
            "DELETE FROM receipts WHERE tenant_id = \(tx.tenantID) AND id = \(id) RETURNING id"
        ).isEmpty
    }

    /// A receipt with what an archive entry is named after: its expense's date, merchant and
    /// amount.
    public struct Dated: Sendable {
        public var receipt: Receipt
        public var date: CalendarDate
        public var merchant: String
        public var amount: Money
        /// The position after which the next page starts.
        public var cursor: Cursor
    }

    /// Where a page of `dated` ends: the expense's date and insertion order, then the receipt's
    /// upload order.
    public struct Cursor: Sendable, Equatable {
        public var date: CalendarDate
        public var sequence: Int64
        public var receiptSequence: Int64
    }

    /// The receipts of the expenses dated `from` through `to`, in the expenses' order (date,
    /// then insertion) and then the receipts', strictly after `cursor`, at most `limit`.
    public func dated(
        _ tx: TenantTransaction, from: CalendarDate, to: CalendarDate, after cursor: Cursor?, limit: Int
    ) async throws -> [Dated] {
        var sql: SQL = """
            SELECT r.id, r.expense_id, f.kind, f.size, r.sha256, f.crc32, r.filename, r.uploaded_by, r.created_at,
                   e.occurred_on, e.seq, r.seq AS receipt_seq, e.merchant, e.amount_minor, e.currency
            FROM receipts r
            JOIN receipt_files f ON f.tenant_id = r.tenant_id AND f.sha256 = r.sha256
            JOIN expenses e ON e.tenant_id = r.tenant_id AND e.id = r.expense_id
            WHERE r.tenant_id = \(tx.tenantID) AND e.occurred_on >= \(from) AND e.occurred_on <= \(to)
            """
        if let cursor {
            sql.append(
                " AND (e.occurred_on, e.seq, r.seq) > (\(cursor.date), \(cursor.sequence), \(cursor.receiptSequence))")
        }
        sql.append(" ORDER BY e.occurred_on, e.seq, r.seq LIMIT \(limit)")
        return try await tx.executor.query(sql).map { row in
            let receipt = try Self.receipt(from: row)
            let currency = try Currency(code: try row.decode("currency"))
            let minorUnits: Int64 = try row.decode("amount_minor")
            guard let amount = Money(minorUnits: minorUnits, currency: currency) else {
                throw SQLDecodingError(column: "amount_minor", expected: "an amount in range", found: .int(minorUnits))
            }
            let date: CalendarDate = try row.decode("occurred_on")
            let sequence: Int64 = try row.decode("seq")
            return Dated(
                receipt: receipt, date: date, merchant: try row.decode("merchant"), amount: amount,
                cursor: Cursor(date: date, sequence: sequence, receiptSequence: try row.decode("receipt_seq")))
        }
    }

    static let select: SQL = """
        SELECT r.id, r.expense_id, f.kind, f.size, r.sha256, f.crc32, r.filename, r.uploaded_by, r.created_at
        FROM receipts r JOIN receipt_files f ON f.tenant_id = r.tenant_id AND f.sha256 = r.sha256
        """

    static func receipt(from row: SQLRow) throws -> Receipt {
        let crc: Int64 = try row.decode("crc32")
        guard let crc32 = UInt32(exactly: crc) else {
            throw SQLDecodingError(column: "crc32", expected: "a 32-bit CRC", found: .int(crc))
        }
        return Receipt(
            id: try row.decode("id"), expenseID: try row.decode("expense_id"), kind: try row.decode("kind"),
            size: try row.decode("size"), sha256: try row.decode("sha256"), crc32: crc32,
            filename: try row.decode("filename"), uploadedBy: try row.decode("uploaded_by"),
            createdAt: try row.decode("created_at"))
    }
}
