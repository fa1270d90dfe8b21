import ExpenseCore
import Foundation

/// An organization's closes and reopens, append-only. Adding one moves the closed-through date
/// the expense and receipt triggers enforce (a trigger copies it to the organization's row).
public struct PeriodCloseRepository: Sendable {
    public init() {}

    /// The closed-through date as committed now. With `lock` the organization's row stays
    /// locked (`FOR UPDATE`) until the transaction ends: expense writes, which take a KEY SHARE
    /// lock on it first, wait for a close being decided, and it for them. Without, a read the
    /// expense triggers hold writers to anyway.
    public func closedThrough(_ tx: TenantTransaction, lock: Bool = false) async throws -> CalendarDate? {
        let suffix = lock && tx.executor.dialect == .postgres ? " FOR UPDATE" : ""
        return try await tx.executor.first(
            "SELECT closed_through FROM organizations WHERE id = \(tx.tenantID)\(unsafeRaw: suffix)"
        )?.decode("closed_through")
    }

    /// Records a close or reopen as the next in the organization's list; call it with the row
    /// locked (`closedThrough(lock: true)`) so two at once cannot take the same number.
    public func add(
        _ tx: TenantTransaction, action: PeriodClose.Action, through: CalendarDate?, reason: String?,
        actor: UserID, actorName: String, head: AuditHead, at now: Date
    ) async throws -> PeriodClose {
        let row = try await tx.executor.first(
            """
            INSERT INTO period_closes (tenant_id, seq, action, through, reason, actor_id, actor_name, audit_seq,
                                       audit_hash, created_at)
            SELECT \(tx.tenantID), coalesce(max(seq), 0) + 1, \(action), \(through), \(reason), \(actor), \(actorName),
                   \(head.seq), \(head.hash), \(now)
            FROM period_closes WHERE tenant_id = \(tx.tenantID)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        return try Self.periodClose(from: row!)
    }

    /// Newest first, at most `limit`.
    public func list(_ tx: TenantTransaction, limit: Int) async throws -> [PeriodClose] {
        try await tx.executor.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM period_closes WHERE tenant_id = \(tx.tenantID)
            ORDER BY seq DESC LIMIT \(limit)
            """
        ).map(Self.periodClose)
    }

    static let columns =
        "seq, action, through, reason, actor_id, actor_name, audit_seq, audit_hash, created_at"

    static func periodClose(from row: SQLRow) throws -> PeriodClose {
        PeriodClose(
            seq: try row.decode("seq"), action: try row.decode("action"), through: try row.decode("through"),
            reason: try row.decode("reason"), actorID: try row.decode("actor_id"),
            actorName: try row.decode("actor_name"), auditSeq: try row.decode("audit_seq"),
            auditHash: try row.decode("audit_hash"), createdAt: try row.decode("created_at"))
    }
}
