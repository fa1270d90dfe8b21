import Foundation

/// An email to send, queued in the transaction of the change that causes it.
public struct OutboxMessage: Sendable, Equatable {
    public var id: UUID
    /// `<...@host>`, fixed now so that a retried send is recognizable as the same message.
    public var messageID: String
    /// What caused it: welcome, email_verification, password_reset, password_changed, invitation.
    public var kind: String
    public var recipient: String
    public var subject: String
    public var bodyText: String
    public var bodyHTML: String

    public init(
        id: UUID, messageID: String, kind: String, recipient: String, subject: String, bodyText: String,
        bodyHTML: String
    ) {
        self.id = id
        self.messageID = messageID
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
    }
}

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
}
