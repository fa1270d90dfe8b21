import ExpenseCore
import ExpenseStore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes what has expired: sessions past either limit, API tokens past theirs, emailed tokens
/// used or expired a day ago, rate-limit windows long over, the bodies of mail dead for a week
/// (they may hold links; the metadata stays), and finished webhook deliveries with their attempts
/// once `webhookLogKept` has passed since they finished. Runs inside `serve`, every
/// `interval`; several servers running it at once only repeat idempotent deletes.
struct AccountMaintenance: Service {
    let store: Store
    let settings: AccountSettings
    let clock: AppClock
    let logger: Logger
    /// How long the webhook delivery log keeps a finished delivery (`WEBHOOK_LOG_DAYS`).
    var webhookLogKept: TimeInterval = 30 * 24 * 3600
    var interval: Duration = .seconds(600)
    /// The most webhook deliveries one transaction deletes; a pass repeats until fewer go.
    static let webhookPurgeBatch = 5_000
    /// How long a dead message keeps its bodies for `mail retry-dead`: a week.
    static let deadMailKept: TimeInterval = 7 * 24 * 3600

    func run() async throws {
        // Shutting down cancels the sleep below; that is the normal way out, not an error.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Sleep first: at start the schema may still be migrating.
                try await Task.sleep(for: interval)
                do {
                    let purged = try await purge()
                    let deliveries = try await purgeWebhookLog()
                    logger.debug(
                        "maintenance",
                        metadata: [
                            "sessions": "\(purged.sessions)", "tokens": "\(purged.tokens)",
                            "webhook_deliveries": "\(deliveries)",
                        ])
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("maintenance failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }

    /// Deletes the webhook log's finished deliveries past their time, in batches (each its own
    /// short transaction, so no long lock is held); returns how many went.
    @discardableResult
    func purgeWebhookLog() async throws -> Int {
        let cutoff = clock.now().addingTimeInterval(-webhookLogKept)
        let store = self.store
        var total = 0
        while !Task.isCancelled {
            let deleted = try await store.withWebhookPurge { tx in
                try await store.webhookDeliveries.purgeFinished(
                    tx, finishedBefore: cutoff, limit: Self.webhookPurgeBatch)
            }
            total += deleted
            if deleted < Self.webhookPurgeBatch { break }
        }
        return total
    }

    /// One pass; returns how many rows each table lost.
    @discardableResult
    func purge() async throws -> (sessions: Int, tokens: Int, accountTokens: Int, rateLimits: Int, deadMail: Int) {
        let now = clock.now()
        let idleSince = now.addingTimeInterval(-settings.sessionIdle)
        let store = self.store
        return try await store.withSystem { tx in
            try await store.secondFactors.deleteExpiredChallenges(tx, now: now)
            return (
                try await store.sessions.deleteExpired(tx, now: now, idleSince: idleSince),
                try await store.apiTokens.deleteExpired(tx, now: now, idleSince: idleSince),
                try await store.accountTokens.deleteSpent(tx, before: now.addingTimeInterval(-24 * 3600)),
                try await store.rateLimits.purge(tx, before: now.addingTimeInterval(-24 * 3600)),
                try await store.outbox.purgeDeadBodies(tx, queuedBefore: now.addingTimeInterval(-Self.deadMailKept))
            )
        }
    }
}
