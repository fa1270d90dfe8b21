import ExpenseCore
import Foundation

/// The worker's side of webhook deliveries: finding due ones across organizations, claiming
/// them in each organization's transaction, and recording how each attempt went.
public struct WebhookDeliveryRepository: Sendable {
    public init() {}

    /// A delivery due somewhere: which organization's, to claim it there.
    public struct Due: Sendable, Equatable {
        public var tenantID: TenantID
        public var id: UUID
    }

    /// Deletes up to `limit` deliveries that finished (delivered or dead) before `cutoff`,
    /// oldest first, with their attempts (by the foreign key's cascade), across organizations
    /// (the maintenance pass's scope). Returns how many went.
    @discardableResult
    public func purgeFinished(_ tx: SystemTransaction, finishedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await tx.executor.query(
            """
            DELETE FROM webhook_deliveries WHERE (tenant_id, id) IN (
                SELECT tenant_id, id FROM webhook_deliveries
                WHERE status IN ('delivered', 'dead') AND finished_at < \(cutoff)
                ORDER BY finished_at LIMIT \(limit))
            RETURNING id
            """
        ).count
    }

    /// A claimed delivery with what sending it takes, and the claim's token that every later
    /// write about it names.
    public struct Claimed: Sendable, Equatable {
        public var tenantID: TenantID
        public var token: UUID
        public var delivery: WebhookDelivery
        public var url: String
        public var secretSealed: String
    }

    /// Up to `limit` deliveries that are due (pending and their time has come, or claimed by a
    /// worker whose lease ran out), oldest first, across organizations (the worker's scope).
    /// Those of a disabled endpoint wait where they are: never returned, they never fill a batch.
    public func due(_ tx: SystemTransaction, now: Date, limit: Int) async throws -> [Due] {
        try await tx.executor.query(
            """
            SELECT d.tenant_id, d.id FROM webhook_deliveries d
            WHERE ((d.status = 'pending' AND d.next_attempt_at <= \(now))
                   OR (d.status = 'sending' AND d.locked_until < \(now)))
              AND EXISTS (
                  SELECT 1 FROM webhook_endpoints e
                  WHERE e.tenant_id = d.tenant_id AND e.id = d.endpoint_id AND e.enabled)
            ORDER BY d.next_attempt_at, d.id LIMIT \(limit)
            """
        ).map { Due(tenantID: try $0.decode("tenant_id"), id: try $0.decode("id")) }
    }

    /// Claims the given deliveries that are still due and whose endpoint is enabled, each in one
    /// conditional statement: of several workers that found the same one, only the first gets it.
    /// On PostgreSQL a delivery another worker is claiming is skipped, not waited for (`SKIP
    /// LOCKED`), so two workers never wait on each other's rows, whatever order they found them in.
    public func claim(_ tx: TenantTransaction, ids: [UUID], now: Date, lease: TimeInterval) async throws -> [Claimed] {
        var claimed: [Claimed] = []
        let token = UUID()
        let skipLocked = tx.executor.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        for id in ids {
            guard
                let row = try await tx.executor.first(
                    """
                    UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1,
                        locked_until = \(now.addingTimeInterval(lease)), claim_token = \(token)
                    WHERE tenant_id = \(tx.tenantID) AND id = (
                        SELECT d.id FROM webhook_deliveries d
                        WHERE d.tenant_id = \(tx.tenantID) AND d.id = \(id)
                          AND ((d.status = 'pending' AND d.next_attempt_at <= \(now))
                               OR (d.status = 'sending' AND d.locked_until < \(now)))
                          AND d.endpoint_id IN (
                              SELECT e.id FROM webhook_endpoints e WHERE e.tenant_id = \(tx.tenantID) AND e.enabled)
                        \(unsafeRaw: skipLocked)
                    )
                    RETURNING \(unsafeRaw: Self.columns)
                    """)
            else { continue }
            let delivery = try Self.delivery(from: row)
            guard
                let endpoint = try await tx.executor.first(
                    """
                    SELECT url, secret_sealed FROM webhook_endpoints
                    WHERE tenant_id = \(tx.tenantID) AND id = \(delivery.endpointID)
                    """)
            else { continue }
            claimed.append(
                Claimed(
                    tenantID: tx.tenantID, token: token, delivery: delivery, url: try endpoint.decode("url"),
                    secretSealed: try endpoint.decode("secret_sealed")))
        }
        return claimed
    }

