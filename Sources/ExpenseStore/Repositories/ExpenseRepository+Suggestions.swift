import ExpenseCore
import Foundation

extension ExpenseRepository {
    /// A merchant the tenant has paid before, with how often and the category its latest
    /// expense was filed under: what the add form suggests.
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
        var byMerchant: [String: MerchantSuggestion] = [:]
        for row in rows {
            let merchant: String = try row.decode("merchant")
            guard !merchant.isEmpty else { continue }
            // Rows come newest first: the first seen of a merchant holds its latest category.
            if byMerchant[merchant] == nil {
                byMerchant[merchant] = MerchantSuggestion(
                    merchant: merchant, uses: 0, categoryName: try row.decode("category"))
            }
            byMerchant[merchant]?.uses += 1
        }
        return byMerchant.values.sorted { ($1.uses, $0.merchant) < ($0.uses, $1.merchant) }.prefix(limit).map { $0 }
    }
}
