import ExpenseCore
import ExpenseStore
import Foundation

/// Queues webhook events in the transaction of the change that causes them, so an event is
/// delivered exactly when its change committed (and never for one rolled back).
enum WebhookEvents {
    /// The body every endpoint receives: `{type, timestamp, organization_id, data}`.
    struct Envelope<Data: Encodable>: Encodable {
        var type: String
        var timestamp: String
        var organizationID: String
        var data: Data

        enum CodingKeys: String, CodingKey {
            case type, timestamp, data
            case organizationID = "organization_id"
        }
    }

    static func payload(_ type: WebhookEventType, organization: TenantID, at now: Date, _ data: some Encodable) throws
        -> String
    {
        let envelope = Envelope(
            type: type.rawValue, timestamp: UTCTimestamp.format(now), organizationID: organization.description,
            data: data)
        return String(decoding: try AppJSON.encoder.encode(envelope), as: UTF8.self)
    }

    /// Queues `type` for the organization's endpoints that take it; nothing at all (not even a
    /// statement) for an organization that never had an endpoint.
    static func emit(
        _ type: WebhookEventType, _ data: some Encodable, organization: Organization, in tx: TenantTransaction,
        store: Store, at now: Date
    ) async throws {
        guard organization.hasWebhooks else { return }
        try await store.webhooks.enqueue(
            tx, type: type, payload: try payload(type, organization: organization.id, at: now, data), at: now)
    }

    static func emit(
        _ type: WebhookEventType, _ data: some Encodable, in access: TenantAccess, store: Store, at now: Date
    )
        async throws
    {
        try await emit(type, data, organization: access.organization, in: access.transaction, store: store, at: now)
    }

    /// A member who joined or left, as events carry them.
    struct MemberData: Encodable {
        var userID: String
        var role: String

        enum CodingKeys: String, CodingKey {
            case role
            case userID = "user_id"
        }
    }
}
