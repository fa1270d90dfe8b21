import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Pages of an export, each read in its own short transaction (the request's has ended by the
/// time the body streams): keyset pages never skip or repeat a row, and no transaction stays
/// open while a slow client reads.
public struct ExpensePages: Sendable {
    let store: Store
    let tenantID: TenantID
    let actor: UserID
    let filter: ExpenseFilter
    public let batchSize: Int
    /// The standby the pages read when the request that started the export could.
    var replica: ReadReplica? = nil

    /// The page after `cursor` (the first when nil); shorter than `batchSize` only at the end.
    public func page(after cursor: ExpenseCursor?) async throws -> [Expense] {
        let (store, filter, batchSize) = (self.store, self.filter, self.batchSize)
        let read = { (tx: TenantTransaction) in
            try await store.expenses.chronological(tx, filter, after: cursor, limit: batchSize)
        }
        // Checked for each page: a long export that the standby falls behind during goes on
        // from the primary.
        guard let replica, replica.isCurrent else { return try await store.withTenant(tenantID, actor: actor, read) }
        return try await replica.read(tenantID, actor: actor, read) {
            try await store.withTenant(tenantID, actor: actor, read)
        }
    }

    /// Where the page after `page` starts, or nil when `page` was the last.
    public func cursor(after page: [Expense]) -> ExpenseCursor? {
        guard page.count == batchSize, let last = page.last else { return nil }
        return ExpenseCursor(after: last)
    }
}
