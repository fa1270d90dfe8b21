import NIOCore

/// JSON strings written straight into a buffer, escaped exactly as `AppJSON.encoder`
/// (swift-foundation's `JSONEncoder` with `.withoutEscapingSlashes`) escapes them, so a
/// hand-written response is byte for byte what the encoder would send:
///
/// - `"` and `\` get a backslash;
/// - the control characters U+0008, U+0009, U+000A, U+000C and U+000D are `\b`, `\t`, `\n`,
///   `\f` and `\r`; every other one below U+0020 is `\u00XX` with lower-case hex digits;
/// - everything else goes out as its UTF-8 bytes: `/`, DEL (U+007F), U+2028, U+2029 and all
///   other non-ASCII text are not escaped.
///
/// A Swift `String` is always valid UTF-8, and every byte escaped is ASCII, so escaping works
/// on bytes: no multi-byte sequence can hold one.
extension ByteBuffer {
    /// `string` as a quoted JSON string.
    mutating func writeJSONString(_ string: String) {
        writeInteger(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index { writeBytes(UnsafeBufferPointer(rebasing: utf8[start..<index])) }
                writeJSONEscape(byte)
                start = index + 1
            }
            if start < utf8.count { writeBytes(UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        writeInteger(UInt8(ascii: "\""))
    }

    /// `string`, or `null` for nil.
    mutating func writeJSONString(_ string: String?) {
        if let string { writeJSONString(string) } else { writeStaticString("null") }
    }

    private mutating func writeJSONEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): writeStaticString(#"\""#)
        case UInt8(ascii: "\\"): writeStaticString(#"\\"#)
        case 0x08: writeStaticString(#"\b"#)
        case 0x09: writeStaticString(#"\t"#)
        case 0x0A: writeStaticString(#"\n"#)
        case 0x0C: writeStaticString(#"\f"#)
        case 0x0D: writeStaticString(#"\r"#)
        default:
            writeStaticString(#"\u00"#)
            writeInteger(Self.lowercaseHex(byte >> 4))
            writeInteger(Self.lowercaseHex(byte & 0x0F))
        }
    }
}
