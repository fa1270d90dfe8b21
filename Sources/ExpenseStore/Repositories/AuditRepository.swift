import ExpenseCore
import Foundation

/// The append-only audit log of a tenant. There is no update or delete here, and the schema
/// refuses them too.
public struct AuditRepository: Sendable {
    public init() {}

    public func append(_ tx: TenantTransaction, _ entry: AuditEntry) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, subject_type, subject_id, details, created_at)
            VALUES (\(tx.tenantID), \(entry.id), \(entry.actorID), \(entry.actorName), \(entry.action),
                    \(entry.subjectType), \(entry.subjectID), \(entry.details), \(entry.createdAt))
            """
        )
    }

    /// The audit row as a data-modifying step of a larger PostgreSQL statement: inserted once
    /// for each row of the statement's `source` step (so only when the change it records
    /// happened). Every value is cast: a NULL bound into a SELECT list has no type of its own.
    static func insert(_ entry: AuditEntry, tenant: TenantID, from source: String) -> SQL {
        """
        INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, subject_type, subject_id, details,
                               created_at)
        SELECT \(tenant)::uuid, \(entry.id)::uuid, \(entry.actorID)::uuid, \(entry.actorName)::text,
               \(entry.action)::text, \(entry.subjectType)::text, \(entry.subjectID)::text, \(entry.details)::text,
               \(entry.createdAt)::timestamptz
        FROM \(unsafeRaw: source)
        """
    }

    /// Newest first, at most `limit`.
    public func list(_ tx: TenantTransaction, limit: Int) async throws -> [AuditEntry] {
        let order = tx.executor.dialect == .postgres ? "seq DESC" : "rowid DESC"
        return try await entries(
            tx,
            """
            SELECT id, actor_id, actor_name, action, subject_type, subject_id, details, created_at
            FROM audit_log WHERE tenant_id = \(tx.tenantID)
            ORDER BY \(unsafeRaw: order) LIMIT \(limit)
            """)
    }

    /// One subject's story (a claim's history): its newest `limit` entries, oldest first.
    public func history(_ tx: TenantTransaction, of type: AuditSubject, id: String, limit: Int) async throws
        -> [AuditEntry]
    {
        let order = tx.executor.dialect == .postgres ? "seq DESC" : "rowid DESC"
        let newest = try await entries(
            tx,
            """
            SELECT id, actor_id, actor_name, action, subject_type, subject_id, details, created_at
            FROM audit_log WHERE tenant_id = \(tx.tenantID) AND subject_type = \(type) AND subject_id = \(id)
            ORDER BY \(unsafeRaw: order) LIMIT \(limit)
            """)
        return newest.reversed()
    }

    private func entries(_ tx: TenantTransaction, _ sql: SQL) async throws -> [AuditEntry] {
        try await tx.executor.query(sql).map { row in
            AuditEntry(
                id: try row.decode("id"),
                actorID: try row.decode("actor_id"),
                actorName: try row.decode("actor_name"),
                action: try row.decode("action"),
                subjectType: try row.decode("subject_type"),
                subjectID: try row.decode("subject_id"),
                details: try row.decode("details"),
                createdAt: try row.decode("created_at")
            )
        }
    }
}
