import ExpenseCore
import Foundation

/// A webhook endpoint as its organization's admins see it (never its secret).
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: UUID
    public var url: String
    public var description: String
    public var events: [WebhookEventType]
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// One event queued for one endpoint, with its attempts.
public struct WebhookDelivery: Sendable, Equatable {
    public struct Attempt: Sendable, Equatable {
        public var attemptedAt: Date
        public var statusCode: Int?
        public var durationMs: Int
        public var error: String?
        public var responseExcerpt: String?
    }

    public var id: UUID
    public var endpointID: UUID
    public var messageID: String
    public var eventType: String
    public var payload: String
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?
    public var log: [Attempt] = []
}

/// Endpoints, and the outbox of deliveries an organization's changes write in their own
/// transaction (so an event exists exactly when its change committed).
public struct WebhookRepository: Sendable {
    public init() {}

    public func create(
        _ tx: TenantTransaction, id: UUID, url: String, description: String, events: [WebhookEventType],
        secretSealed: String, at now: Date
    ) async throws -> WebhookEndpoint {
        try await tx.executor.execute(
            "UPDATE organizations SET has_webhooks = \(true) WHERE id = \(tx.tenantID) AND NOT has_webhooks")
        let row = try await tx.executor.first(
            """
            INSERT INTO webhook_endpoints (tenant_id, id, url, description, events, secret_sealed, created_at, updated_at)
            VALUES (\(tx.tenantID), \(id), \(url), \(description), \(Self.eventList(events)), \(secretSealed), \(now), \(now))
            RETURNING \(unsafeRaw: Self.columns)
            """)
        guard let row else { throw StoreError.rowSecurityViolation }
        return try Self.endpoint(from: row)
    }

    public func list(_ tx: TenantTransaction) async throws -> [WebhookEndpoint] {
        try await tx.executor.query(
            "SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE tenant_id = \(tx.tenantID) ORDER BY created_at, id"
        ).map(Self.endpoint)
    }

    public func find(_ tx: TenantTransaction, id: UUID) async throws -> WebhookEndpoint? {
        try await tx.executor.first(
            "SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
        ).map(Self.endpoint)
    }

    /// The sealed secret, for signing (the worker) and nothing else.
    public func sealedSecret(_ tx: TenantTransaction, id: UUID) async throws -> String? {
        try await tx.executor.first(
            "SELECT secret_sealed FROM webhook_endpoints WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
        )?.decode("secret_sealed")
    }

    public func update(
        _ tx: TenantTransaction, id: UUID, url: String, description: String, events: [WebhookEventType],
        enabled: Bool, at now: Date
    ) async throws -> WebhookEndpoint? {
        try await tx.executor.first(
            """
            UPDATE webhook_endpoints SET url = \(url), description = \(description), events = \(Self.eventList(events)),
                enabled = \(enabled), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id)
            RETURNING \(unsafeRaw: Self.columns)
            """
        ).map(Self.endpoint)
    }

    /// Removes every endpoint of the organization, with their deliveries and logs.
    public func deleteAll(_ tx: TenantTransaction) async throws {
        try await tx.executor.execute("DELETE FROM webhook_endpoints WHERE tenant_id = \(tx.tenantID)")
    }

    public func delete(_ tx: TenantTransaction, id: UUID) async throws -> Bool {
        try await !tx.executor.query(
            "DELETE FROM webhook_endpoints WHERE tenant_id = \(tx.tenantID) AND id = \(id) RETURNING id"
        ).isEmpty
    }

