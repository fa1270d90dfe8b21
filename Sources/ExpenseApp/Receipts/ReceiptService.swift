import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Attaching, reading and removing receipts. Adding or removing one is a change of its expense
/// (who may change the expense may do it) and is in the audit log; seeing them is for everyone
/// who sees the expense.
public struct ReceiptService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    let limits: Limits
    let logger: Logger

    /// The size limit of one file and the storage quota of an organization, in bytes.
    public struct Limits: Sendable {
        public var maxFileBytes: Int
        public var quotaBytes: Int

        public init(maxFileBytes: Int, quotaBytes: Int) {
            self.maxFileBytes = maxFileBytes
            self.quotaBytes = quotaBytes
        }
    }

    /// Attaches the spooled file to the expense. A file the organization already has is not
    /// stored again (nor counted again against the quota); a new one must fit in the quota.
    func add(_ access: TenantAccess, to expenseID: ExpenseID, _ file: SpooledFile) async throws -> Receipt {
        let tx = access.transaction
        guard try await store.receipts.lockExpense(tx, expenseID) else { throw AppError.notFound }
        let expense = try await ExpenseService.editable(expenseID, access, in: tx, store: store)
        try ExpenseService.open(expense.date, in: access)
        try await store.receipts.lockUploads(tx)
        if try await !store.receipts.fileExists(tx, sha256: file.sha256) {
            let used = try await store.receipts.storageUsed(tx)
            guard used + file.size <= Int64(limits.quotaBytes) else {
                throw AppError.quotaExceeded(
                    "This organization's receipts use \(Receipt.sizeText(used)) of its "
                        + "\(Receipt.sizeText(Int64(limits.quotaBytes))); this file "
                        + "(\(Receipt.sizeText(file.size))) does not fit. Remove receipts no longer needed, "
                        + "or ask the server's operator for more room.")
            }
        }
        guard let kind = file.kind else { throw AppError.notAReceipt }
        let now = clock.now()
        let stored = ReceiptRepository.File(sha256: file.sha256, size: file.size, crc32: file.crc32, kind: kind)
        if try await store.receipts.claimFile(tx, stored, at: now) {
            let store = self.store
            try await file.pieces(of: ReceiptRepository.chunkBytes) { position, bytes in
                try await store.receipts.insertChunk(tx, sha256: file.sha256, position: position, bytes: bytes)
            }
        }
        let receipt = Receipt(
            id: ids(), expenseID: expenseID, kind: kind, size: file.size, sha256: file.sha256, crc32: file.crc32,
            filename: file.filename, uploadedBy: access.user.id, createdAt: now)
        try await store.receipts.insert(tx, receipt)
        try await store.audit.append(tx, auditEntry(access, .receiptAdded, receipt, now))
        return receipt
    }

    /// An expense's receipts, oldest first (404 when there is no such expense).
    public func list(_ access: TenantAccess, expense expenseID: ExpenseID) async throws -> [Receipt] {
        try access.require(.viewOrganization)
        let tx = access.transaction
        guard try await store.expenses.find(tx, id: expenseID) != nil else { throw AppError.notFound }
        return try await store.receipts.list(tx, expense: expenseID)
    }

    public func find(_ access: TenantAccess, id: ReceiptID) async throws -> Receipt {
        try access.require(.viewOrganization)
        guard let receipt = try await store.receipts.find(access.transaction, id: id) else { throw AppError.notFound }
        return receipt
    }

    /// Removes the receipt; its file goes with the organization's last receipt of it.
    public func remove(_ access: TenantAccess, id: ReceiptID) async throws -> Receipt {
        let tx = access.transaction
        let receipt = try await find(access, id: id)
        let expense = try await ExpenseService.editable(receipt.expenseID, access, in: tx, store: store)
        try ExpenseService.open(expense.date, in: access)
        guard try await store.receipts.delete(tx, id: id) else { throw AppError.notFound }
        try await store.audit.append(tx, auditEntry(access, .receiptRemoved, receipt, clock.now()))
        return receipt
    }

    /// Bytes the organization's receipts take, and its quota.
    public func storage(_ access: TenantAccess) async throws -> (used: Int64, quota: Int64) {
        try access.require(.viewOrganization)
        return (try await store.receipts.storageUsed(access.transaction), Int64(limits.quotaBytes))
    }

    /// The bytes of `receipt`, each row read in a short transaction of its own when asked for
    /// (the request's transaction has ended by the time a download streams).
    func bytes(of receipt: Receipt, in access: TenantAccess) -> ReceiptBytes {
        ReceiptBytes(store: store, tenantID: access.tenantID, actor: access.user.id, receipt: receipt)
    }

    /// The receipts of the expenses dated `from` through `to`, for the accountant's archive.
    func period(_ access: TenantAccess, from: CalendarDate, to: CalendarDate) throws -> ReceiptPeriod {
        try access.require(.exportCSV)
        return ReceiptPeriod(store: store, tenantID: access.tenantID, actor: access.user.id, from: from, to: to)
    }

    func auditEntry(_ access: TenantAccess, _ action: AuditAction, _ receipt: Receipt, _ now: Date) -> AuditEntry {
        AuditEntry(
            id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: action, subjectType: .receipt,
            subjectID: receipt.id.description,
            details: .facts([
                "filename": receipt.filename, "expense_id": receipt.expenseID.description,
                "size": String(receipt.size), "sha256": receipt.sha256Hex,
            ]), createdAt: now)
    }
}

