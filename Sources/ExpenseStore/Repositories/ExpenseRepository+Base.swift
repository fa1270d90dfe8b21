import ExpenseCore
import Foundation

extension ExpenseRepository {
    /// A currency's expenses still without a base amount, dated on or after `from`, oldest first.
    public func unconverted(_ tx: TenantTransaction, currency: Currency, from: CalendarDate) async throws
        -> [(ExpenseID, Money, CalendarDate)]
    {
        try await tx.executor.query(
            """
            SELECT id, amount_minor, occurred_on FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND currency = \(currency.code) AND occurred_on >= \(from)
                AND base_amount_minor IS NULL
            ORDER BY occurred_on
            """
        ).map { row in
            let minor: Int64 = try row.decode("amount_minor")
            guard let amount = Money(minorUnits: minor, currency: currency) else {
                throw SQLDecodingError(column: "amount_minor", expected: "an amount in range", found: .int(minor))
            }
            return (try row.decode("id"), amount, try row.decode("occurred_on"))
        }
    }

    /// Every expense still without a base amount, with the latest rate on or before its date
    /// when there now is one (after many rates arrive at once).
    public func unconvertedWithLatestRates(_ tx: TenantTransaction) async throws
        -> [(ExpenseID, Money, ExchangeRate?)]
    {
        let latest = """
            FROM exchange_rates r WHERE r.tenant_id = e.tenant_id AND r.currency = e.currency
                AND r.rate_on <= e.occurred_on ORDER BY r.rate_on DESC LIMIT 1
            """
        return try await tx.executor.query(
            """
            SELECT e.id, e.amount_minor, e.currency, (SELECT r.significand \(unsafeRaw: latest)) AS significand,
                (SELECT r.scale \(unsafeRaw: latest)) AS scale
            FROM expenses e WHERE e.tenant_id = \(tx.tenantID) AND e.base_amount_minor IS NULL
            """
        ).map { row in
            let minor: Int64 = try row.decode("amount_minor")
            let currency = try Currency(code: try row.decode("currency"))
            guard let amount = Money(minorUnits: minor, currency: currency) else {
                throw SQLDecodingError(column: "amount_minor", expected: "an amount in range", found: .int(minor))
            }
            let significand: Int64? = try row.decode("significand")
            let scale: Int? = try row.decode("scale")
            let rate = significand.flatMap { significand in
                scale.flatMap { ExchangeRate(significand: significand, scale: $0) }
            }
            return (try row.decode("id"), amount, rate)
        }
    }

    /// Gives an unconverted expense its base amount; false when it had one already. The only
    /// write of a base amount besides the expense's own: its version stays.
    public func setBaseAmount(_ tx: TenantTransaction, id: ExpenseID, _ minorUnits: Int64) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE expenses SET base_amount_minor = \(minorUnits)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND base_amount_minor IS NULL
            RETURNING id
            """
        ).isEmpty
    }

    /// Sums per day (and group) of base amounts between `from` and `to`, both included, with
    /// the count of expenses summed and of those left out for want of a rate: a base-currency
    /// report's one aggregate, read like `dayTotals` (PostgreSQL's trigger-kept day sums, or
    /// SQLite's exact sum of the expenses). Every row is in `base`.
    public func baseDayTotals(
        _ tx: TenantTransaction, from: CalendarDate, to: CalendarDate, groupBy: Grouping?, base: Currency
    ) async throws -> [DayTotal] {
        let postgres = tx.executor.dialect == .postgres
        let group = Self.groupColumn(groupBy, postgres: postgres)
        let groupClause = groupBy == nil ? "" : ", \(group)"
        let sql: SQL =
            postgres
            ? """
            SELECT occurred_on, \(unsafeRaw: group) AS grp, \(unsafeRaw: Self.exactSum("base_minor", postgres)),
                   SUM(expense_count - unconverted_count)::bigint AS n, SUM(unconverted_count)::bigint AS waiting
            FROM expense_day_totals
            WHERE tenant_id = \(tx.tenantID) AND occurred_on >= \(from) AND occurred_on <= \(to) AND expense_count > 0
            GROUP BY occurred_on\(unsafeRaw: groupClause)
            """
            : """
            SELECT occurred_on, \(unsafeRaw: group) AS grp,
                   \(unsafeRaw: Self.exactSum("COALESCE(base_amount_minor, 0)", postgres)),
                   COUNT(base_amount_minor) AS n, COUNT(*) - COUNT(base_amount_minor) AS waiting
            FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND occurred_on >= \(from) AND occurred_on <= \(to)
            GROUP BY occurred_on\(unsafeRaw: groupClause)
            """
        return try await tx.executor.query(sql).map { row in
            DayTotal(
                day: try row.decode("occurred_on"), currency: base, group: try row.decode("grp"),
                minorUnits: try Self.exactSum(row, postgres), count: try row.decode("n"),
                unconverted: try row.decode("waiting"))
        }
    }

    /// The expenses still without a base amount, per currency: how many, and the earliest date.
    public func waitingForRates(_ tx: TenantTransaction) async throws -> [(Currency, Int, CalendarDate)] {
        try await tx.executor.query(
            """
            SELECT currency, COUNT(*) AS n, MIN(occurred_on) AS first FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND base_amount_minor IS NULL GROUP BY currency ORDER BY currency
            """
        ).map { row in (try Currency(code: try row.decode("currency")), try row.decode("n"), try row.decode("first")) }
    }

    /// Whether the tenant has any expense (its base currency then stays as it is).
    public func any(_ tx: TenantTransaction) async throws -> Bool {
        try await tx.executor.first("SELECT 1 AS one FROM expenses WHERE tenant_id = \(tx.tenantID) LIMIT 1") != nil
    }
}