    /// Queues `type` with `payload` for every enabled endpoint of the organization that takes
    /// it (or, given `endpoint`, for that one alone, if it still exists); returns how many were
    /// queued. On PostgreSQL the endpoints are held (`FOR KEY SHARE`) until the transaction
    /// ends: one removed meanwhile (alone, or with its organization) is skipped once its removal
    /// commits, rather than failing the change that queued the event on its foreign key. It is
    /// one statement there: a change that queues an event holds its organization's audit chain
    /// until commit, so every round trip it adds is one more that the organization's writers
    /// take in turn.
    @discardableResult
    public func enqueue(
        _ tx: TenantTransaction, type: WebhookEventType, payload: String, at now: Date, endpoint: UUID? = nil
    ) async throws -> Int {
        let which: SQL =
            if let endpoint { "id = \(endpoint)" } else {
                "enabled AND events LIKE \("%," + type.rawValue + ",%")"
            }
        switch tx.executor.dialect {
        case .postgres:
            return try await tx.executor.query(
                """
                INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, message_id, event_type, payload, next_attempt_at, created_at)
                SELECT e.tenant_id, e.delivery, e.id, 'msg_' || replace(e.delivery::text, '-', ''), \(type.rawValue),
                    \(payload), \(now), \(now)
                FROM (SELECT tenant_id, id, gen_random_uuid() AS delivery FROM webhook_endpoints
                      WHERE tenant_id = \(tx.tenantID) AND \(which) FOR KEY SHARE) e
                RETURNING id
                """
            ).count
        case .sqlite:
            // One writer at a time: nothing can remove an endpoint between these two steps.
            let targets = try await tx.executor.query(
                "SELECT id FROM webhook_endpoints WHERE tenant_id = \(tx.tenantID) AND \(which)"
            ).map { try $0.decode("id", as: UUID.self) }
            for target in targets {
                let id = UUID()
                try await tx.executor.execute(
                    """
                    INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, message_id, event_type, payload, next_attempt_at, created_at)
                    VALUES (\(tx.tenantID), \(id), \(target), \(Self.messageID(id)), \(type.rawValue), \(payload), \(now), \(now))
                    """)
            }
            return targets.count
        }
    }

    /// The endpoint's newest deliveries, each with its attempts, oldest attempt first.
    public func deliveries(_ tx: TenantTransaction, endpoint: UUID, limit: Int) async throws -> [WebhookDelivery] {
        var deliveries = try await tx.executor.query(
            """
            SELECT \(unsafeRaw: WebhookDeliveryRepository.columns) FROM webhook_deliveries
            WHERE tenant_id = \(tx.tenantID) AND endpoint_id = \(endpoint)
            ORDER BY created_at DESC, id LIMIT \(limit)
            """
        ).map(WebhookDeliveryRepository.delivery)
        let attempts = try await tx.executor.query(
            """
            SELECT a.delivery_id, a.attempted_at, a.status_code, a.duration_ms, a.error, a.response_excerpt
            FROM webhook_attempts a JOIN webhook_deliveries d ON d.tenant_id = a.tenant_id AND d.id = a.delivery_id
            WHERE a.tenant_id = \(tx.tenantID) AND d.endpoint_id = \(endpoint)
            ORDER BY a.attempted_at, a.id
            """)
        var byDelivery: [UUID: [WebhookDelivery.Attempt]] = [:]
        for row in attempts {
            byDelivery[try row.decode("delivery_id"), default: []].append(
                .init(
                    attemptedAt: try row.decode("attempted_at"), statusCode: try row.decode("status_code"),
                    durationMs: try row.decode("duration_ms"), error: try row.decode("error"),
                    responseExcerpt: try row.decode("response_excerpt")))
        }
        for index in deliveries.indices { deliveries[index].log = byDelivery[deliveries[index].id] ?? [] }
        return deliveries
    }

    /// The `webhook-id` of a delivery: stable across its attempts.
    static func messageID(_ id: UUID) -> String {
        "msg_" + id.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    static func eventList(_ events: [WebhookEventType]) -> String {
        "," + events.map(\.rawValue).joined(separator: ",") + ","
    }

    static let columns = "id, url, description, events, enabled, created_at, updated_at"

    static func endpoint(from row: SQLRow) throws -> WebhookEndpoint {
        let events: String = try row.decode("events")
        return WebhookEndpoint(
            id: try row.decode("id"), url: try row.decode("url"), description: try row.decode("description"),
            events: events.split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) },
            enabled: try row.decode("enabled"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"))
    }
}
