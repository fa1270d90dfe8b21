import CoreMetrics
import ExpenseCore
import ExpenseStore
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// Delivers webhook events: finds due deliveries across organizations, claims them in each
/// organization's transaction (so several workers never send one at the same time: each claim
/// carries a token, renewed just before the POST, and every later write names it), signs and
/// POSTs each, and records every attempt. At least once: a delivery is marked delivered only
/// after a 2xx; one whose worker died keeps its claim's lease and is sent again after it, with
/// the same `webhook-id`. 5xx, 429, 408 and no answer are retried with backoff and jitter up to
/// `maxAttempts`; any other answer (a 3xx included: redirects are not followed) ends it.
public struct WebhookWorker: Service {
    public struct Settings: Sendable {
        /// Two waves of four: a small batch keeps the lease (and so a dead worker's takeover) short.
        public var batchSize = 8
        public var concurrency = 4
        public var timeout: TimeInterval = 10
        public var maxAttempts = 8
        public var firstBackoff: TimeInterval = 30
        public var maxBackoff: TimeInterval = 3600
        public var idlePoll: Duration = .seconds(1)

        public init() {}

        /// A claim outlasts every wave of a batch at the time limit, each wave's name lookups
        /// included (the resolver gives up after 5 s), plus slack: a live worker's claim never
        /// runs out under it, and a dead worker's deliveries are taken over that soon.
        var claimLease: TimeInterval {
            let waves = (batchSize + max(concurrency, 1) - 1) / max(concurrency, 1)
            return Double(waves) * (timeout + 5) + 15
        }
    }

    let store: Store
    let box: SecretBox?
    let policy: OutboundAddressPolicy
    let http: WebhookHTTP
    let settings: Settings
    let now: @Sendable () -> Date
    let logger: Logger
    let delivered = Counter(label: "webhook_deliveries_total", dimensions: [("result", "delivered")])
    let retried = Counter(label: "webhook_deliveries_total", dimensions: [("result", "retried")])
    let dead = Counter(label: "webhook_deliveries_total", dimensions: [("result", "dead")])

