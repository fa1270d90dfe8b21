import ExpenseCore
import Foundation

extension ExpenseRepository {
    /// Applies `draft` if the expense is still at `version`, with its audit entry when there is
    /// one, and returns the expense as stored; nil, having written nothing, when it is not at
    /// that version (changed or gone). On PostgreSQL that is one statement.
    public func update(
        _ tx: TenantTransaction, id: ExpenseID, version: Int, _ draft: ExpenseDraft, audit: AuditEntry?, at now: Date
    ) async throws -> Expense? {
        let change: SQL = """
            UPDATE expenses SET amount_minor = \(draft.amount.minorUnits), currency = \(draft.amount.currency.code),
                occurred_on = \(draft.date), category_id = \(draft.categoryID), merchant = \(draft.merchant),
                note = \(draft.note), tags = \(Self.storedTags(draft.tags)),
                base_amount_minor = \(draft.baseMinorUnits), version = version + 1,
                updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND version = \(version)
            """
        switch tx.executor.dialect {
        case .postgres:
            var sql: SQL = "WITH e AS (\(change) RETURNING *)"
            if let audit { sql.append(", audit AS (\(AuditRepository.insert(audit, tenant: tx.tenantID, from: "e")))") }
            sql.append(" \(unsafeRaw: Self.columns) FROM e \(unsafeRaw: Self.joins)")
            return try await tx.executor.first(sql).map { try Self.expense(from: $0, tenant: tx.tenantID) }
        case .sqlite:
            guard try await !tx.executor.query("\(change) RETURNING id").isEmpty else { return nil }
            if let audit { try await AuditRepository().append(tx, audit) }
            return try await find(tx, id: id)
        }
    }

    /// Deletes the expense if it is still at `version`, with its audit entry; false, having
    /// written nothing, when it is not. On PostgreSQL that is one statement.
    public func delete(_ tx: TenantTransaction, id: ExpenseID, version: Int, audit: AuditEntry) async throws -> Bool {
        let removal: SQL = """
            DELETE FROM expenses WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND version = \(version) RETURNING id
            """
        switch tx.executor.dialect {
        case .postgres:
            let sql: SQL = """
                WITH removed AS (\(removal)), audit AS (\(AuditRepository.insert(audit, tenant: tx.tenantID, from: "removed")))
                SELECT id FROM removed
                """
            return try await !tx.executor.query(sql).isEmpty
        case .sqlite:
            guard try await !tx.executor.query(removal).isEmpty else { return false }
            try await AuditRepository().append(tx, audit)
            return true
        }
    }
}
