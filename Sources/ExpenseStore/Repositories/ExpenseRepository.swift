import ExpenseCore
import Foundation

/// A tenant's expenses: written one at a time, read newest first in keyset pages, summed by day.
public struct ExpenseRepository: Sendable {
    public init() {}

    /// Who logs an expense, with the name the answer shows.
    public struct Author: Sendable {
        public var id: UserID
        public var name: String

        public init(id: UserID, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// One row of a bulk load (the development data generator): already valid, no audit.
    public struct Row: Sendable {
        public var memberID: UserID
        public var categoryID: CategoryID?
        public var amount: Money
        public var date: CalendarDate
        public var merchant: String
        public var note: String
        public var tags: [String]

        public init(
            memberID: UserID, categoryID: CategoryID?, amount: Money, date: CalendarDate, merchant: String,
            note: String, tags: [String]
        ) {
            self.memberID = memberID
            self.categoryID = categoryID
            self.amount = amount
            self.date = date
            self.merchant = merchant
            self.note = note
            self.tags = tags
        }
    }

    /// Inserts many rows in one statement (at most 2,000, within both drivers' parameter limits).
    public func insertMany(_ tx: TenantTransaction, _ rows: [Row], ids: IDGenerator, at now: Date) async throws {
        guard !rows.isEmpty else { return }
        var sql: SQL = """
            INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on,
                                  merchant, note, tags, created_at, updated_at) VALUES
            """
        for (index, row) in rows.enumerated() {
            sql.append(index == 0 ? " " : ", ")
            sql.append(
                """
                (\(tx.tenantID), \(ids() as ExpenseID), \(row.memberID), \(row.categoryID), \(row.amount.minorUnits), \
                \(row.amount.currency.code), \(row.date), \(row.merchant), \(row.note), \(Self.storedTags(row.tags)), \
                \(now), \(now))
                """)
        }
        try await tx.executor.execute(sql)
    }

    /// Refreshes the planner's statistics after a bulk load.
    public func analyze(_ tx: TenantTransaction) async throws {
        try await tx.executor.execute("ANALYZE expenses")
    }

    public func find(_ tx: TenantTransaction, id: ExpenseID) async throws -> Expense? {
        try await tx.executor.first(Self.byID(tx.tenantID, id).prepared(as: ByID.self))
            .map { try Self.expense(from: $0, tenant: tx.tenantID) }
    }

    static func byID(_ tenant: TenantID, _ id: ExpenseID) -> SQL {
        "\(Self.select) WHERE e.tenant_id = \(tenant) AND e.id = \(id)"
    }

    enum ByID: PreparedStatementKey {
        static let text = ExpenseRepository.byID(TenantID(), ExpenseID()).text(for: .postgres)
    }

    /// Newest first (date, then insertion), strictly after `cursor`, at most `limit`. The
    /// unfiltered list (a page of the newest, the most asked-for read) is a prepared statement.
    public func list(_ tx: TenantTransaction, _ filter: ExpenseFilter, after cursor: ExpenseCursor?, limit: Int)
        async throws -> [Expense]
    {
        let sql =
            if filter == ExpenseFilter() {
                Self.newest(tx.tenantID, after: cursor, limit: limit)
                    .prepared(as: cursor == nil ? Newest.self : NewestAfter.self)
            } else {
                Self.newest(tx.tenantID, filter, after: cursor, limit: limit, dialect: tx.executor.dialect)
            }
        return try await tx.executor.query(sql).map { try Self.expense(from: $0, tenant: tx.tenantID) }
    }

    static func newest(
        _ tenant: TenantID, _ filter: ExpenseFilter = ExpenseFilter(), after cursor: ExpenseCursor?, limit: Int,
        dialect: SQLDialect = .postgres
    ) -> SQL {
        var sql = Self.select
        sql.append(" WHERE e.tenant_id = \(tenant)")
        sql.append(Self.conditions(filter, dialect: dialect))
        if let cursor {
            sql.append(" AND (e.occurred_on, e.seq) < (\(cursor.date), \(cursor.sequence))")
        }
        sql.append(" ORDER BY e.occurred_on DESC, e.seq DESC LIMIT \(limit)")
        return sql
    }

    enum Newest: PreparedStatementKey {
        static let text = ExpenseRepository.newest(TenantID(), after: nil, limit: 0).text(for: .postgres)
    }

    enum NewestAfter: PreparedStatementKey {
        static let text = ExpenseRepository.newest(
            TenantID(), after: ExpenseCursor(date: CalendarDate(dayNumber: 0), sequence: 0), limit: 0
        ).text(for: .postgres)
    }

    /// Oldest first (date, then insertion), strictly after `cursor`: the order exports stream in.
    public func chronological(
        _ tx: TenantTransaction, _ filter: ExpenseFilter, after cursor: ExpenseCursor?, limit: Int
    ) async throws -> [Expense] {
        var sql = Self.select
        sql.append(" WHERE e.tenant_id = \(tx.tenantID)")
        sql.append(Self.conditions(filter, dialect: tx.executor.dialect))
        if let cursor {
            sql.append(
                " AND (e.occurred_on, e.seq) > (\(cursor.date), \(cursor.sequence))"
            )
        }
        sql.append(" ORDER BY e.occurred_on, e.seq LIMIT \(limit)")
        return try await tx.executor.query(sql).map { try Self.expense(from: $0, tenant: tx.tenantID) }
    }

    /// What a report groups by.
    public enum Grouping: Sendable {
        case category, member
    }

    /// Sums per day and currency (and group) between `from` and `to`, both included: the one
    /// aggregate a report asks of the database; the domain rolls the days up into periods.
    ///
    /// PostgreSQL reads the per-day sums its triggers keep (`expense_day_totals`, exact
    /// numerics); SQLite sums the expenses, high and low parts apart so its 64-bit SUM cannot
    /// overflow, and the total is put together here.
    public func dayTotals(_ tx: TenantTransaction, from: CalendarDate, to: CalendarDate, groupBy: Grouping?)
        async throws -> [DayTotal]
    {
        let postgres = tx.executor.dialect == .postgres
        let group = Self.groupColumn(groupBy, postgres: postgres)
        let groupClause = groupBy == nil ? "" : ", \(group)"
        let sql: SQL =
            postgres
            ? """
            SELECT occurred_on, currency, \(unsafeRaw: group) AS grp, \(unsafeRaw: Self.exactSum("amount_minor", postgres)),
                   SUM(expense_count)::bigint AS n
            FROM expense_day_totals
            WHERE tenant_id = \(tx.tenantID) AND occurred_on >= \(from) AND occurred_on <= \(to) AND expense_count > 0
            GROUP BY occurred_on, currency\(unsafeRaw: groupClause)
            """
            : """
            SELECT occurred_on, currency, \(unsafeRaw: group) AS grp, \(unsafeRaw: Self.exactSum("amount_minor", postgres)),
                   COUNT(*) AS n
            FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND occurred_on >= \(from) AND occurred_on <= \(to)
            GROUP BY occurred_on, currency\(unsafeRaw: groupClause)
            """
        return try await tx.executor.query(sql).map { row in
            DayTotal(
                day: try row.decode("occurred_on"), currency: try Currency(code: try row.decode("currency")),
                group: try row.decode("grp"), minorUnits: try Self.exactSum(row, postgres), count: try row.decode("n"))
        }
    }

    /// The column a report groups day rows by: the day sums' category key (the nil UUID as
    /// NULL, "no category") on PostgreSQL, the expense's category on SQLite, the member on both.
    static func groupColumn(_ groupBy: Grouping?, postgres: Bool) -> String {
        switch (groupBy, postgres) {
        case (.category, true): "NULLIF(category_key, '00000000-0000-0000-0000-000000000000')"
        case (.category, false): "category_id"
        case (.member, _): "member_id"
        case (nil, _): "NULL"
        }
    }

    /// The sum and count per currency of every expense the filter selects (the whole filtered
    /// set, not one page of it), summed exactly (`exactSum`).
    public func filteredTotals(_ tx: TenantTransaction, _ filter: ExpenseFilter) async throws -> [MoneyTotal] {
        let postgres = tx.executor.dialect == .postgres
        var sql: SQL =
            "SELECT e.currency, \(unsafeRaw: Self.exactSum("e.amount_minor", postgres)), COUNT(*) AS n FROM expenses e"
        sql.append(" WHERE e.tenant_id = \(tx.tenantID)")
        sql.append(Self.conditions(filter, dialect: tx.executor.dialect))
        sql.append(" GROUP BY e.currency ORDER BY e.currency")
        return try await tx.executor.query(sql).map { row in
            MoneyTotal(
                currency: try row.decode("currency"), minorUnits: try Self.exactSum(row, postgres),
                count: try row.decode("n"))
        }
    }

    /// The select-list columns `total` and `low` of an exact sum of `column` (minor units):
    /// PostgreSQL's numeric sum as text; on SQLite, whose sums are 64-bit integers, the sums of
    /// the billions and of the remainders, which cannot overflow. `exactSum(row, _)` reads it.
    static func exactSum(_ column: String, _ postgres: Bool) -> String {
        postgres
            ? "SUM(\(column))::text AS total, 0 AS low"
            : "SUM(\(column) / 1000000000) AS total, SUM(\(column) % 1000000000) AS low"
    }

    static func exactSum(_ row: SQLRow, _ postgres: Bool) throws -> Int128 {
        let high: Int128 = try row.decode("total")
        let low: Int128 = try row.decode("low")
        return high * (postgres ? 1 : 1_000_000_000) + low
    }

    /// The date of the tenant's earliest expense, if it has any.
    public func earliestDate(_ tx: TenantTransaction) async throws -> CalendarDate? {
        try await tx.executor.first(
            "SELECT MIN(occurred_on) AS first FROM expenses WHERE tenant_id = \(tx.tenantID)"
        )?.decode("first")
    }

    /// Names of the users with these ids (authors who may have left the organization).
    public func authorNames(_ tx: TenantTransaction, ids: [UserID]) async throws -> [UserID: String] {
        guard !ids.isEmpty else { return [:] }
        var sql: SQL = "SELECT id, name FROM users WHERE id IN ("
        for (index, id) in ids.enumerated() {
            sql.append(index == 0 ? "\(id)" : ", \(id)")
        }
        sql.append(")")
        var names: [UserID: String] = [:]
        for row in try await tx.executor.query(sql) {
            names[try row.decode("id")] = try row.decode("name")
        }
        return names
    }

    static func conditions(_ filter: ExpenseFilter, dialect: SQLDialect) -> SQL {
        let contains = dialect == .postgres ? "strpos" : "instr"
        var sql: SQL = ""
        if let from = filter.from { sql.append(" AND e.occurred_on >= \(from)") }
        if let to = filter.to { sql.append(" AND e.occurred_on <= \(to)") }
        if let category = filter.categoryID { sql.append(" AND e.category_id = \(category)") }
        if let member = filter.memberID { sql.append(" AND e.member_id = \(member)") }
        if let tag = filter.tag { sql.append(" AND \(unsafeRaw: contains)(e.tags, \(",\(tag),")) > 0") }
        if let text = filter.text?.lowercased(), !text.isEmpty {
            sql.append(
                """
                 AND (\(unsafeRaw: contains)(lower(e.merchant), \(text)) > 0 \
                OR \(unsafeRaw: contains)(lower(e.note), \(text)) > 0)
                """
            )
        }
        if let currency = filter.currency { sql.append(" AND e.currency = \(currency.code)") }
        if let minimum = filter.minimumMinorUnits { sql.append(" AND e.amount_minor >= \(minimum)") }
        if let maximum = filter.maximumMinorUnits { sql.append(" AND e.amount_minor <= \(maximum)") }
        if let hasReceipt = filter.hasReceipt {
            let negation = hasReceipt ? "" : "NOT "
            sql.append(
                """
                 AND \(unsafeRaw: negation)EXISTS (SELECT 1 FROM receipts r \
                WHERE r.tenant_id = e.tenant_id AND r.expense_id = e.id)
                """)
        }
        if let claim = filter.claimID { sql.append(" AND e.claim_id = \(claim)") }
        if filter.claimable { sql.append(" AND e.reimbursable AND e.claim_id IS NULL") }
        return sql
    }

    /// Marks the expense paid out of pocket (reimbursable) or not; false for one in a claim,
    /// which must stay reimbursable while claimed.
    public func setReimbursable(_ tx: TenantTransaction, id: ExpenseID, _ value: Bool) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE expenses SET reimbursable = \(value)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND (claim_id IS NULL OR \(value))
            RETURNING id
            """
        ).isEmpty
    }

    static func storedTags(_ tags: [String]) -> String {
        tags.isEmpty ? "" : "," + tags.joined(separator: ",") + ","
    }

    /// `expense(from:)` reads these columns by position: keep the order in step.
    static let select: SQL = "\(unsafeRaw: columns) FROM expenses e \(unsafeRaw: joins)"

    static let columns = """
        SELECT e.id, e.seq, e.member_id, u.name AS member_name, e.category_id, c.name AS category_name,
               e.amount_minor, e.currency, e.occurred_on, e.merchant, e.note, e.tags, e.version,
               e.created_at, e.updated_at,
               (SELECT COUNT(*) FROM receipts r WHERE r.tenant_id = e.tenant_id AND r.expense_id = e.id) AS receipts,
               e.reimbursable, e.claim_id, e.base_amount_minor, e.recurring_id
        """

    static let joins = """
        JOIN users u ON u.id = e.member_id
        LEFT JOIN categories c ON c.tenant_id = e.tenant_id AND c.id = e.category_id
        """

    /// Reads a row of `select` by position (its column order), since lists and exports read
    /// thousands: looking columns up by name was a tenth of an export's time.
    static func expense(from row: SQLRow, tenant: TenantID) throws -> Expense {
        let currency = try Currency(code: try row.decode(at: 7, "currency"))
        let minorUnits: Int64 = try row.decode(at: 6, "amount_minor")
        guard let amount = Money(minorUnits: minorUnits, currency: currency) else {
            throw SQLDecodingError(column: "amount_minor", expected: "an amount in range", found: .int(minorUnits))
        }
        let tags: String = try row.decode(at: 11, "tags")
        var expense = Expense(
            id: try row.decode(at: 0, "id"), tenantID: tenant, memberID: try row.decode(at: 2, "member_id"),
            memberName: try row.decode(at: 3, "member_name"), categoryID: try row.decode(at: 4, "category_id"),
            categoryName: try row.decode(at: 5, "category_name"), amount: amount,
            date: try row.decode(at: 8, "occurred_on"), merchant: try row.decode(at: 9, "merchant"),
            note: try row.decode(at: 10, "note"), tags: tags.split(separator: ",").map(String.init),
            version: try row.decode(at: 12, "version"), sequence: try row.decode(at: 1, "seq"),
            createdAt: try row.decode(at: 13, "created_at"), updatedAt: try row.decode(at: 14, "updated_at"),
            receiptCount: try row.decode(at: 15, "receipts"), reimbursable: try row.decode(at: 16, "reimbursable"),
            claimID: try row.decode(at: 17, "claim_id"), baseMinorUnits: try row.decode(at: 18, "base_amount_minor"))
        expense.recurringID = try row.decode(at: 19, "recurring_id")
        return expense
    }
}
