import Foundation

/// CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, quote or line break is
/// quoted, quotes doubled), with spreadsheet formula injection neutralized.
public enum CSV {
    /// One record, with its CRLF.
    public static func record(_ fields: [Field]) -> String {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "," }
            line += encode(field)
        }
        return line + "\r\n"
    }

    /// A cell: free text (neutralized) or a value the server formatted (numbers, dates, ids).
    public enum Field: Sendable, Equatable {
        case text(String)
        case value(String)
    }

    /// Text that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab
    /// or a carriage return) gets a leading apostrophe, as OWASP recommends.
    public static func neutralize(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r'".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    static func encode(_ field: Field) -> String {
        let text: String =
            switch field {
            case .text(let text): neutralize(text)
            case .value(let value): value
            }
        // Bytes, not Characters: the four ASCII bytes that force quoting cannot hide inside a
        // multi-byte sequence, and scanning bytes skips grapheme breaking.
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            return text
        }
        // Every quote doubled, found by byte too: `replacingOccurrences(of: "\"", …)` compares
        // Characters, so it skipped a quote that a combining mark (U+0301 and the like) follows,
        // and that lone quote ended the quoted cell early.
        var quoted: [UInt8] = [0x22]
        quoted.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            if byte == 0x22 { quoted.append(0x22) }
            quoted.append(byte)
        }
        quoted.append(0x22)
        return String(decoding: quoted, as: UTF8.self)
    }
}
