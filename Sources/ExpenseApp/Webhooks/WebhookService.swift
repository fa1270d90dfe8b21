import ExpenseCore
import ExpenseStore
import Foundation
import NIOPosix

/// An organization's webhook endpoints: registered by owners and admins, each signing secret
/// shown once (then kept sealed under `SECRET_KEY`), targets checked against the outbound
/// policy, and a delivery log per endpoint.
public struct WebhookService: Sendable {
    let store: Store
    let box: SecretBox?
    let policy: OutboundAddressPolicy
    let clock: AppClock
    let ids: IDGenerator
    /// DNS lookups block: they run here, never on an event loop.
    var threadPool: NIOThreadPool = .singleton

    /// What a request gives to register or change an endpoint (absent fields keep theirs).
    public struct Input: Sendable {
        public var url: String?
        public var description: String?
        public var events: [String]?
        public var enabled: Bool?

        public init(url: String? = nil, description: String? = nil, events: [String]? = nil, enabled: Bool? = nil) {
            self.url = url
            self.description = description
            self.events = events
            self.enabled = enabled
        }
    }

    static let endpointLimit = 20

    public func list(_ access: TenantAccess) async throws -> [WebhookEndpoint] {
        try access.require(.manageWebhooks)
        return try await store.webhooks.list(access.transaction)
    }

    public func find(_ access: TenantAccess, id: UUID) async throws -> WebhookEndpoint {
        try access.require(.manageWebhooks)
        guard let endpoint = try await store.webhooks.find(access.transaction, id: id) else { throw AppError.notFound }
        return endpoint
    }

    /// Registers an endpoint; returns it with its signing secret, shown this once.
    public func create(_ access: TenantAccess, _ input: Input) async throws -> (WebhookEndpoint, secret: String) {
        try access.require(.manageWebhooks)
        guard let box else {
            throw AppError.conflict("Webhooks are not available on this server: its operator has not set SECRET_KEY.")
        }
        let (url, description, events) = try await validate(input, current: nil)
        guard try await store.webhooks.list(access.transaction).count < Self.endpointLimit else {
            throw AppError.conflict("An organization has at most \(Self.endpointLimit) endpoints: remove one first.")
        }
        let id = ids.uuid()
        let secret = WebhookSignature.newSecret()
        let now = clock.now()
        var endpoint = try await store.webhooks.create(
            access.transaction, id: id, url: url, description: description, events: events,
            secretSealed: try box.seal(secret, owner: id.uuidString.lowercased()), at: now)
        if input.enabled == false {
            endpoint =
                try await store.webhooks.update(
                    access.transaction, id: id, url: url, description: description, events: events, enabled: false,
                    at: now) ?? endpoint
        }
        return (endpoint, secret)
    }

    public func update(_ access: TenantAccess, id: UUID, _ input: Input) async throws -> WebhookEndpoint {
        let current = try await find(access, id: id)
        let (url, description, events) = try await validate(input, current: current)
        guard
            let updated = try await store.webhooks.update(
                access.transaction, id: id, url: url, description: description, events: events,
                enabled: input.enabled ?? current.enabled, at: clock.now())
        else { throw AppError.notFound }
        return updated
    }

    public func delete(_ access: TenantAccess, id: UUID) async throws {
        try access.require(.manageWebhooks)
        guard try await store.webhooks.delete(access.transaction, id: id) else { throw AppError.notFound }
    }

    /// Queues a `webhook.test` event for this endpoint alone.
    public func sendTest(_ access: TenantAccess, id: UUID) async throws {
        let endpoint = try await find(access, id: id)
        guard endpoint.enabled else {
            throw AppError.conflict("The endpoint is disabled: enable it to send it events.")
        }
        let now = clock.now()
        struct TestData: Encodable { var message: String }
        let payload = try WebhookEvents.payload(
            .test, organization: access.tenantID, at: now,
            TestData(message: "A test event, sent from ExpenseTracker by \(access.user.name)."))
        // Removed by someone else since it was read: nothing was queued.
        guard
            try await store.webhooks.enqueue(access.transaction, type: .test, payload: payload, at: now, endpoint: id)
                > 0
        else { throw AppError.notFound }
    }

    public func deliveries(_ access: TenantAccess, id: UUID) async throws -> [WebhookDelivery] {
        _ = try await find(access, id: id)
        return try await store.webhooks.deliveries(access.transaction, endpoint: id, limit: 50)
    }

    /// The endpoint's fields as stored: the URL must be HTTPS (or, where private targets are
    /// allowed, HTTP), carry no credentials, and resolve only to addresses the policy allows.
    func validate(_ input: Input, current: WebhookEndpoint?) async throws
        -> (url: String, description: String, events: [WebhookEventType])
    {
        var validator = Validator()
        let url = (input.url ?? current?.url ?? "").trimmingCharacters(in: .whitespaces)
        var target: Target?
        do {
            target = try Self.target(url, allowHTTP: policy.allowPrivate)
        } catch let error as ValidationError {
            validator.add("url", error.fields.first?.message ?? "Give the endpoint's URL.")
        }
        let description = (input.description ?? current?.description ?? "").trimmingCharacters(in: .whitespaces)
        // Counted in code points, as the database and the API's maxLength count them.
        if description.unicodeScalars.count > 200
            || description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            validator.add("description", "Keep the description to 200 characters, without line breaks.")
        }
        var events: [WebhookEventType] = current?.events ?? []
        if let names = input.events {
            let parsed = names.compactMap(WebhookEventType.init(rawValue:)).filter { $0 != .test }
            if parsed.count != names.count || parsed.isEmpty {
                validator.add(
                    "events",
                    "Choose one or more of " + WebhookEventType.subscribable.map(\.rawValue).joined(separator: ", ")
                        + ".")
            }
            events = WebhookEventType.subscribable.filter(parsed.contains)
        } else if current == nil {
            validator.add("events", "Choose the events to send.")
        }
        if let target, input.url != nil || current == nil {
            let policy = self.policy
            do {
                _ = try await threadPool.runIfActive { try policy.resolve(host: target.host, port: target.port) }
            } catch let refusal as OutboundAddressPolicy.Refusal {
                validator.add("url", refusal.description)
            }
        }
        try validating { try validator.finish() }
        return (url, description, events)
    }

    /// Where a URL points.
    struct Target: Sendable, Equatable {
        var host: String
        var port: Int
    }

    static func target(_ url: String, allowHTTP: Bool) throws -> Target {
        // Printable ASCII only (a URL's other characters are percent-encoded), at most 2,000.
        guard url.unicodeScalars.count <= 2000, url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }),
            let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { throw ValidationError("url", "Give the endpoint's full URL, such as https://example.org/hooks.") }
        guard scheme == "https" || (scheme == "http" && allowHTTP) else {
            throw ValidationError("url", "Webhooks are sent over HTTPS: give an https:// URL.")
        }
        guard components.user == nil, components.password == nil else {
            throw ValidationError("url", "Put no credentials in the URL: verify the signature instead.")
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return Target(host: bare, port: components.port ?? (scheme == "https" ? 443 : 80))
    }
}
