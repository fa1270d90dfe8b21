import ExpenseCore
import Foundation

/// A tenant's claims. A state change is one conditional `UPDATE` (`WHERE status IN …`): of two
/// approvers acting at once, the second finds the claim moved on and changes nothing.
public struct ClaimRepository: Sendable {
    public init() {}

    public func create(_ tx: TenantTransaction, id: ClaimID, member: UserID, title: String, at now: Date)
        async throws
    {
        try await tx.executor.execute(
            """
            INSERT INTO claims (tenant_id, id, member_id, title, status, created_at, updated_at)
            VALUES (\(tx.tenantID), \(id), \(member), \(title), \(ClaimStatus.draft), \(now), \(now))
            """)
    }

    /// The claim with its expenses and totals; with `lock`, its row is locked (`FOR UPDATE` on
    /// PostgreSQL) until the transaction ends.
    public func find(_ tx: TenantTransaction, id: ClaimID, lock: Bool = false) async throws -> Claim? {
        let suffix = lock && tx.executor.dialect == .postgres ? " FOR UPDATE OF c" : ""
        guard
            let row = try await tx.executor.first(
                "\(Self.select) WHERE c.tenant_id = \(tx.tenantID) AND c.id = \(id)\(unsafeRaw: suffix)")
        else { return nil }
        return try await withExpenses(tx, [try Self.claim(from: row)]).first
    }

    /// Newest first, strictly before `before` (a claim's sequence), at most `limit`.
    public func list(
        _ tx: TenantTransaction, status: ClaimStatus?, member: UserID?, before: Int64?, limit: Int
    ) async throws -> [Claim] {
        var sql = Self.select
        sql.append(" WHERE c.tenant_id = \(tx.tenantID)")
        if let status { sql.append(" AND c.status = \(status)") }
        if let member { sql.append(" AND c.member_id = \(member)") }
        if let before { sql.append(" AND c.seq < \(before)") }
        sql.append(" ORDER BY c.seq DESC LIMIT \(limit)")
        return try await withExpenses(tx, try await tx.executor.query(sql).map(Self.claim(from:)))
    }

    /// Of `ids`, the claims that lock their expenses (submitted, approved or reimbursed).
    public func locking(_ tx: TenantTransaction, among ids: [ClaimID]) async throws -> Set<ClaimID> {
        guard !ids.isEmpty else { return [] }
        var sql: SQL =
            "SELECT id FROM claims WHERE tenant_id = \(tx.tenantID) AND id IN (\(Self.list(ids))) AND status IN ("
        for (index, status) in ClaimStatus.allCases.filter(\.locksExpenses).enumerated() {
            sql.append(index == 0 ? "\(status)" : ", \(status)")
        }
        sql.append(")")
        return Set(try await tx.executor.query(sql).map { try $0.decode("id") })
    }

    /// How many claims are in `status`, leaving out `excluding`'s own.
    public func count(_ tx: TenantTransaction, status: ClaimStatus, excluding member: UserID?) async throws -> Int {
        var sql: SQL = "SELECT COUNT(*) AS n FROM claims WHERE tenant_id = \(tx.tenantID) AND status = \(status)"
        if let member { sql.append(" AND member_id <> \(member)") }
        return try await tx.executor.first(sql)?.decode("n") ?? 0
    }

    /// What `member`'s approved claims, not yet paid back, come to per currency, summed exactly.
    public func owed(_ tx: TenantTransaction, to member: UserID) async throws -> [MoneyTotal] {
        let postgres = tx.executor.dialect == .postgres
        return try await tx.executor.query(
            """
            SELECT e.currency, \(unsafeRaw: ExpenseRepository.exactSum("e.amount_minor", postgres)), COUNT(*) AS n
            FROM claims c JOIN expenses e ON e.tenant_id = c.tenant_id AND e.claim_id = c.id
            WHERE c.tenant_id = \(tx.tenantID) AND c.member_id = \(member) AND c.status = \(ClaimStatus.approved)
            GROUP BY e.currency ORDER BY e.currency
            """
        ).map { row in
            MoneyTotal(
                currency: try Currency(code: try row.decode("currency")),
                minorUnits: try ExpenseRepository.exactSum(row, postgres), count: try row.decode("n"))
        }
    }

    /// The status of the claim an expense is in, its row locked against a change of state until
    /// the transaction ends (`FOR SHARE` on PostgreSQL), so an edit and a submission serialize.
    public func lockedStatus(_ tx: TenantTransaction, id: ClaimID) async throws -> ClaimStatus? {
        let suffix = tx.executor.dialect == .postgres ? " FOR SHARE" : ""
        return try await tx.executor.first(
            "SELECT status FROM claims WHERE tenant_id = \(tx.tenantID) AND id = \(id)\(unsafeRaw: suffix)"
        )?.decode("status")
    }

    /// Members whose role approves claims (as the permission table says).
    public func approverCount(_ tx: TenantTransaction) async throws -> Int {
        var sql: SQL = "SELECT COUNT(*) AS n FROM memberships WHERE tenant_id = \(tx.tenantID) AND role IN ("
        for (index, role) in Role.allCases.filter({ $0.can(.approveClaims) }).enumerated() {
            sql.append(index == 0 ? "\(role)" : ", \(role)")
        }
        sql.append(")")
        return try await tx.executor.first(sql)?.decode("n") ?? 0
    }

