import ExpenseCore

/// An email's content before it is queued: who it is for and what it says, in plain text and
/// HTML. The mail worker turns it into a MIME message (multipart/alternative) at send time.
public struct MailMessage: Sendable, Equatable {
    public var kind: MailKind
    public var recipient: String
    public var subject: String
    public var text: String
    public var html: String

    public init(kind: MailKind, recipient: String, subject: String, text: String, html: String) {
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.text = text
        self.html = html
    }
}
