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
            let rate = significand.flatMap { significand in scale.flatMap { ExchangeRate(significand: significand, scale: $0) } }
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

    /// Whether the tenant has any expense (its base currency then stays as it is).
    public func any(_ tx: TenantTransaction) async throws -> Bool {
        try await tx.executor.first("SELECT 1 AS one FROM expenses WHERE tenant_id = \(tx.tenantID) LIMIT 1") != nil
    }
}