    /// Extends the claim just before an attempt; false when the claim is no longer this
    /// worker's (its lease ran out and another worker took the delivery over).
    public func renew(_ tx: TenantTransaction, _ claimed: Claimed, until: Date) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE webhook_deliveries SET locked_until = \(until)
            WHERE tenant_id = \(tx.tenantID) AND id = \(claimed.delivery.id) AND status = 'sending'
              AND claim_token = \(claimed.token)
            RETURNING id
            """
        ).isEmpty
    }

    public func recordAttempt(
        _ tx: TenantTransaction, delivery: UUID, at: Date, statusCode: Int?, durationMs: Int, error: String?,
        excerpt: String?
    ) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO webhook_attempts (tenant_id, id, delivery_id, attempted_at, status_code, duration_ms, error, response_excerpt)
            VALUES (\(tx.tenantID), \(UUID()), \(delivery), \(at), \(statusCode), \(durationMs), \(error), \(excerpt))
            """)
    }

    /// What an attempt came to, written only while the claim is still this worker's; false
    /// when it is not (the attempt is still in the log).
    public enum Result: Sendable, Equatable {
        case delivered(at: Date)
        case retry(at: Date, error: String)
        case dead(at: Date, error: String)
    }

    @discardableResult
    public func finish(_ tx: TenantTransaction, _ claimed: Claimed, _ result: Result) async throws -> Bool {
        let sql: SQL =
            switch result {
            case .delivered(let at):
                """
                UPDATE webhook_deliveries SET status = 'delivered', delivered_at = \(at), finished_at = \(at),
                    locked_until = NULL, last_error = NULL, claim_token = NULL
                WHERE tenant_id = \(tx.tenantID) AND id = \(claimed.delivery.id) AND claim_token = \(claimed.token)
                RETURNING id
                """
            case .retry(let at, let error):
                """
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(at), locked_until = NULL,
                    last_error = \(error), claim_token = NULL
                WHERE tenant_id = \(tx.tenantID) AND id = \(claimed.delivery.id) AND claim_token = \(claimed.token)
                RETURNING id
                """
            case .dead(let at, let error):
                """
                UPDATE webhook_deliveries SET status = 'dead', finished_at = \(at), locked_until = NULL,
                    last_error = \(error), claim_token = NULL
                WHERE tenant_id = \(tx.tenantID) AND id = \(claimed.delivery.id) AND claim_token = \(claimed.token)
                RETURNING id
                """
            }
        return try await !tx.executor.query(sql).isEmpty
    }

    /// Hands claimed deliveries that were never tried back, due at once, without counting the
    /// claim as an attempt (a worker stopping gracefully).
    public func release(_ tx: TenantTransaction, _ claims: [Claimed]) async throws {
        for claimed in claims {
            try await tx.executor.execute(
                """
                UPDATE webhook_deliveries SET status = 'pending', attempts = attempts - 1, locked_until = NULL,
                    claim_token = NULL
                WHERE tenant_id = \(tx.tenantID) AND id = \(claimed.delivery.id) AND claim_token = \(claimed.token)
                """)
        }
    }

    static let columns = """
        id, endpoint_id, message_id, event_type, payload, status, attempts, next_attempt_at, last_error,
        created_at, delivered_at
        """

    static func delivery(from row: SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.decode("id"), endpointID: try row.decode("endpoint_id"),
            messageID: try row.decode("message_id"),
            eventType: try row.decode("event_type"), payload: try row.decode("payload"),
            status: try row.decode("status"), attempts: try row.decode("attempts"),
            nextAttemptAt: try row.decode("next_attempt_at"), lastError: try row.decode("last_error"),
            createdAt: try row.decode("created_at"), deliveredAt: try row.decode("delivered_at"))
    }
}
