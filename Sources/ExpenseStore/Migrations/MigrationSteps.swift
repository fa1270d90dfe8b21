import Foundation

/// Work a migration needs that SQL alone cannot do on its database (SQLite has no SHA-256), run
/// at a `-- step: NAME` line of the file, inside the migration's transaction. The file's
/// checksum covers the line, so which step runs where is as fixed as the SQL around it.
enum MigrationSteps {
    typealias Step = @Sendable (any SQLExecutor) async throws -> Void

    enum Part {
        case sql(String)
        case step(Step)
    }

    static let named: [String: Step] = [
        "chain_audit_log": chainAuditLog
    ]

    /// The migration's SQL, cut at its step lines, with each step looked up.
    static func parts(of migration: Migration) throws -> [Part] {
        var parts: [Part] = []
        var sql = ""
        for line in migration.sql.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("-- step: ") else {
                sql += line + "\n"
                continue
            }
            let name = line.dropFirst("-- step: ".count).trimmingCharacters(in: .whitespaces)
            guard let step = named[name] else {
                throw StoreError.migrationFilesMissing("\(migration.name) names an unknown step \(name)")
            }
            parts.append(.sql(sql))
            parts.append(.step(step))
            sql = ""
        }
        parts.append(.sql(sql))
        return parts
    }

    /// Numbers and hashes every organization's existing audit entries in the order they were
    /// written, and records each chain's head. Run while the entries' update trigger is lifted.
    static func chainAuditLog(_ tx: any SQLExecutor) async throws {
        let rows = try await tx.query(
            """
            SELECT tenant_id, id, actor_id, actor_name, action, subject_type, subject_id, details, created_at
            FROM audit_log ORDER BY tenant_id, rowid
            """)
        var heads: [String: (seq: Int64, hash: String)] = [:]
        for row in rows {
            let tenant: String = try row.decode("tenant_id")
            let previous = heads[tenant] ?? (0, AuditChain.genesis)
            let link = AuditChain.Link(
                tenantID: tenant, seq: previous.seq + 1, id: try row.decode("id"), actorID: try row.decode("actor_id"),
                actorName: try row.decode("actor_name"), action: try row.decode("action"),
                subjectType: try row.decode("subject_type"), subjectID: try row.decode("subject_id"),
                details: try row.decode("details"), createdAt: AuditChain.timestamp(try row.decode("created_at")))
            let hash = link.hash(after: previous.hash)
            try await tx.execute(
                "UPDATE audit_log SET chain_seq = \(link.seq), hash = \(hash) WHERE tenant_id = \(tenant) AND id = \(link.id)"
            )
            heads[tenant] = (link.seq, hash)
        }
        for (tenant, head) in heads {
            try await tx.execute(
                "UPDATE organizations SET audit_seq = \(head.seq), audit_hash = \(head.hash) WHERE id = \(tenant)")
        }
    }
}
