import Foundation

/// One email ready to hand to a transport: envelope plus the complete RFC 5322 message.
public struct OutgoingMessage: Sendable, Equatable {
    /// The envelope sender (`MAIL FROM`).
    public var sender: String
    /// The envelope recipients (`RCPT TO`).
    public var recipients: [String]
    /// The `Message-ID` header value, fixed when the message was queued.
    public var messageID: String
    /// The full message: headers, a blank line, the body; CRLF line endings.
    public var data: Data
    /// For logs: the subject and the plain text (the file transport shows its first link).
    public var subject: String
    public var text: String

    public init(
        sender: String, recipients: [String], messageID: String, data: Data, subject: String = "", text: String = ""
    ) {
        self.sender = sender
        self.recipients = recipients
        self.messageID = messageID
        self.data = data
        self.subject = subject
        self.text = text
    }
}

/// What became of one delivery attempt, decided by the receiving server's reply.
public enum DeliveryOutcome: Sendable, Equatable {
    /// 2xx: the server took the message.
    case delivered
    /// 4xx, or no answer (connection refused, timed out): try again later.
    case retry(reason: String)
    /// 5xx: the server refused the message for good; the reply is kept.
    case rejected(reply: String)
}

/// Hands messages to the outside world: SMTP in production, files on the embedded default, a
/// recording double in tests. The outbox worker drives it; `AppDependencies` chooses it.
public protocol MailTransport: Sendable {
    func send(_ message: OutgoingMessage) async -> DeliveryOutcome
}
