import ExpenseCore
import Foundation

/// A tenant's recurring expenses, and the scan that finds due ones across tenants.
public struct RecurringRepository: Sendable {
    public init() {}

    public func insert(_ tx: TenantTransaction, _ schedule: RecurringExpense) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO recurring_expenses (tenant_id, id, member_id, amount_minor, currency, category_id, merchant,
                note, tags, reimbursable, frequency, interval_count, start_on, end_on, max_count, paused,
                created_through, created_count, next_on, created_at, updated_at)
            VALUES (\(tx.tenantID), \(schedule.id), \(schedule.memberID), \(schedule.amount.minorUnits),
                \(schedule.amount.currency.code), \(schedule.categoryID), \(schedule.merchant), \(schedule.note),
                \(ExpenseRepository.storedTags(schedule.tags)), \(schedule.reimbursable),
                \(schedule.rule.frequency.rawValue), \(schedule.rule.interval), \(schedule.rule.start),
                \(schedule.rule.end), \(schedule.rule.count), \(schedule.paused), \(schedule.createdThrough),
                \(schedule.createdCount), \(schedule.nextOn), \(schedule.createdAt), \(schedule.updatedAt))
            """)
    }

    /// Writes every field of the schedule.
    public func update(_ tx: TenantTransaction, _ schedule: RecurringExpense) async throws {
        try await tx.executor.execute(
            """
            UPDATE recurring_expenses SET amount_minor = \(schedule.amount.minorUnits),
                currency = \(schedule.amount.currency.code), category_id = \(schedule.categoryID),
                merchant = \(schedule.merchant), note = \(schedule.note),
                tags = \(ExpenseRepository.storedTags(schedule.tags)), reimbursable = \(schedule.reimbursable),
                frequency = \(schedule.rule.frequency.rawValue), interval_count = \(schedule.rule.interval),
                start_on = \(schedule.rule.start), end_on = \(schedule.rule.end), max_count = \(schedule.rule.count),
                paused = \(schedule.paused), created_through = \(schedule.createdThrough),
                created_count = \(schedule.createdCount), next_on = \(schedule.nextOn),
                skipped_count = \(schedule.skippedCount), last_skipped_on = \(schedule.lastSkippedOn),
                updated_at = \(schedule.updatedAt)
            WHERE tenant_id = \(tx.tenantID) AND id = \(schedule.id)
            """)
    }

    public func delete(_ tx: TenantTransaction, id: RecurringID) async throws -> Bool {
        try await !tx.executor.query(
            "DELETE FROM recurring_expenses WHERE tenant_id = \(tx.tenantID) AND id = \(id) RETURNING id"
        ).isEmpty
    }

    /// With `lock`, the row stays locked (`FOR UPDATE` on PostgreSQL) until the transaction
    /// ends: of two workers on one schedule, the second waits and then finds the work done.
    public func find(_ tx: TenantTransaction, id: RecurringID, lock: Bool = false) async throws -> RecurringExpense? {
        let suffix = lock && tx.executor.dialect == .postgres ? " FOR UPDATE OF r" : ""
        return try await tx.executor.first(
            "\(Self.select) WHERE r.tenant_id = \(tx.tenantID) AND r.id = \(id)\(unsafeRaw: suffix)"
        ).map(Self.schedule(from:))
    }

    /// Oldest first.
    public func list(_ tx: TenantTransaction, member: UserID? = nil) async throws -> [RecurringExpense] {
        var sql = Self.select
        sql.append(" WHERE r.tenant_id = \(tx.tenantID)")
        if let member { sql.append(" AND r.member_id = \(member)") }
        sql.append(" ORDER BY r.created_at, r.id")
        return try await tx.executor.query(sql).map(Self.schedule(from:))
    }

    /// The schedules of every tenant with an occurrence due by `through` (the latest "today" of
    /// any time zone): their tenants, ids and next dates, soonest first, after the key `after`
    /// (the last of the previous page), at most `limit`. Read in the scheduler's transaction,
    /// which the schedules' own policy lets see due rows only.
    public func due(
        _ tx: SchedulerTransaction, through: CalendarDate, after: (CalendarDate, RecurringID)?, limit: Int
    ) async throws -> [(tenant: TenantID, id: RecurringID, next: CalendarDate)] {
        var sql: SQL = """
            SELECT tenant_id, id, next_on FROM recurring_expenses
            WHERE NOT paused AND next_on IS NOT NULL AND next_on <= \(through)
            """
        if let (date, id) = after { sql.append(" AND (next_on > \(date) OR (next_on = \(date) AND id > \(id)))") }
        sql.append(" ORDER BY next_on, id LIMIT \(limit)")
        return try await tx.executor.query(sql).map {
            (try $0.decode("tenant_id"), try $0.decode("id"), try $0.decode("next_on"))
        }
    }

    /// Marks an expense as the schedule's occurrence of `date`; false when that occurrence was
    /// written already (the unique key keeps one per schedule and date).
    public func occurrenceExists(_ tx: TenantTransaction, schedule: RecurringID, date: CalendarDate) async throws
        -> Bool
    {
        try await tx.executor.first(
            """
            SELECT 1 AS one FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND recurring_id = \(schedule) AND recurring_on = \(date)
            """) != nil
    }

    public func markOccurrence(_ tx: TenantTransaction, expense: ExpenseID, schedule: RecurringID, date: CalendarDate)
        async throws
    {
        try await tx.executor.execute(
            """
            UPDATE expenses SET recurring_id = \(schedule), recurring_on = \(date)
            WHERE tenant_id = \(tx.tenantID) AND id = \(expense)
            """)
    }

    /// Whether a schedule logs under the category (it is then not deleted).
    public func usesCategory(_ tx: TenantTransaction, _ category: CategoryID) async throws -> Bool {
        try await tx.executor.first(
            """
            SELECT 1 AS one FROM recurring_expenses WHERE tenant_id = \(tx.tenantID) AND category_id = \(category)
            LIMIT 1
            """) != nil
    }

    /// How many expenses the schedule wrote that still exist.
    public func occurrenceCount(_ tx: TenantTransaction, schedule: RecurringID) async throws -> Int {
        try await tx.executor.first(
            """
            SELECT COUNT(*) AS n FROM expenses WHERE tenant_id = \(tx.tenantID) AND recurring_id = \(schedule)
            """)?.decode("n") ?? 0
    }

    static let select: SQL = """
        SELECT r.id, r.member_id, u.name AS member_name, r.amount_minor, r.currency, r.category_id, r.merchant,
               r.note, r.tags, r.reimbursable, r.frequency, r.interval_count, r.start_on, r.end_on, r.max_count,
               r.paused, r.created_through, r.created_count, r.next_on, r.created_at, r.updated_at,
               r.skipped_count, r.last_skipped_on
        FROM recurring_expenses r JOIN users u ON u.id = r.member_id
        """

    static func schedule(from row: SQLRow) throws -> RecurringExpense {
        let currency = try Currency(code: try row.decode("currency"))
        let minor: Int64 = try row.decode("amount_minor")
        guard let amount = Money(minorUnits: minor, currency: currency) else {
            throw SQLDecodingError(column: "amount_minor", expected: "an amount in range", found: .int(minor))
        }
        let frequencyText: String = try row.decode("frequency")
        guard let frequency = Recurrence.Frequency(rawValue: frequencyText) else {
            throw SQLDecodingError(column: "frequency", expected: "a frequency", found: .text(frequencyText))
        }
        let rule = try Recurrence(
            frequency: frequency, interval: try row.decode("interval_count"), start: try row.decode("start_on"),
            end: try row.decode("end_on"), count: try row.decode("max_count"))
        let tags: String = try row.decode("tags")
        var schedule = RecurringExpense(
            id: try row.decode("id"), memberID: try row.decode("member_id"), memberName: try row.decode("member_name"),
            amount: amount, categoryID: try row.decode("category_id"), merchant: try row.decode("merchant"),
            note: try row.decode("note"), tags: tags.split(separator: ",").map(String.init),
            reimbursable: try row.decode("reimbursable"), rule: rule, paused: try row.decode("paused"),
            createdThrough: try row.decode("created_through"), createdCount: try row.decode("created_count"),
            nextOn: try row.decode("next_on"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"))
        schedule.skippedCount = try row.decode("skipped_count")
        schedule.lastSkippedOn = try row.decode("last_skipped_on")
        return schedule
    }
}
