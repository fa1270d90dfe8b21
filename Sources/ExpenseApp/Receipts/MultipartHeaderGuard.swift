import NIOCore

/// Checks a `multipart/form-data` body, as it streams, for what MultipartKit 4.7.1 cannot be
/// given: a byte of 0x80 or more in a part's header name, which its parser looks up in a
/// 128-entry table and traps on (a crash of the whole server for one request). Every buffer
/// goes through `check` before the parser sees it; a body that has such a byte is refused.
///
/// It follows the body just far enough: the delimiters (`\r\n--boundary`, the first without
/// the line break), the header lines after each, and the name before each header's colon.
/// Header values (a UTF-8 file name) and the parts' bytes may hold anything.
struct MultipartHeaderGuard {
    private enum State {
        /// In the preamble or a part's body, `matched` bytes of the delimiter seen.
        case scanning(matched: Int)
        /// Just after a delimiter: `--` ends the body, anything else starts a part's headers.
        case afterDelimiter
        case closing
        /// In a part's header lines.
        case headers(lineStart: Bool, inName: Bool)
        /// Past the closing delimiter: the parser ignores the rest.
        case epilogue
    }

    private let delimiter: [UInt8]
    /// The body starts at a delimiter with no line break before it.
    private var state: State = .scanning(matched: 2)

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    struct Refused: Error {}

    mutating func check(_ buffer: ByteBuffer) throws {
        for byte in buffer.readableBytesView { try step(byte) }
    }

    private mutating func step(_ byte: UInt8) throws {
        switch state {
        case .scanning(let matched):
            if byte == delimiter[matched] {
                state = matched + 1 == delimiter.count ? .afterDelimiter : .scanning(matched: matched + 1)
            } else {
                // The delimiter's first byte (CR) appears nowhere else in it, so a mismatch
                // restarts the match at this byte.
                state = .scanning(matched: byte == delimiter[0] ? 1 : 0)
            }
        case .afterDelimiter:
            state = byte == UInt8(ascii: "-") ? .closing : .headers(lineStart: false, inName: false)
        case .closing:
            state = .epilogue
        case .headers(let lineStart, let inName):
            if lineStart {
                // An empty line ends the headers: the part's body follows its line feed.
                state =
                    byte == UInt8(ascii: "\r")
                    ? .scanning(matched: 0) : .headers(lineStart: false, inName: byte != UInt8(ascii: ":"))
                if byte >= 0x80 { throw Refused() }
            } else if byte == UInt8(ascii: "\n") {
                state = .headers(lineStart: true, inName: false)
            } else if inName {
                if byte >= 0x80 { throw Refused() }
                if byte == UInt8(ascii: ":") { state = .headers(lineStart: false, inName: false) }
            }
        case .epilogue:
            return
        }
    }
}
