import ExpenseCore
import Foundation

extension ExpenseRepository {
    /// Logs an expense and its audit entry together, checking that its category (if any) is an
    /// active one of this tenant. On PostgreSQL that is one statement, so one round trip; SQLite
    /// runs in-process and takes three. Returns nil, having written nothing, when the category
    /// is missing or archived.
    public func create(
        _ tx: TenantTransaction, id: ExpenseID, _ draft: ExpenseDraft, by author: Author, audit: AuditEntry,
        at now: Date
    ) async throws -> Expense? {
        let written: (sequence: Int64, categoryName: String?)?
        switch tx.executor.dialect {
        case .postgres:
            let values = Values(
                tenant: tx.tenantID, id: id, member: author.id, categoryID: draft.categoryID,
                minorUnits: draft.amount.minorUnits, currency: draft.amount.currency.code, date: draft.date,
                merchant: draft.merchant, note: draft.note, tags: Self.storedTags(draft.tags),
                baseMinorUnits: draft.baseMinorUnits, now: now)
            let sql = Self.insertAudited(values, audit).prepared(as: InsertAudited.self)
            written = try await tx.executor.first(sql).map {
                (try $0.decode(at: 0, "seq"), try $0.decode(at: 1, "category_name"))
            }
        case .sqlite:
            written = try await insertThenAudit(tx, id, draft, author.id, audit, now)
        }
        guard let written else { return nil }
        return Expense(
            id: id, tenantID: tx.tenantID, memberID: author.id, memberName: author.name, categoryID: draft.categoryID,
            categoryName: written.categoryName, amount: draft.amount, date: draft.date, merchant: draft.merchant,
            note: draft.note, tags: draft.tags, version: 1, sequence: written.sequence, createdAt: now, updatedAt: now,
            baseMinorUnits: draft.baseMinorUnits)
    }

    /// The category check, the insert and the audit row as one statement: the insert happens
    /// only when the category passes, and the audit row only when the insert did. Every value
    /// is cast, since a NULL bound into a SELECT list has no type of its own.
    struct Values {
        var tenant: TenantID
        var id: ExpenseID
        var member: UserID
        var categoryID: CategoryID?
        var minorUnits: Int64
        var currency: String
        var date: CalendarDate
        var merchant: String
        var note: String
        var tags: String
        var baseMinorUnits: Int64?
        var now: Date
    }

    static func insertAudited(_ v: Values, _ audit: AuditEntry) -> SQL {
        """
        WITH category AS (
            SELECT name FROM categories
            WHERE tenant_id = \(v.tenant) AND id = \(v.categoryID)::uuid AND archived_at IS NULL
        ), expense AS (
            INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on,
                                  merchant, note, tags, base_amount_minor, created_at, updated_at)
            SELECT \(v.tenant)::uuid, \(v.id)::uuid, \(v.member)::uuid, \(v.categoryID)::uuid, \(v.minorUnits)::bigint,
                   \(v.currency)::text, \(v.date)::date, \(v.merchant)::text, \(v.note)::text, \(v.tags)::text,
                   \(v.baseMinorUnits)::bigint, \(v.now)::timestamptz, \(v.now)::timestamptz
            WHERE \(v.categoryID)::uuid IS NULL OR EXISTS (SELECT 1 FROM category)
            RETURNING seq
        ), audit AS (
            \(AuditRepository.insert(audit, tenant: v.tenant, from: "expense"))
        )
        SELECT expense.seq, (SELECT name FROM category) AS category_name FROM expense
        """
    }

    enum InsertAudited: PreparedStatementKey {
        static let text = ExpenseRepository.insertAudited(
            Values(
                tenant: TenantID(), id: ExpenseID(), member: UserID(), categoryID: nil, minorUnits: 0, currency: "",
                date: CalendarDate(dayNumber: 0), merchant: "", note: "", tags: "", baseMinorUnits: nil, now: Date()),
            AuditEntry(
                id: UUID(), actorID: nil, actorName: nil, action: .expenseCreated, subjectType: .expense,
                subjectID: nil,
                details: nil,
                createdAt: Date())
        ).text(for: .postgres)
    }

    private func insertThenAudit(
        _ tx: TenantTransaction, _ id: ExpenseID, _ draft: ExpenseDraft, _ member: UserID, _ audit: AuditEntry,
        _ now: Date
    ) async throws -> (sequence: Int64, categoryName: String?)? {
        var categoryName: String?
        if let category = draft.categoryID {
            guard
                let row = try await tx.executor.first(
                    """
                    SELECT name FROM categories
                    WHERE tenant_id = \(tx.tenantID) AND id = \(category) AND archived_at IS NULL
                    """)
            else { return nil }
            categoryName = try row.decode("name")
        }
        let row = try await tx.executor.first(
            """
            INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on,
                                  merchant, note, tags, base_amount_minor, created_at, updated_at)
            VALUES (\(tx.tenantID), \(id), \(member), \(draft.categoryID), \(draft.amount.minorUnits),
                    \(draft.amount.currency.code), \(draft.date), \(draft.merchant), \(draft.note),
                    \(Self.storedTags(draft.tags)), \(draft.baseMinorUnits), \(now), \(now))
            RETURNING seq
            """
        )
        try await AuditRepository().append(tx, audit)
        return (try row?.decode("seq") ?? 0, categoryName)
    }
}
