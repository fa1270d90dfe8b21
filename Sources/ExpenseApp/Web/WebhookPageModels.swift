import ExpenseCore
import ExpenseStore
import Foundation

/// The organization's webhooks: its endpoints and the form to add one.
struct WebhooksPage: PageModel {
    struct Row: Sendable {
        var id: String
        var url: String
        var description: String
        var events: String
        var enabled: Bool
    }

    struct EventChoice: Sendable {
        var value: String
        var checked: Bool
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var endpoints: [Row]
    var hasEndpoints: Bool
    var choices: [EventChoice]
    var url = ""
    var description = ""
    var urlError: String? = nil
    var eventsError: String? = nil
    /// An endpoint just added: its signing secret, shown once.
    var newSecret: String? = nil

    static func row(_ endpoint: WebhookEndpoint) -> Row {
        Row(
            id: endpoint.id.uuidString.lowercased(), url: endpoint.url, description: endpoint.description,
            events: endpoint.events.map(\.rawValue).joined(separator: ", "), enabled: endpoint.enabled)
    }
}

/// One endpoint: turning it off and on, a test event, removal, and its delivery log.
struct WebhookPage: PageModel {
    struct Delivery: Sendable {
        var event: String
        var webhookID: String
        var status: String
        var created: String
        var attempts: String
        var lastError: String?
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var endpoint: WebhooksPage.Row
    var deliveries: [Delivery]
    var hasDeliveries: Bool
    /// The organization's time zone, which the times are in.
    var zone: String

    static func delivery(_ delivery: WebhookDelivery, zone: TimeZone) -> Delivery {
        let attempts = delivery.log.map { attempt in
            attempt.statusCode.map { "\($0)" } ?? (attempt.error ?? "no answer")
        }
        return Delivery(
            event: delivery.eventType, webhookID: delivery.messageID, status: delivery.status,
            created: PageFormat.timestamp(delivery.createdAt, in: zone),
            attempts: attempts.isEmpty ? "none yet" : attempts.joined(separator: ", "),
            lastError: delivery.status == "delivered" ? nil : delivery.lastError)
    }
}
