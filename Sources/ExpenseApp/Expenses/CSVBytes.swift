import ExpenseCore
import NIOCore

/// CSV cells written straight into a buffer, by the rules of `CSV` decided on bytes: free text
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe; a
/// cell holding a comma, quote, line feed or carriage return is quoted, every quote doubled.
/// All of those are ASCII, so no multi-byte UTF-8 sequence can hide one.
enum CSVBytes {
    static let quote = UInt8(ascii: "\"")

    /// A byte that makes the cell quoted.
    static func forcesQuoting(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == quote || byte == 0x0A || byte == 0x0D
    }

    /// A first byte a spreadsheet would read as the start of a formula.
    static func startsFormula(_ byte: UInt8) -> Bool {
        switch byte {
        // An apostrophe too: so that one taken off on import always was the export's.
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D, UInt8(ascii: "'"):
            true
        default: false
        }
    }
}

extension ByteBuffer {
    /// `CSV.Field.text(text)`: neutralized, quoted when needed.
    mutating func writeCSVText(_ text: String) {
        writeCSVCell(text, neutralizing: true)
    }

    /// `CSV.Field.value(value)`: quoted when needed, never neutralized.
    mutating func writeCSVValue(_ value: String) {
        writeCSVCell(value, neutralizing: false)
    }

    /// `CSV.Field.text(parts.joined(separator: separator))` without joining them.
    mutating func writeCSVText(joining parts: [String], separator: UInt8) {
        precondition(!CSVBytes.forcesQuoting(separator) && !CSVBytes.startsFormula(separator))
        let quoted = parts.contains { $0.utf8.contains(where: CSVBytes.forcesQuoting) }
        // The joined text's first byte: the first part's, or the separator after an empty one.
        var first: UInt8?
        for (index, part) in parts.enumerated() {
            if let byte = part.utf8.first {
                first = byte
                break
            }
            if index < parts.count - 1 {
                first = separator
                break
            }
        }
        if quoted { writeInteger(CSVBytes.quote) }
        if let first, CSVBytes.startsFormula(first) { writeInteger(UInt8(ascii: "'")) }
        for (index, part) in parts.enumerated() {
            if index > 0 { writeInteger(separator) }
            var part = part
            part.withUTF8 { writeCSVContent($0, quoted: quoted) }
        }
        if quoted { writeInteger(CSVBytes.quote) }
    }

    private mutating func writeCSVCell(_ text: String, neutralizing: Bool) {
        var text = text
        text.withUTF8 { utf8 in
            let quoted = utf8.contains(where: CSVBytes.forcesQuoting)
            if quoted { writeInteger(CSVBytes.quote) }
            if neutralizing, let first = utf8.first, CSVBytes.startsFormula(first) {
                writeInteger(UInt8(ascii: "'"))
            }
            writeCSVContent(utf8, quoted: quoted)
            if quoted { writeInteger(CSVBytes.quote) }
        }
    }

    /// The cell's bytes, each quote doubled when the cell is quoted.
    private mutating func writeCSVContent(_ utf8: UnsafeBufferPointer<UInt8>, quoted: Bool) {
        guard quoted else {
            writeBytes(utf8)
            return
        }
        var start = 0
        for index in 0..<utf8.count where utf8[index] == CSVBytes.quote {
            // Up to and with the quote, then its double.
            writeBytes(UnsafeBufferPointer(rebasing: utf8[start...index]))
            writeInteger(CSVBytes.quote)
            start = index + 1
        }
        if start < utf8.count { writeBytes(UnsafeBufferPointer(rebasing: utf8[start...])) }
    }
}
