import ExpenseCore
import Foundation

/// A tenant's exchange rates, one per currency and day.
public struct RateRepository: Sendable {
    public init() {}

    /// Sets the rate of `currency` from `date` on, replacing that day's; true when it was new.
    public func set(_ tx: TenantTransaction, _ rate: DatedRate) async throws -> Bool {
        let replaced = try await tx.executor.query(
            """
            UPDATE exchange_rates SET significand = \(rate.rate.significand), scale = \(rate.rate.scale),
                updated_at = \(rate.updatedAt)
            WHERE tenant_id = \(tx.tenantID) AND currency = \(rate.currency.code) AND rate_on = \(rate.date)
            RETURNING currency
            """)
        guard replaced.isEmpty else { return false }
        try await tx.executor.execute(
            """
            INSERT INTO exchange_rates (tenant_id, currency, rate_on, significand, scale, created_at, updated_at)
            VALUES (\(tx.tenantID), \(rate.currency.code), \(rate.date), \(rate.rate.significand),
                    \(rate.rate.scale), \(rate.updatedAt), \(rate.updatedAt))
            """)
        return true
    }

    /// Sets many rates at once (an import), replacing those of the same currency and day;
    /// returns how many were new. Written in statements of 1,000 rows, far below either
    /// database's limit on bound values.
    public func setMany(_ tx: TenantTransaction, _ rates: [DatedRate]) async throws -> Int {
        let before = try await count(tx)
        var start = rates.startIndex
        while start < rates.endIndex {
            let batch = rates[start..<min(start + 1000, rates.endIndex)]
            var sql: SQL = """
                INSERT INTO exchange_rates (tenant_id, currency, rate_on, significand, scale, created_at, updated_at)
                VALUES
                """
            for (offset, rate) in batch.enumerated() {
                sql.append(
                    """
                    \(unsafeRaw: offset == 0 ? "" : ",")(\(tx.tenantID), \(rate.currency.code), \(rate.date), \
                    \(rate.rate.significand), \(rate.rate.scale), \(rate.updatedAt), \(rate.updatedAt))
                    """)
            }
            sql.append(
                """
                 ON CONFLICT (tenant_id, currency, rate_on) DO UPDATE SET significand = excluded.significand,
                    scale = excluded.scale, updated_at = excluded.updated_at
                """)
            try await tx.executor.execute(sql)
            start = batch.endIndex
        }
        return try await count(tx) - before
    }

    /// How many rates the tenant has.
    public func count(_ tx: TenantTransaction) async throws -> Int {
        try await tx.executor.first("SELECT COUNT(*) AS n FROM exchange_rates WHERE tenant_id = \(tx.tenantID)")?
            .decode("n") ?? 0
    }

    /// Newest day first (then by currency), within the filters, at most `limit`.
    public func list(
        _ tx: TenantTransaction, currency: Currency?, from: CalendarDate?, to: CalendarDate?, limit: Int
    ) async throws -> [DatedRate] {
        var sql: SQL = """
            SELECT currency, rate_on, significand, scale, updated_at FROM exchange_rates
            WHERE tenant_id = \(tx.tenantID)
            """
        if let currency { sql.append(" AND currency = \(currency.code)") }
        if let from { sql.append(" AND rate_on >= \(from)") }
        if let to { sql.append(" AND rate_on <= \(to)") }
        sql.append(" ORDER BY rate_on DESC, currency LIMIT \(limit)")
        return try await tx.executor.query(sql).map(Self.rate(from:))
    }

    /// Each currency's newest rate, by currency code.
    public func newestPerCurrency(_ tx: TenantTransaction) async throws -> [DatedRate] {
        try await tx.executor.query(
            """
            SELECT r.currency, r.rate_on, r.significand, r.scale, r.updated_at FROM exchange_rates r
            WHERE r.tenant_id = \(tx.tenantID) AND r.rate_on = (
                SELECT MAX(x.rate_on) FROM exchange_rates x WHERE x.tenant_id = r.tenant_id AND x.currency = r.currency)
            ORDER BY r.currency
            """
        ).map(Self.rate(from:))
    }

    /// The rate of `currency` for an expense dated `date`: the latest on or before it.
    public func latest(_ tx: TenantTransaction, currency: Currency, onOrBefore date: CalendarDate) async throws
        -> DatedRate?
    {
        try await tx.executor.first(
            """
            SELECT currency, rate_on, significand, scale, updated_at FROM exchange_rates
            WHERE tenant_id = \(tx.tenantID) AND currency = \(currency.code) AND rate_on <= \(date)
            ORDER BY rate_on DESC LIMIT 1
            """
        ).map(Self.rate(from:))
    }

    /// The day of the currency's next rate after `date`, if any.
    public func next(_ tx: TenantTransaction, currency: Currency, after date: CalendarDate) async throws
        -> CalendarDate?
    {
        try await tx.executor.first(
            """
            SELECT rate_on FROM exchange_rates
            WHERE tenant_id = \(tx.tenantID) AND currency = \(currency.code) AND rate_on > \(date)
            ORDER BY rate_on LIMIT 1
            """
        )?.decode("rate_on")
    }

    /// Whether the tenant has any rate (its base currency then stays as it is).
    public func any(_ tx: TenantTransaction) async throws -> Bool {
        try await tx.executor.first("SELECT 1 AS one FROM exchange_rates WHERE tenant_id = \(tx.tenantID) LIMIT 1")
            != nil
    }

    static func rate(from row: SQLRow) throws -> DatedRate {
        let significand: Int64 = try row.decode("significand")
        let scale: Int = try row.decode("scale")
        guard let rate = ExchangeRate(significand: significand, scale: scale) else {
            throw SQLDecodingError(column: "significand", expected: "a rate", found: .int(significand))
        }
        return DatedRate(
            currency: try Currency(code: try row.decode("currency")), date: try row.decode("rate_on"), rate: rate,
            updatedAt: try row.decode("updated_at"))
    }
}
