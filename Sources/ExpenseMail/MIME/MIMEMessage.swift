import Foundation

/// Builds the RFC 5322 / MIME form of a message: headers, then `multipart/alternative` with a
/// plain-text and an HTML part, both UTF-8 in quoted-printable, CRLF line endings throughout.
///
/// Header values are never taken raw: a CR, LF or other control character in a subject or a
/// display name is replaced, and addresses are checked, so no value can add a header.
public struct MIMEMessage: Sendable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var messageID: String
    public var date: Date
    public var text: String
    public var html: String

    public init(
        from: MailAddress, to: MailAddress, subject: String, messageID: String, date: Date, text: String, html: String
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.text = text
        self.html = html
    }

    /// The whole message, ready for SMTP `DATA` or an `.eml` file.
    public func rendered(boundarySeed: String) -> Data {
        let boundary =
            "=_ExpenseTracker_"
            + String(boundarySeed.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.prefix(32))
        var lines: [String] = [
            "Date: " + Self.rfc5322Date(date),
            "From: " + from.headerValue,
            "To: " + to.headerValue,
            "Subject: " + HeaderEncoding.encode(subject),
            "Message-ID: " + HeaderEncoding.sanitize(messageID),
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
            "--" + boundary,
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            QuotedPrintable.encode(text),
            "--" + boundary,
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            QuotedPrintable.encode(html),
            "--" + boundary + "--",
        ]
        lines.append("")
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// A mailbox: an address with an optional display name.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public struct Invalid: Error, CustomStringConvertible {
        public var value: String
        public var description: String { "not an email address: \(value.debugDescription)" }
    }

    /// Checks the address has the form `local@domain` with nothing that could break a header.
    public init(_ address: String, name: String? = nil) throws {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 254,
            address.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0)
            })
        else { throw Invalid(value: address) }
        self.address = address
        self.name = name
    }

    /// `ExpenseTracker <no-reply@host>`: the sender when none is configured. `host` is a host
    /// name taken from a parsed URL, which holds nothing that could break a header.
    public static func noReply(host: String) -> MailAddress {
        MailAddress(checked: "no-reply@\(host)", name: "ExpenseTracker")
    }

    private init(checked address: String, name: String?) {
        self.address = address
        self.name = name
    }

    /// Parses `Name <address>` or a bare address (the form `MAIL_FROM` takes).
    public init(parsing value: String) throws {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
            try self.init(
                String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]),
                name: name.isEmpty ? nil : name)
        } else {
            try self.init(trimmed)
        }
    }

    var headerValue: String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        return HeaderEncoding.encodePhrase(name) + " <\(address)>"
    }
}

/// RFC 2047 encoded words for header text that is not plain ASCII.
enum HeaderEncoding {
    /// Removes anything that could end a header line or confuse a reader.
    static func sanitize(_ value: String) -> String {
        String(value.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }

    /// A header value: ASCII kept as it is, anything else as `=?utf-8?B?...?=` words of at most
    /// 45 bytes each (so every encoded word stays under the 75-character limit).
    static func encode(_ value: String) -> String {
        let clean = sanitize(value)
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) && clean.utf8.count <= 900 { return clean }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            if chunk.utf8.count + String(character).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    /// A display name: quoted when it has specials, encoded when not ASCII.
    static func encodePhrase(_ value: String) -> String {
        let clean = sanitize(value)
        if !clean.unicodeScalars.allSatisfy({ $0.isASCII }) { return encode(clean) }
        let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}

/// Quoted-printable (RFC 2045) with soft line breaks at 76 characters and CRLF line ends. A
/// line starting with a dot is encoded too, so SMTP dot-stuffing never has to touch it.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false).map(encodeLine).joined(
            separator: "\r\n")
    }

    private static func encodeLine(_ line: Substring) -> String {
        var output: [String] = []
        var current = ""
        let bytes = Array(line.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token: String
            switch byte {
            case 0x2E where current.isEmpty:  // a dot starting a (physical) line
                token = "=2E"
            case 0x20, 0x09:
                token = isLast ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
            case 0x21...0x3C, 0x3E...0x7E:
                token = String(UnicodeScalar(byte))
            default:
                token = String(format: "=%02X", byte)
            }
            if current.count + token.count > 75 {
                output.append(current + "=")
                current = ""
            }
            current += token
        }
        output.append(current)
        return output.joined(separator: "\r\n")
    }
}
