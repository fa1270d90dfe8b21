import ExpenseCore
import ExpenseStore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes what has expired: sessions past either limit, API tokens past theirs, emailed tokens
/// used or expired a day ago, rate-limit windows long over, and the bodies of mail dead for a
/// week (they may hold links; the metadata stays). Runs inside `serve`, every
/// `interval`; several servers running it at once only repeat idempotent deletes.
struct AccountMaintenance: Service {
    let store: Store
    let settings: AccountSettings
    let clock: AppClock
    let logger: Logger
    var interval: Duration = .seconds(600)
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
                    logger.debug(
                        "maintenance", metadata: ["sessions": "\(purged.sessions)", "tokens": "\(purged.tokens)"])
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("maintenance failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
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
