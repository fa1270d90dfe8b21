import ExpenseCore
import Foundation

/// A tenant's budgets, what they have spent, and the alerts already sent for them.
public struct BudgetRepository: Sendable {
    public init() {}

    public func insert(_ tx: TenantTransaction, _ budget: Budget) async throws {
        try await tx.executor.execute(
            "UPDATE organizations SET has_budgets = \(true) WHERE id = \(tx.tenantID) AND NOT has_budgets")
        try await tx.executor.execute(
            """
            INSERT INTO budgets (tenant_id, id, name, amount_minor, period, category_id, alert_percents,
                                 created_at, updated_at)
            VALUES (\(tx.tenantID), \(budget.id), \(budget.name), \(budget.amount.minorUnits), \(budget.period),
                    \(budget.categoryID), \(Self.percents(budget.alertPercents)), \(budget.createdAt),
                    \(budget.updatedAt))
            """)
    }

    public func update(_ tx: TenantTransaction, _ budget: Budget) async throws {
        try await tx.executor.execute(
            """
            UPDATE budgets SET name = \(budget.name), amount_minor = \(budget.amount.minorUnits),
                period = \(budget.period), category_id = \(budget.categoryID),
                alert_percents = \(Self.percents(budget.alertPercents)), updated_at = \(budget.updatedAt)
            WHERE tenant_id = \(tx.tenantID) AND id = \(budget.id)
            """)
    }

    /// Deletes the budget and its alerts; false when there was none. The organization's
    /// `has_budgets` stays set: cleared, it could race a budget set up meanwhile and switch
    /// alerts off; kept, an organization that had budgets spends one statement per expense.
    public func delete(_ tx: TenantTransaction, id: BudgetID) async throws -> Bool {
        try await !tx.executor.query(
            "DELETE FROM budgets WHERE tenant_id = \(tx.tenantID) AND id = \(id) RETURNING id"
        ).isEmpty
    }

    /// With `lock`, the row stays locked (`FOR UPDATE` on PostgreSQL) until the transaction ends.
    public func find(_ tx: TenantTransaction, id: BudgetID, base: Currency, lock: Bool = false) async throws
        -> Budget?
    {
        let suffix = lock && tx.executor.dialect == .postgres ? " FOR UPDATE" : ""
        return try await tx.executor.first(
            """
            SELECT \(unsafeRaw: Self.columns) FROM budgets WHERE tenant_id = \(tx.tenantID) AND id = \(id)\
            \(unsafeRaw: suffix)
            """
        ).map { try Self.budget(from: $0, base: base) }
    }

    /// By name, then id.
    public func list(_ tx: TenantTransaction, base: Currency) async throws -> [Budget] {
        try await tx.executor.query(
            "SELECT \(unsafeRaw: Self.columns) FROM budgets WHERE tenant_id = \(tx.tenantID) ORDER BY name, id"
        ).map { try Self.budget(from: $0, base: base) }
    }

    /// Locks the budgets' rows in id order (PostgreSQL; SQLite has one writer anyway), so that of
    /// two transactions adding expenses under the same budgets, the second sums after the
    /// first commits and sees its expense.
    public func lock(_ tx: TenantTransaction, ids: [BudgetID]) async throws {
        guard tx.executor.dialect == .postgres, !ids.isEmpty else { return }
        var sql: SQL = "SELECT id FROM budgets WHERE tenant_id = \(tx.tenantID) AND id IN ("
        for (index, id) in ids.enumerated() { sql.append(index == 0 ? "\(id)" : ", \(id)") }
        sql.append(") ORDER BY id FOR UPDATE")
        _ = try await tx.executor.query(sql)
    }

    /// The base amounts of the expenses dated `from` to `to` (of one category, or all), exactly,
    /// and how many there are without one. PostgreSQL reads the trigger-kept day sums.
    public func spent(
        _ tx: TenantTransaction, from: CalendarDate, to: CalendarDate, category: CategoryID?
    ) async throws -> (minorUnits: Int128, unconverted: Int) {
        let postgres = tx.executor.dialect == .postgres
        var sql: SQL =
            postgres
            ? """
            SELECT \(unsafeRaw: ExpenseRepository.exactSum("base_minor", true)),
                   COALESCE(SUM(unconverted_count), 0)::bigint AS waiting
            FROM expense_day_totals
            WHERE tenant_id = \(tx.tenantID) AND occurred_on >= \(from) AND occurred_on <= \(to)
            """
            : """
            SELECT \(unsafeRaw: ExpenseRepository.exactSum("COALESCE(base_amount_minor, 0)", false)),
                   COUNT(*) - COUNT(base_amount_minor) AS waiting
            FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND occurred_on >= \(from) AND occurred_on <= \(to)
            """
        if let category {
            sql.append(postgres ? " AND category_key = \(category)" : " AND category_id = \(category)")
        }
        guard let row = try await tx.executor.first(sql) else { return (0, 0) }
        let total: Int128? = try row.decode("total")
        let low: Int128? = try row.decode("low")
        return ((total ?? 0) * (postgres ? 1 : 1_000_000_000) + (low ?? 0), try row.decode("waiting"))
    }

    /// Records that the budget reached `percent` in the period starting `periodStart`; false when
    /// that was recorded before (by this server or another), so its alert is not sent again.
    public func recordAlert(
        _ tx: TenantTransaction, budget: BudgetID, periodStart: CalendarDate, percent: Int, spent: Int128, at now: Date
    ) async throws -> Bool {
        try await !tx.executor.query(
            """
            INSERT INTO budget_alerts (tenant_id, budget_id, period_start, percent, spent_minor, created_at)
            VALUES (\(tx.tenantID), \(budget), \(periodStart), \(percent), \(String(spent)), \(now))
            ON CONFLICT (tenant_id, budget_id, period_start, percent) DO NOTHING
            RETURNING percent
            """
        ).isEmpty
    }

    /// Whether the tenant has any budget (its base currency then stays as it is).
    public func any(_ tx: TenantTransaction) async throws -> Bool {
        try await tx.executor.first("SELECT 1 AS one FROM budgets WHERE tenant_id = \(tx.tenantID) LIMIT 1") != nil
    }

    /// Whether a budget is kept for the category (it is then not deleted).
    public func usesCategory(_ tx: TenantTransaction, _ category: CategoryID) async throws -> Bool {
        try await tx.executor.first(
            "SELECT 1 AS one FROM budgets WHERE tenant_id = \(tx.tenantID) AND category_id = \(category) LIMIT 1")
            != nil
    }

    static let columns = "id, name, amount_minor, period, category_id, alert_percents, created_at, updated_at"

    static func percents(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }

    static func budget(from row: SQLRow, base: Currency) throws -> Budget {
        let minor: Int64 = try row.decode("amount_minor")
        guard let amount = Money(minorUnits: minor, currency: base) else {
            throw SQLDecodingError(column: "amount_minor", expected: "an amount in range", found: .int(minor))
        }
        let text: String = try row.decode("alert_percents")
        return Budget(
            id: try row.decode("id"), name: try row.decode("name"), amount: amount, period: try row.decode("period"),
            categoryID: try row.decode("category_id"), alertPercents: text.split(separator: ",").compactMap { Int($0) },
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