    public func rename(_ tx: TenantTransaction, id: ClaimID, title: String, at now: Date) async throws {
        try await tx.executor.execute(
            "UPDATE claims SET title = \(title), updated_at = \(now) WHERE tenant_id = \(tx.tenantID) AND id = \(id)")
    }

    /// Of `expenses`, those that could not join `claim` (nil: a claim not made yet): not
    /// `member`'s, not reimbursable, or in another claim. Read before any write, so a refusal
    /// leaves nothing changed for the page that says so.
    public func refused(_ tx: TenantTransaction, claim: ClaimID?, member: UserID, _ expenses: [ExpenseID])
        async throws -> [ExpenseID]
    {
        guard !expenses.isEmpty else { return [] }
        var sql: SQL = """
            SELECT id FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND id IN (\(Self.list(expenses))) AND member_id = \(member)
                AND reimbursable AND (claim_id IS NULL
            """
        if let claim { sql.append(" OR claim_id = \(claim)") }
        sql.append(")")
        let eligible = Set(try await tx.executor.query(sql).map { try $0.decode("id") as ExpenseID })
        return expenses.filter { !eligible.contains($0) }
    }

    /// Makes `expenses` the claim's: the ones it had and are not listed leave it; the listed
    /// ones join it when they are `member`'s, reimbursable and in no other claim. Returns the
    /// listed ids that could not join.
    public func setExpenses(_ tx: TenantTransaction, claim: ClaimID, member: UserID, _ expenses: [ExpenseID])
        async throws -> [ExpenseID]
    {
        var release: SQL =
            "UPDATE expenses SET claim_id = NULL WHERE tenant_id = \(tx.tenantID) AND claim_id = \(claim)"
        if !expenses.isEmpty { release.append(" AND id NOT IN (\(Self.list(expenses)))") }
        try await tx.executor.execute(release)
        guard !expenses.isEmpty else { return [] }
        let joined: [ExpenseID] = try await tx.executor.query(
            """
            UPDATE expenses SET claim_id = \(claim)
            WHERE tenant_id = \(tx.tenantID) AND id IN (\(Self.list(expenses))) AND member_id = \(member)
                AND reimbursable AND (claim_id IS NULL OR claim_id = \(claim))
            RETURNING id
            """
        ).map { try $0.decode("id") }
        let taken = Set(joined)
        return expenses.filter { !taken.contains($0) }
    }

    /// Deletes a draft claim, its expenses left unclaimed; false when it is no draft (or gone).
    public func deleteDraft(_ tx: TenantTransaction, id: ClaimID) async throws -> Bool {
        try await tx.executor.execute(
            """
            UPDATE expenses SET claim_id = NULL WHERE tenant_id = \(tx.tenantID) AND claim_id = \(id)
                AND EXISTS (SELECT 1 FROM claims c WHERE c.tenant_id = \(tx.tenantID) AND c.id = \(id)
                            AND c.status = \(ClaimStatus.draft))
            """)
        return try await !tx.executor.query(
            """
            DELETE FROM claims WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND status = \(ClaimStatus.draft)
            RETURNING id
            """
        ).isEmpty
    }

    /// What a state change writes beside the status.
    public struct Change: Sendable {
        public var submittedAt: Date?
        public var decidedAt: Date?
        public var decidedBy: UserID?
        public var comment: String?
        public var selfApproved: Bool?
        public var paidOn: CalendarDate?
        public var reference: String?
        public var reimbursedBy: UserID?
        /// A resubmitted claim forgets the decision it had (the audit log keeps it).
        public var clearDecision = false

        public init() {}
    }

    /// Moves the claim to `to` if it is in one of `from`; false, having changed nothing, when it
    /// is not (someone moved it first).
    public func transition(
        _ tx: TenantTransaction, id: ClaimID, from: Set<ClaimStatus>, to: ClaimStatus, _ change: Change,
        at now: Date
    ) async throws -> Bool {
        var sql: SQL = "UPDATE claims SET status = \(to), updated_at = \(now)"
        if let value = change.submittedAt { sql.append(", submitted_at = \(value)") }
        if let value = change.decidedAt { sql.append(", decided_at = \(value)") }
        if let value = change.decidedBy { sql.append(", decided_by = \(value)") }
        if let value = change.comment { sql.append(", comment = \(value)") }
        if let value = change.selfApproved { sql.append(", self_approved = \(value)") }
        if let value = change.paidOn { sql.append(", paid_on = \(value)") }
        if let value = change.reference { sql.append(", reference = \(value)") }
        if let value = change.reimbursedBy { sql.append(", reimbursed_by = \(value)") }
        if change.clearDecision { sql.append(", decided_at = NULL, decided_by = NULL, self_approved = \(false)") }
        sql.append(" WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND status IN (")
        for (index, status) in from.sorted(by: { $0.rawValue < $1.rawValue }).enumerated() {
            sql.append(index == 0 ? "\(status)" : ", \(status)")
        }
        sql.append(") RETURNING id")
        return try await !tx.executor.query(sql).isEmpty
    }

