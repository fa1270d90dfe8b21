import ExpenseCore
import Foundation

/// An email to send, queued in the transaction of the change that causes it.
public struct OutboxMessage: Sendable, Equatable {
    public var id: UUID
    /// `<...@host>`, fixed now so that a retried send is recognizable as the same message.
    public var messageID: String
    public var kind: MailKind
    public var recipient: String
    public var subject: String
    public var bodyText: String
    public var bodyHTML: String

    public init(
        id: UUID, messageID: String, kind: MailKind, recipient: String, subject: String, bodyText: String,
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

/// Where a queued message is on its way: `pending` until a worker claims it, `sending` while
/// claimed (a claim whose lease ran out is pending again), then `sent`, or `dead` after its last
/// attempt. The repository's SQL names the states as literals, so the partial indexes on them apply.
public enum OutboxStatus: String, Sendable, CaseIterable {
    case pending, sending, sent, dead
}
