import ExpenseCore
import Foundation

/// The newest entry of an organization's audit chain: its number and hash (all zeros and 0
/// before the first entry).
public struct AuditHead: Sendable, Equatable {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }
}

/// What walking an organization's audit chain found.
public struct AuditVerification: Sendable, Equatable {
    /// The first entry that breaks the chain, and how.
    public struct Break: Sendable, Equatable {
        /// The entry's number in the chain.
        public var seq: Int64
        /// The entry's id, when the entry is there to name.
        public var id: UUID?
        public var detail: String
    }

    /// Entries read.
    public var entries: Int64
    /// The head the organization records.
    public var head: AuditHead
    public var firstBreak: Break?

    public var ok: Bool { firstBreak == nil }
}

extension AuditRepository {
    /// Entries read per query while walking the chain, so memory stays flat on a long log.
    static let verifyPage = 2000

    /// Recomputes every entry's hash from its stored columns, in chain order, and compares the
    /// last with the head the organization records. Names the first entry that was altered,
    /// removed or moved, or, where the whole chain was recomputed after a change, the first head
    /// recorded at a close that the chain no longer passes through.
    public func verify(_ tx: TenantTransaction) async throws -> AuditVerification {
        let head = try await self.head(tx)
        var anchors: [Int64: (hash: String, on: Date)] = [:]
        for row in try await tx.executor.query(
            "SELECT audit_seq, audit_hash, created_at FROM period_closes WHERE tenant_id = \(tx.tenantID)")
        {
            anchors[try row.decode("audit_seq")] = (try row.decode("audit_hash"), try row.decode("created_at"))
        }
        let stamp =
            tx.executor.dialect == .postgres
            ? "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS stamp"
            : "created_at AS stamp"
        var previous = AuditChain.genesis
        var expected: Int64 = 1
        var read: Int64 = 0
        func broken(_ seq: Int64, _ id: UUID?, _ detail: String) -> AuditVerification {
            AuditVerification(entries: read, head: head, firstBreak: .init(seq: seq, id: id, detail: detail))
        }
        while true {
            let rows = try await tx.executor.query(
                """
                SELECT chain_seq, hash, CAST(tenant_id AS TEXT) AS tenant, CAST(id AS TEXT) AS entry,
                       CAST(actor_id AS TEXT) AS actor, actor_name, action, subject_type, subject_id, details,
                       \(unsafeRaw: stamp)
                FROM audit_log WHERE tenant_id = \(tx.tenantID) AND chain_seq >= \(expected)
                    AND chain_seq <= \(head.seq)
                ORDER BY chain_seq LIMIT \(Self.verifyPage)
                """)
            for row in rows {
                let seq: Int64 = try row.decode("chain_seq")
                let entry: String = try row.decode("entry")
                read += 1
                guard seq == expected else {
                    return broken(expected, nil, "Entry \(expected) is missing: it was removed.")
                }
                let rawStamp: String = try row.decode("stamp")
                let link = AuditChain.Link(
                    tenantID: try row.decode("tenant"), seq: seq, id: entry, actorID: try row.decode("actor"),
                    actorName: try row.decode("actor_name"), action: try row.decode("action"),
                    subjectType: try row.decode("subject_type"), subjectID: try row.decode("subject_id"),
                    details: try row.decode("details"),
                    createdAt: tx.executor.dialect == .postgres
                        ? rawStamp : (SQLTimestamp.parse(rawStamp).map(AuditChain.timestamp) ?? rawStamp))
                let stored: String = try row.decode("hash")
                guard link.hash(after: previous) == stored else {
                    return broken(
                        seq, UUID(uuidString: entry),
                        "Entry \(seq) does not match its hash: it was altered or moved, or the entry before it was.")
                }
                if let anchor = anchors[seq], anchor.hash != stored {
                    return broken(
                        seq, UUID(uuidString: entry),
                        "Entry \(seq) is not the entry the books were closed on at \(UTCTimestamp.format(anchor.on)): "
                            + "the log was rewritten from there on.")
                }
                previous = stored
                expected += 1
            }
            if rows.count < Self.verifyPage { break }
        }
        let last = expected - 1
        // Entries written after the head was read are left for the next check: each page reads
        // only up to the head, which was committed with its entry.
        if let beyond = anchors.keys.filter({ $0 > last }).min(), let anchor = anchors[beyond] {
            return broken(
                beyond, nil,
                "The log ends at entry \(last), before entry \(beyond) recorded when the books were closed at "
                    + "\(UTCTimestamp.format(anchor.on)): entries from there on were removed.")
        }
        if head.seq > last {
            return broken(
                last + 1, nil, "Entry \(last + 1) is missing: it was removed (the log should reach \(head.seq)).")
        }
        if head.seq < last || head.hash != previous {
            return broken(
                last, nil, "The organization's chain head (entry \(head.seq)) does not match the newest entry, \(last)."
            )
        }
        return AuditVerification(entries: read, head: head, firstBreak: nil)
    }
}
