import Foundation
import Logging

/// The embedded default: each message becomes an `.eml` file under a folder (`./data/mail`),
/// which any mail program opens. For trying the product locally, it also logs the subject,
/// the recipient, the file and the first link of the message, so a reset or confirmation link
/// can be followed from the terminal. (Only this development transport logs a link; the SMTP
/// transport never does.)
public struct FileTransport: MailTransport {
    public let directory: URL
    let logger: Logger

    public init(directory: URL, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    public func send(_ message: OutgoingMessage) async -> DeliveryOutcome {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let name = Self.fileName(for: message)
            let final = directory.appendingPathComponent(name)
            // Written whole or not at all: a partial file never appears under its final name.
            try message.data.write(to: final, options: .atomic)
            logger.info(
                "mail written",
                metadata: [
                    "to": .string(message.recipients.joined(separator: ",")),
                    "subject": .string(message.subject),
                    "file": .string(final.path),
                    "link": .string(Self.firstLink(in: message.text) ?? "none"),
                ]
            )
            return .delivered
        } catch {
            return .retry(reason: "could not write the message file: \(error.localizedDescription)")
        }
    }

    /// `20261129T093215Z-<message id>.eml`: sorts by time, unique per message, no path tricks.
    static func fileName(for message: OutgoingMessage) -> String {
        let stamp = ISO8601DateFormatter.string(
            from: Date(), timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        )
        .replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let id = message.messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(64)
        return "\(stamp)-\(id).eml"
    }

    static func firstLink(in text: String) -> String? {
        guard let start = text.range(of: "https://") ?? text.range(of: "http://") else { return nil }
        return String(text[start.lowerBound...].prefix { !$0.isWhitespace })
    }
}