    /// The claims paid back between `from` and `to` (both included), oldest payment first, a
    /// payment per claim and currency, summed exactly.
    public func payments(_ tx: TenantTransaction, from: CalendarDate, to: CalendarDate) async throws -> [ClaimPayment] {
        let rows = try await tx.executor.query(
            """
            SELECT c.id, c.title, c.paid_on, c.reference, u.name, u.email, e.currency, e.amount_minor
            FROM claims c
            JOIN users u ON u.id = c.member_id
            JOIN expenses e ON e.tenant_id = c.tenant_id AND e.claim_id = c.id
            WHERE c.tenant_id = \(tx.tenantID) AND c.status = \(ClaimStatus.reimbursed)
                AND c.paid_on >= \(from) AND c.paid_on <= \(to)
            ORDER BY c.paid_on, c.seq, e.currency
            """)
        var payments: [ClaimPayment] = []
        for row in rows {
            let claim: ClaimID = try row.decode("id")
            let currency = try Currency(code: try row.decode("currency"))
            let minor: Int64 = try row.decode("amount_minor")
            if let last = payments.last, last.claimID == claim, last.total.currency == currency {
                payments[payments.count - 1].total = MoneyTotal(
                    currency: currency, minorUnits: last.total.minorUnits + Int128(minor), count: last.total.count + 1)
                continue
            }
            payments.append(
                ClaimPayment(
                    claimID: claim, title: try row.decode("title"), memberName: try row.decode("name"),
                    memberEmail: try row.decode("email"), paidOn: try row.decode("paid_on"),
                    reference: try row.decode("reference"),
                    total: MoneyTotal(currency: currency, minorUnits: Int128(minor), count: 1)))
        }
        return payments
    }

    // MARK: Reading

    static let select: SQL = """
        SELECT c.id, c.seq, c.member_id, u.name AS member_name, c.title, c.status, c.submitted_at, c.decided_at,
               c.decided_by, c.comment, c.self_approved, c.paid_on, c.reference, c.created_at, c.updated_at
        FROM claims c JOIN users u ON u.id = c.member_id
        """

    static func claim(from row: SQLRow) throws -> Claim {
        Claim(
            id: try row.decode("id"), memberID: try row.decode("member_id"), memberName: try row.decode("member_name"),
            title: try row.decode("title"), status: try row.decode("status"), expenseIDs: [], totals: [],
            submittedAt: try row.decode("submitted_at"), decidedAt: try row.decode("decided_at"),
            decidedBy: try row.decode("decided_by"), comment: try row.decode("comment"),
            selfApproved: try row.decode("self_approved"), paidOn: try row.decode("paid_on"),
            reference: try row.decode("reference"), sequence: try row.decode("seq"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// The claims with their expenses' ids (oldest first) and exact totals per currency, read in
    /// one statement for all of them.
    func withExpenses(_ tx: TenantTransaction, _ claims: [Claim]) async throws -> [Claim] {
        guard !claims.isEmpty else { return claims }
        let rows = try await tx.executor.query(
            """
            SELECT claim_id, id, currency, amount_minor, base_amount_minor FROM expenses
            WHERE tenant_id = \(tx.tenantID) AND claim_id IN (\(Self.list(claims.map(\.id))))
            ORDER BY occurred_on, seq
            """)
        var ids: [ClaimID: [ExpenseID]] = [:]
        var sums: [ClaimID: [String: (Int128, Int)]] = [:]
        var bases: [ClaimID: (Int128, Int)] = [:]
        for row in rows {
            let claim: ClaimID = try row.decode("claim_id")
            ids[claim, default: []].append(try row.decode("id"))
            let currency: String = try row.decode("currency")
            let minor: Int64 = try row.decode("amount_minor")
            let (sum, count) = sums[claim, default: [:]][currency] ?? (0, 0)
            sums[claim, default: [:]][currency] = (sum + Int128(minor), count + 1)
            let base: Int64? = try row.decode("base_amount_minor")
            let (baseSum, waiting) = bases[claim] ?? (0, 0)
            bases[claim] = base.map { (baseSum + Int128($0), waiting) } ?? (baseSum, waiting + 1)
        }
        return try claims.map { claim in
            var claim = claim
            claim.expenseIDs = ids[claim.id] ?? []
            (claim.baseMinorUnits, claim.unconverted) = bases[claim.id] ?? (0, 0)
            claim.totals = try (sums[claim.id] ?? [:]).sorted { $0.key < $1.key }.map { code, total in
                MoneyTotal(currency: try Currency(code: code), minorUnits: total.0, count: total.1)
            }
            return claim
        }
    }

    /// `a, b, c` of bound ids, for `IN (…)`.
    static func list<Tag>(_ ids: [Identifier<Tag>]) -> SQL {
        var sql: SQL = ""
        for (index, id) in ids.enumerated() { sql.append(index == 0 ? "\(id)" : ", \(id)") }
        return sql
    }
}