    public init(
        store: Store, box: SecretBox?, policy: OutboundAddressPolicy, http: WebhookHTTP, settings: Settings,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.store = store
        self.box = box
        self.policy = policy
        self.http = http
        self.settings = settings
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        logger.info("webhook worker started")
        // Threads of its own for the blocking lookups and POSTs: the process-wide pool mail uses
        // could keep a claimed delivery waiting past its lease.
        let pool = NIOThreadPool(numberOfThreads: max(settings.concurrency, 1))
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let handled: Int
            do {
                handled = try await runOnce(on: pool)
            } catch {
                logger.warning("webhook round failed", metadata: ["error": "\(String(reflecting: error))"])
                handled = 0
            }
            if handled == 0 { try? await Task.sleep(for: settings.idlePoll) }
        }
        logger.info("webhook worker stopped")
    }

    /// One round: find, claim and deliver a batch. Returns how many deliveries were attempted.
    @discardableResult
    public func runOnce(on pool: NIOThreadPool = .singleton) async throws -> Int {
        let start = now()
        let store = self.store
        let settings = self.settings
        let due = try await store.withWebhookWorker { tx in
            try await store.webhookDeliveries.due(tx, now: start, limit: settings.batchSize)
        }
        var batch: [WebhookDeliveryRepository.Claimed] = []
        for (tenant, entries) in Dictionary(grouping: due, by: \.tenantID) {
            batch += try await store.withTenant(tenant) { tx in
                try await store.webhookDeliveries.claim(
                    tx, ids: entries.map(\.id), now: start, lease: settings.claimLease)
            }
        }
        let unstarted = try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, claimed) in batch.enumerated() {
                if index >= max(settings.concurrency, 1) { try await group.next() }
                if Task.isShuttingDownGracefully || Task.isCancelled {
                    try await group.waitForAll()
                    return Array(batch[index...])
                }
                group.addTask { await deliver(claimed, on: pool) }
            }
            try await group.waitForAll()
            return []
        }
        for (tenant, entries) in Dictionary(grouping: unstarted, by: \.tenantID) {
            try await store.withTenant(tenant) { tx in try await store.webhookDeliveries.release(tx, entries) }
        }
        return batch.count - unstarted.count
    }

    /// What an attempt came to.
    enum Outcome: Equatable {
        case delivered
        case retry(String)
        case fail(String)
    }

    static func outcome(status: Int?, error: String?) -> Outcome {
        guard let status else { return .retry(error ?? "no answer") }
        switch status {
        case 200...299: return .delivered
        case 408, 429, 500...599: return .retry("answered \(status)")
        default: return .fail("answered \(status)")
        }
    }

    /// One attempt at one claimed delivery, recorded. A failure to record it (the database gone
    /// for a moment) is logged: the claim's lease then runs out and the delivery is tried again.
    func deliver(_ claimed: WebhookDeliveryRepository.Claimed, on pool: NIOThreadPool) async {
        do {
            try await attempt(claimed, on: pool)
        } catch {
            logger.warning(
                "webhook attempt not recorded",
                metadata: ["webhook_id": "\(claimed.delivery.messageID)", "error": "\(String(reflecting: error))"])
        }
    }

    func attempt(_ claimed: WebhookDeliveryRepository.Claimed, on pool: NIOThreadPool) async throws {
        let delivery = claimed.delivery
        let store = self.store
        let settings = self.settings
        var status: Int?
        var excerpt: String?
        var error: String?
        var outcome: Outcome
        let clock = ContinuousClock()
        var started = clock.now
        var attemptedAt = now()
        do {
            let target = try WebhookService.target(claimed.url, allowHTTP: policy.allowPrivate)
            let policy = self.policy
            let addresses = try await pool.runIfActive { try policy.resolve(host: target.host, port: target.port) }
            guard let box,
                let secret = try? box.open(claimed.secretSealed, owner: delivery.endpointID.uuidString.lowercased())
            else { throw SigningUnavailable() }
            // Still this worker's? (A lookup slower than the lease lets another take it over.)
            attemptedAt = now()
            let held = try await store.withTenant(claimed.tenantID) { tx in
                try await store.webhookDeliveries.renew(
                    tx, claimed, until: attemptedAt.addingTimeInterval(settings.timeout + 15))
            }
            guard held else { return }
            started = clock.now
            let body = Array(delivery.payload.utf8)
            let answer = await http.post(
                url: claimed.url, host: target.host, port: target.port, addresses: addresses,
                headers: WebhookSignature(secret: secret).headers(
                    messageID: delivery.messageID, timestamp: Int(attemptedAt.timeIntervalSince1970), body: body),
                body: body, on: pool)
            status = answer.status
            excerpt = answer.excerpt.isEmpty ? nil : answer.excerpt
            error = answer.error
            outcome = Self.outcome(status: answer.status, error: answer.error)
        } catch let refusal as OutboundAddressPolicy.Refusal {
            error = refusal.description
            if case .unresolvable = refusal {
                outcome = .retry(refusal.description)
            } else {
                outcome = .fail(refusal.description)
            }
        } catch is SigningUnavailable {
            error = "the signing secret cannot be opened (SECRET_KEY unset or changed)"
            outcome = .fail(error!)
        } catch let invalid as ValidationError {
            error = invalid.fields.first?.message ?? "invalid URL"
            outcome = .fail(error!)
        }
        let durationMs = Int((clock.now - started) / .milliseconds(1))
        let finishedAt = now()
        if case .retry = outcome, delivery.attempts >= settings.maxAttempts {
            outcome = .fail("gave up after \(delivery.attempts) attempts: \(error ?? "answered \(status ?? 0)")")
        }
        let result: WebhookDeliveryRepository.Result =
            switch outcome {
            case .delivered: .delivered(at: finishedAt)
            case .retry(let reason):
                .retry(
                    at: finishedAt.addingTimeInterval(
                        Self.backoff(afterAttempt: delivery.attempts, settings: settings)),
                    error: Self.printable(reason, limit: 500))
            case .fail(let reason): .dead(at: finishedAt, error: Self.printable(reason, limit: 500))
            }
        let (loggedError, loggedExcerpt) = (
            error.map { Self.printable($0, limit: 500) }, excerpt.map { Self.printable($0, limit: 1024) }
        )
        try await store.withTenant(claimed.tenantID) { tx in
            try await store.webhookDeliveries.recordAttempt(
                tx, delivery: delivery.id, at: attemptedAt, statusCode: status, durationMs: durationMs,
                error: loggedError, excerpt: loggedExcerpt)
            _ = try await store.webhookDeliveries.finish(tx, claimed, result)
        }
        switch outcome {
        case .delivered: delivered.increment()
        case .retry: retried.increment()
        case .fail(let reason):
            dead.increment()
            logger.warning(
                "webhook delivery given up",
                metadata: [
                    "webhook_id": "\(delivery.messageID)", "endpoint_id": "\(delivery.endpointID)",
                    "reason": "\(reason)",
                ])
        }
    }

    /// Text from outside (an answer's body, a library's message) as the log keeps it: control
    /// characters (a NUL, which PostgreSQL text refuses, among them) become spaces, and it is cut
    /// to `limit` characters.
    static func printable(_ text: String, limit: Int) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(limit).map { scalar in
                    scalar.properties.generalCategory == .control && scalar != "\n" ? " " : scalar
                }))
    }

    struct SigningUnavailable: Error {}

    /// Exponential backoff with jitter between half and all of the step, capped.
    static func backoff(afterAttempt attempt: Int, settings: Settings) -> TimeInterval {
        let step = min(settings.maxBackoff, settings.firstBackoff * pow(2, Double(max(0, attempt - 1))))
        return Double.random(in: (step / 2)...step)
    }
}
