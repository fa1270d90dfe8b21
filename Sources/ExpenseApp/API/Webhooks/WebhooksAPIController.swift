import ExpenseCore
import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST, GET /api/v1/orgs/{orgId}/webhooks`, `GET, PATCH, DELETE .../webhooks/{webhookId}`,
/// `GET .../webhooks/{webhookId}/deliveries` and `POST .../webhooks/{webhookId}/test`.
struct WebhooksAPIController: Sendable {
    let webhooks: WebhookService

    /// `{url, events, description?, enabled?}`; on PATCH every field is optional.
    struct Body: JSONRequestBody {
        var url: String?
        var events: [String]?
        var description: String?
        var enabled: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable { case url, events, description, enabled }

        var input: WebhookService.Input {
            .init(url: url, description: description, events: events, enabled: enabled)
        }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.get("webhooks/:webhookId", use: show)
        group.patch("webhooks/:webhookId", use: update)
        group.delete("webhooks/:webhookId", use: delete)
        group.get("webhooks/:webhookId/deliveries", use: deliveries)
        group.post("webhooks/:webhookId/test", use: test)
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        let (endpoint, secret) = try await webhooks.create(context.access, body.input)
        var response = try WebhookResponse(endpoint, secret: secret).response(from: request, context: context)
        response.status = .created
        response.headers[.location] =
            "/api/v1/orgs/\(context.access.tenantID)/webhooks/\(endpoint.id.uuidString.lowercased())"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<WebhookResponse> {
        ItemList(items: try await webhooks.list(context.access).map { WebhookResponse($0) })
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> WebhookResponse {
        WebhookResponse(try await webhooks.find(context.access, id: try context.parameters.uuid("webhookId")))
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> WebhookResponse {
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        return WebhookResponse(
            try await webhooks.update(context.access, id: try context.parameters.uuid("webhookId"), body.input))
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await webhooks.delete(context.access, id: try context.parameters.uuid("webhookId"))
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: OrgRequestContext) async throws -> ItemList<
        DeliveryResponse
    > {
        ItemList(
            items: try await webhooks.deliveries(context.access, id: try context.parameters.uuid("webhookId")).map(
                DeliveryResponse.init))
    }

    @Sendable func test(_ request: Request, context: OrgRequestContext) async throws -> EditedResponse<Accepted> {
        try await webhooks.sendTest(context.access, id: try context.parameters.uuid("webhookId"))
        return .init(
            status: .accepted,
            response: Accepted(status: "accepted", detail: "A webhook.test event is queued for this endpoint."))
    }
}

/// An endpoint as the API shows it; `secret` only in the answer that created it.
struct WebhookResponse: ResponseEncodable {
    var id: String
    var url: String
    var description: String
    var events: [String]
    var enabled: Bool
    var secret: String?
    var createdAt: String
    var updatedAt: String

    init(_ endpoint: WebhookEndpoint, secret: String? = nil) {
        id = endpoint.id.uuidString.lowercased()
        url = endpoint.url
        description = endpoint.description
        events = endpoint.events.map(\.rawValue)
        enabled = endpoint.enabled
        self.secret = secret
        createdAt = UTCTimestamp.format(endpoint.createdAt)
        updatedAt = UTCTimestamp.format(endpoint.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, url, description, events, enabled, secret
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// One delivery and its attempts, newest delivery first.
struct DeliveryResponse: Encodable, Sendable {
    struct Attempt: Encodable, Sendable {
        var attemptedAt: String
        var statusCode: Int?
        var durationMs: Int
        var error: String?
        var response: String?

        enum CodingKeys: String, CodingKey {
            case error, response
            case attemptedAt = "attempted_at"
            case statusCode = "status_code"
            case durationMs = "duration_ms"
        }
    }

    var id: String
    var webhookID: String
    var eventType: String
    var status: String
    var attempts: [Attempt]
    var nextAttemptAt: String?
    var createdAt: String
    var deliveredAt: String?

    init(_ delivery: WebhookDelivery) {
        id = delivery.id.uuidString.lowercased()
        webhookID = delivery.messageID
        eventType = delivery.eventType
        status = delivery.status
        attempts = delivery.log.map {
            Attempt(
                attemptedAt: UTCTimestamp.format($0.attemptedAt), statusCode: $0.statusCode, durationMs: $0.durationMs,
                error: $0.error, response: $0.responseExcerpt)
        }
        nextAttemptAt = delivery.status == "pending" ? UTCTimestamp.format(delivery.nextAttemptAt) : nil
        createdAt = UTCTimestamp.format(delivery.createdAt)
        deliveredAt = delivery.deliveredAt.map(UTCTimestamp.format)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, attempts
        case webhookID = "webhook_id"
        case eventType = "event_type"
        case nextAttemptAt = "next_attempt_at"
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
    }
}
