import ExpenseCore
import Foundation

/// The append-only audit log of a tenant. There is no update or delete here, and the schema
/// refuses them too.
public struct AuditRepository: Sendable {
    public init() {}

    public func append(_ tx: TenantTransaction, _ entry: AuditEntry) async throws {
        switch tx.executor.dialect {
        case .postgres:
            // The chain trigger numbers and hashes the entry under the organization's row lock.
            try await tx.executor.execute(
                """
                INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, subject_type, subject_id, details,
                                       created_at)
                VALUES (\(tx.tenantID), \(entry.id), \(entry.actorID), \(entry.actorName), \(entry.action),
                        \(entry.subjectType), \(entry.subjectID), \(entry.details), \(entry.createdAt))
                """
            )
        case .sqlite:
            // One writer at a time: the head read here is still the head at the insert, which a
            // trigger checks (and then moves to this entry).
            let head = try await self.head(tx)
            let createdAt = AuditChain.stored(entry.createdAt)
            let link = AuditChain.Link(
                tenantID: tx.tenantID.description, seq: head.seq + 1, id: entry.id.uuidString.lowercased(),
                actorID: entry.actorID?.description, actorName: entry.actorName, action: entry.action.rawValue,
                subjectType: entry.subjectType.rawValue, subjectID: entry.subjectID, details: entry.details?.json,
                createdAt: AuditChain.timestamp(createdAt))
            try await tx.executor.execute(
                """
                INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, subject_type, subject_id, details,
                                       created_at, chain_seq, hash)
                VALUES (\(tx.tenantID), \(entry.id), \(entry.actorID), \(entry.actorName), \(entry.action),
                        \(entry.subjectType), \(entry.subjectID), \(entry.details), \(createdAt), \(link.seq),
                        \(link.hash(after: head.hash)))
                """
            )
        }
    }

    /// The organization's chain head: its newest entry's number and hash.
    public func head(_ tx: TenantTransaction) async throws -> AuditHead {
        guard
            let row = try await tx.executor.first(
                "SELECT audit_seq, audit_hash FROM organizations WHERE id = \(tx.tenantID)")
        else { return AuditHead(seq: 0, hash: AuditChain.genesis) }
        return AuditHead(seq: try row.decode("audit_seq"), hash: try row.decode("audit_hash"))
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
        try await entries(
            tx,
            """
            SELECT id, actor_id, actor_name, action, subject_type, subject_id, details, created_at
            FROM audit_log WHERE tenant_id = \(tx.tenantID)
            ORDER BY chain_seq DESC LIMIT \(limit)
            """)
    }

    /// One subject's story (a claim's history): its newest `limit` entries, oldest first.
    public func history(_ tx: TenantTransaction, of type: AuditSubject, id: String, limit: Int) async throws
        -> [AuditEntry]
    {
        let newest = try await entries(
            tx,
            """
            SELECT id, actor_id, actor_name, action, subject_type, subject_id, details, created_at
            FROM audit_log WHERE tenant_id = \(tx.tenantID) AND subject_type = \(type) AND subject_id = \(id)
            ORDER BY chain_seq DESC LIMIT \(limit)
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
