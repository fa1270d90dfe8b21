import ExpenseCore
import Foundation

/// The outbox the mail worker drains.
public struct OutboxRepository: Sendable {
    public init() {}

    public func enqueue(_ tx: some Transaction, _ message: OutboxMessage, at now: Date) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO outbox (id, message_id, kind, recipient, subject, body_text, body_html,
                                status, attempts, next_attempt_at, created_at)
            VALUES (\(message.id), \(message.messageID), \(message.kind), \(message.recipient), \(message.subject),
                    \(message.bodyText), \(message.bodyHTML), 'pending', 0, \(now), \(now))
            """
        )
    }

    /// Queued messages to one recipient, oldest first (for tests and support tooling).
    public func pending(_ tx: some Transaction, recipient: String) async throws -> [OutboxMessage] {
        try await tx.executor.query(
            """
            SELECT id, message_id, kind, recipient, subject, body_text, body_html FROM outbox
            WHERE recipient = \(recipient) AND status = 'pending'
            ORDER BY \(unsafeRaw: tx.executor.dialect == .postgres ? "seq" : "rowid")
            """
        ).map { row in
            OutboxMessage(
                id: try row.decode("id"),
                messageID: try row.decode("message_id"),
                kind: try row.decode("kind"),
                recipient: try row.decode("recipient"),
                subject: try row.decode("subject"),
                bodyText: try row.decode("body_text"),
                bodyHTML: try row.decode("body_html")
            )
        }
    }

    /// A message a worker has claimed: what it needs to send it.
    public struct Claimed: Sendable, Equatable {
        public var id: UUID
        public var messageID: String
        public var kind: MailKind
        public var recipient: String
        public var subject: String
        public var bodyText: String
        public var bodyHTML: String
        public var attempts: Int
        public var createdAt: Date
    }

    /// Claims up to `limit` due messages for `lease`: pending ones whose time has come, and
    /// ones claimed by a worker whose lease ran out (it died mid-send). On PostgreSQL the rows
    /// are picked with `FOR UPDATE SKIP LOCKED`, so workers never claim the same message at once;
    /// SQLite has one writer at a time, which gives the same.
    public func claim(_ tx: some Transaction, limit: Int, now: Date, lease: TimeInterval) async throws -> [Claimed] {
        let skipLocked = tx.executor.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let order = tx.executor.dialect == .postgres ? "next_attempt_at, seq" : "next_attempt_at, rowid"
        return try await tx.executor.query(
            """
            UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = \(now.addingTimeInterval(lease))
            WHERE id IN (
                SELECT id FROM outbox
                WHERE (status = 'pending' AND next_attempt_at <= \(now))
                   OR (status = 'sending' AND locked_until < \(now))
                ORDER BY \(unsafeRaw: order)
                LIMIT \(limit)\(unsafeRaw: skipLocked)
            )
            RETURNING id, message_id, kind, recipient, subject, body_text, body_html, attempts, created_at
            """
        ).map { row in
            Claimed(
                id: try row.decode("id"),
                messageID: try row.decode("message_id"),
                kind: try row.decode("kind"),
                recipient: try row.decode("recipient"),
                subject: try row.decode("subject"),
                bodyText: try row.decode("body_text", as: String?.self) ?? "",
                bodyHTML: try row.decode("body_html", as: String?.self) ?? "",
                attempts: try row.decode("attempts"),
                createdAt: try row.decode("created_at")
            )
        }
    }

    /// Delivered: keeps only metadata; the bodies, which may hold one-time links, are purged.
    public func markSent(_ tx: some Transaction, id: UUID, at now: Date) async throws {
        try await tx.executor.execute(
            """
            UPDATE outbox SET status = 'sent', sent_at = \(now), locked_until = NULL, last_error = NULL,
                body_text = NULL, body_html = NULL
            WHERE id = \(id)
            """
        )
    }

    /// A temporary failure: try again at `retryAt`.
    public func scheduleRetry(_ tx: some Transaction, id: UUID, at retryAt: Date, error: String) async throws {
        try await tx.executor.execute(
            """
            UPDATE outbox SET status = 'pending', next_attempt_at = \(retryAt), locked_until = NULL, last_error = \(error)
            WHERE id = \(id)
            """
        )
    }

    /// A permanent failure: keep the server's reply, and the bodies, so an operator can requeue
    /// it (`expense-tracker mail retry-dead`) once the cause is fixed.
    public func markDead(_ tx: some Transaction, id: UUID, error: String) async throws {
        try await tx.executor.execute(
            """
            UPDATE outbox SET status = 'dead', locked_until = NULL, last_error = \(error)
            WHERE id = \(id)
            """
        )
    }

    /// Hands claimed messages that were never tried back to the queue, due at once, without
    /// counting the claim as an attempt (a worker stopping gracefully).
    public func release(_ tx: some Transaction, ids: [UUID]) async throws {
        for id in ids {
            try await tx.executor.execute(
                """
                UPDATE outbox SET status = 'pending', attempts = attempts - 1, locked_until = NULL
                WHERE id = \(id) AND status = 'sending'
                """
            )
        }
    }

    /// Messages still to deliver (pending or being sent) and the age of the oldest, for the
    /// backlog gauges; read through the partial index the worker uses.
    public func backlog(_ tx: some Transaction, now: Date) async throws -> (count: Int, oldest: TimeInterval) {
        let row = try await tx.executor.query(
            """
            SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status IN ('pending', 'sending')
            """
        ).first
        let count: Int = try row?.decode("n") ?? 0
        let oldest: Date? = try row?.decode("oldest", as: Date?.self)
        return (count, oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    /// How many messages are in each state.
    public func counts(_ tx: some Transaction) async throws -> [OutboxStatus: Int] {
        var counts: [OutboxStatus: Int] = [:]
        for row in try await tx.executor.query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status") {
            counts[try row.decode("status")] = try row.decode("n")
        }
        return counts
    }

    /// A dead message whose bodies are still kept, for `mail retry-dead`.
    public struct DeadMessage: Sendable {
        public var id: UUID
        public var kind: MailKind
        public var recipient: String
        public var bodyText: String
    }

    /// Dead messages that can still be sent again (their bodies are kept), oldest first.
    public func dead(_ tx: some Transaction) async throws -> [DeadMessage] {
        try await tx.executor.query(
            """
            SELECT id, kind, recipient, body_text FROM outbox
            WHERE status = 'dead' AND body_text IS NOT NULL ORDER BY created_at, id
            """
        ).map { row in
            DeadMessage(
                id: try row.decode("id"), kind: try row.decode("kind"), recipient: try row.decode("recipient"),
                bodyText: try row.decode("body_text"))
        }
    }

    /// Puts one dead message back in the queue, due now, with a fresh count of attempts.
    public func requeue(_ tx: some Transaction, id: UUID, at now: Date) async throws {
        try await tx.executor.execute(
            """
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = \(now), locked_until = NULL
            WHERE id = \(id) AND status = 'dead'
            """
        )
    }

    /// Leaves a dead message dead for good: its bodies (which may hold a one-time link) are
    /// dropped and `note` (re-issued as a new message, or not needed) is added after the
    /// relay's reply, which stays.
    public func retire(_ tx: some Transaction, id: UUID, note: String) async throws {
        try await tx.executor.execute(
            """
            UPDATE outbox SET body_text = NULL, body_html = NULL,
                last_error = COALESCE(last_error || ' / ', '') || \(note)
            WHERE id = \(id) AND status = 'dead'
            """
        )
    }

    /// Drops the bodies of messages dead since before `cutoff` (by when they were queued):
    /// a link in them is no use to anyone after that, and the address book of who was sent what
    /// stays as metadata. Returns how many were purged.
    @discardableResult
    public func purgeDeadBodies(_ tx: some Transaction, queuedBefore cutoff: Date) async throws -> Int {
        try await tx.executor.query(
            """
            UPDATE outbox SET body_text = NULL, body_html = NULL
            WHERE status = 'dead' AND body_text IS NOT NULL AND created_at < \(cutoff)
            RETURNING id
            """
        ).count
    }
}
