import ExpenseCore
import Foundation

extension ExpenseRepository {
    /// A merchant the tenant has paid before, with how often and the category it is most often
    /// filed under (the latest such, on a tie): what the add form suggests.
    public struct MerchantSuggestion: Sendable, Equatable {
        public var merchant: String
        public var uses: Int
        public var categoryName: String?
    }

    /// The merchants of the tenant's newest `window` expenses, most used first (then by name),
    /// at most `limit`. The window keeps the cost of a form bounded however long the history,
    /// and it reads the same index the newest-first list does.
    public func merchantSuggestions(_ tx: TenantTransaction, window: Int = 1000, limit: Int = 100) async throws
        -> [MerchantSuggestion]
    {
        let rows = try await tx.executor.query(
            """
            SELECT e.merchant AS merchant, c.name AS category FROM expenses e
            LEFT JOIN categories c ON c.tenant_id = e.tenant_id AND c.id = e.category_id
            WHERE e.tenant_id = \(tx.tenantID)
            ORDER BY e.occurred_on DESC, e.seq DESC LIMIT \(window)
            """
        )
        // Per merchant: its uses, and per category its uses and first (newest) position.
        var uses: [String: Int] = [:]
        var categories: [String: [String?: (count: Int, newest: Int)]] = [:]
        for (position, row) in rows.enumerated() {
            let merchant: String = try row.decode("merchant")
            guard !merchant.isEmpty else { continue }
            let category: String? = try row.decode("category")
            uses[merchant, default: 0] += 1
            categories[merchant, default: [:]][category, default: (0, position)].count += 1
        }
        let suggestions = uses.map { merchant, count in
            let usual = categories[merchant]?.max { lhs, rhs in
                (lhs.value.count, -lhs.value.newest) < (rhs.value.count, -rhs.value.newest)
            }
            return MerchantSuggestion(merchant: merchant, uses: count, categoryName: usual?.key ?? nil)
        }
        return suggestions.sorted { ($1.uses, $0.merchant) < ($0.uses, $1.merchant) }.prefix(limit).map { $0 }
    }
}