/// A receipt's bytes, row by row, each read in its own short transaction: no connection is held
/// while a slow client downloads, and at most one row of the file is in memory per download.
struct ReceiptBytes: Sendable {
    let store: Store
    let tenantID: TenantID
    let actor: UserID
    let receipt: Receipt

    var chunkCount: Int {
        Int((receipt.size + Int64(ReceiptRepository.chunkBytes) - 1) / Int64(ReceiptRepository.chunkBytes))
    }

    /// Row `position` of the file; throws when the file was removed meanwhile, which ends the
    /// download short rather than with wrong bytes.
    func chunk(_ position: Int) async throws -> [UInt8] {
        let (store, sha256) = (self.store, receipt.sha256)
        let bytes = try await store.withTenant(tenantID, actor: actor) { tx in
            try await store.receipts.chunk(tx, sha256: sha256, position: position)
        }
        guard let bytes else { throw ReceiptGone() }
        return bytes
    }

    /// Rows `positions` of the file in one short transaction.
    func chunks(_ positions: Range<Int>) async throws -> [[UInt8]] {
        // One row is a download's read: a prepared statement.
        if positions.count == 1 { return [try await chunk(positions.lowerBound)] }
        let (store, sha256) = (self.store, receipt.sha256)
        let rows = try await store.withTenant(tenantID, actor: actor) { tx in
            try await store.receipts.chunks(tx, sha256: sha256, positions: positions)
        }
        guard rows.count == positions.count else { throw ReceiptGone() }
        return rows
    }

    /// Hands `body` the file's rows in order, `batch` rows per transaction, reading the next
    /// batch while `body` writes the last, so the database and the client are both kept busy
    /// with two batches at most in memory.
    func forEachChunk(batch size: Int = 1, _ body: ([UInt8]) async throws -> Void) async throws {
        guard chunkCount > 0 else { return }
        var current = try await chunks(0..<min(size, chunkCount))
        var start = current.count
        while !current.isEmpty {
            let next = start..<min(start + size, chunkCount)
            async let following: [[UInt8]] = next.isEmpty ? [] : chunks(next)
            for chunk in current { try await body(chunk) }
            current = try await following
            start += current.count
        }
    }

    struct ReceiptGone: Error {}
}

/// The receipts of a period in the archive's order, read a page at a time in short
/// transactions of their own.
struct ReceiptPeriod: Sendable {
    let store: Store
    let tenantID: TenantID
    let actor: UserID
    let from: CalendarDate
    let to: CalendarDate
    static let pageSize = 200

    func page(after cursor: ReceiptRepository.Cursor?) async throws -> [ReceiptRepository.Dated] {
        let (store, from, to) = (self.store, self.from, self.to)
        return try await store.withTenant(tenantID, actor: actor) { tx in
            try await store.receipts.dated(tx, from: from, to: to, after: cursor, limit: Self.pageSize)
        }
    }

    func bytes(of receipt: Receipt) -> ReceiptBytes {
        ReceiptBytes(store: store, tenantID: tenantID, actor: actor, receipt: receipt)
    }
}
