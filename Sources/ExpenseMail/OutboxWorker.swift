import CoreMetrics
import ExpenseStore
import Foundation
import Logging
import ServiceLifecycle

/// Drains the outbox: claims due messages, hands them to the transport, and records what
/// happened. At least once: a message is marked sent only after the transport took it, and a
/// worker that dies mid-send leaves a lease that expires, after which the message is sent again
/// with the same Message-ID. On graceful shutdown the sends under way finish and the claimed
/// messages not yet started are handed back to the queue at once.
public struct OutboxWorker: Service {
    public struct Settings: Sendable {
        /// The `From` of every message (`MAIL_FROM`).
        public var from: MailAddress
        /// Messages claimed per round.
        public var batchSize = 20
        /// Messages of a round being sent at once (each SMTP session is a blocking call on
        /// NIO's thread pool, so this also bounds the threads mail takes).
        public var concurrency = 4
        /// How long a claim lasts before another worker may take the message over. It must outlast
        /// the slowest round (`claimLease` makes sure), or a live worker's queued message could be
        /// taken over and sent twice.
        public var lease: TimeInterval = 30
        /// The longest one send may take (the SMTP transport's overall timeout).
        public var sendTimeLimit: TimeInterval = 60
        /// Attempts before a message that keeps failing temporarily is given up (dead).
        public var maxAttempts = 8
        /// The wait after the first failure; it doubles each time, with jitter, up to `maxBackoff`.
        public var firstBackoff: TimeInterval = 30
        public var maxBackoff: TimeInterval = 3600
        /// How long to wait for new mail when the outbox is empty.
        public var idlePoll: Duration = .seconds(1)

        public init(from: MailAddress) {
            self.from = from
        }

        /// The lease a claim takes: at least every wave of the batch at its time limit, plus slack.
        var claimLease: TimeInterval {
            let waves = (batchSize + max(concurrency, 1) - 1) / max(concurrency, 1)
            return max(lease, Double(waves) * sendTimeLimit + 30)
        }
    }

    let store: Store
    let transport: any MailTransport
    let settings: Settings
    let now: @Sendable () -> Date
    let metrics: MailMetrics
    let logger: Logger

    public init(
        store: Store, transport: any MailTransport, settings: Settings, now: @escaping @Sendable () -> Date,
        metrics: MailMetrics = MailMetrics(), logger: Logger
    ) {
        self.store = store
        self.transport = transport
        self.settings = settings
        self.now = now
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs rounds until graceful shutdown; a round in progress finishes first.
    public func run() async throws {
        logger.info("mail worker started")
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let handled: Int
            do {
                handled = try await runOnce()
            } catch {
                logger.warning("mail round failed", metadata: ["error": "\(String(reflecting: error))"])
                handled = 0
            }
            if handled == 0 {
                try? await Task.sleep(for: settings.idlePoll)
            }
        }
        logger.info("mail worker stopped")
    }

    /// One round: claim a batch and send it. Returns how many messages were handled.
    @discardableResult
    public func runOnce() async throws -> Int {
        let claimedAt = now()
        let store = self.store
        let settings = self.settings
        let batch = try await store.withSystem { tx in
            try await store.outbox.claim(tx, limit: settings.batchSize, now: claimedAt, lease: settings.claimLease)
        }
        // Bounded concurrency: at most `concurrency` sessions at once, the rest queued behind them.
        // Once shutdown begins no new send starts; the rest go back to the queue.
        let unstarted = try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, message) in batch.enumerated() {
                if index >= max(settings.concurrency, 1) { try await group.next() }
                if Task.isShuttingDownGracefully || Task.isCancelled {
                    try await group.waitForAll()
                    return Array(batch[index...])
                }
                group.addTask { try await deliver(message) }
            }
            try await group.waitForAll()
            return []
        }
        if !unstarted.isEmpty {
            let ids = unstarted.map(\.id)
            try await store.withSystem { tx in try await store.outbox.release(tx, ids: ids) }
            logger.notice("mail worker stopping; unsent messages released", metadata: ["count": "\(ids.count)"])
        }
        return batch.count - unstarted.count
    }

    private func deliver(_ message: OutboxRepository.Claimed) async throws {
        let outcome: DeliveryOutcome
        do {
            let recipient = try MailAddress(message.recipient)
            let mime = MIMEMessage(
                from: settings.from, to: recipient, subject: message.subject, messageID: message.messageID,
                date: message.createdAt, text: message.bodyText, html: message.bodyHTML
            )
            outcome = await transport.send(
                OutgoingMessage(
                    sender: settings.from.address, recipients: [recipient.address], messageID: message.messageID,
                    data: mime.rendered(boundarySeed: message.id.uuidString), subject: message.subject,
                    text: message.bodyText
                )
            )
        } catch {
            outcome = .rejected(reply: "invalid recipient address")
        }
        let finishedAt = now()
        let store = self.store
        switch outcome {
        case .delivered:
            try await store.withSystem { tx in try await store.outbox.markSent(tx, id: message.id, at: finishedAt) }
            metrics.sent.increment()
        case .retry(let reason) where message.attempts < settings.maxAttempts:
            let retryAt = finishedAt.addingTimeInterval(backoff(afterAttempt: message.attempts))
            try await store.withSystem { tx in
                try await store.outbox.scheduleRetry(tx, id: message.id, at: retryAt, error: reason)
            }
            metrics.retried.increment()
            logger.notice(
                "mail will be retried", metadata: ["message_id": "\(message.messageID)", "reason": "\(reason)"])
        case .retry(let reason):
            try await store.withSystem { tx in
                try await store.outbox.markDead(
                    tx, id: message.id, error: "gave up after \(message.attempts) attempts: \(reason)")
            }
            metrics.dead.increment()
            logger.error("mail given up", metadata: ["message_id": "\(message.messageID)", "reason": "\(reason)"])
        case .rejected(let reply):
            try await store.withSystem { tx in try await store.outbox.markDead(tx, id: message.id, error: reply) }
            metrics.dead.increment()
            logger.error("mail rejected", metadata: ["message_id": "\(message.messageID)", "reply": "\(reply)"])
        }
    }

    /// Exponential backoff with full jitter between half and all of the step, capped.
    func backoff(afterAttempt attempt: Int) -> TimeInterval {
        let step = min(settings.maxBackoff, settings.firstBackoff * pow(2, Double(max(0, attempt - 1))))
        return Double.random(in: (step / 2)...step)
    }
}
