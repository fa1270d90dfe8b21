import NIOCore

/// Checks a `multipart/form-data` body, as it streams, for what MultipartKit 4.7.1 cannot be
/// given: a byte of 0x80 or more in a part's header name, which its parser looks up in a
/// 128-entry table and traps on (a crash of the whole server for one request), and headers
/// without end, which it would hold in memory whole. Every buffer goes through `check` before
/// the parser sees it, and a caller stops feeding the parser at its first error, so the two
/// never disagree about where the headers are; a body this refuses is answered 400.
///
/// It follows the body just far enough: the opening delimiter (`--boundary` first, with at
/// most a line break before it: no preamble, where the parser finds a delimiter anywhere), the
/// delimiters between parts (`\r\n--boundary`), the header lines after each, and the name
/// before each header's colon. Header values (a UTF-8 file name) and the parts' bytes may hold
/// anything.
struct MultipartHeaderGuard {
    /// The longest header line, and the most parts, a form of this server sends.
    static let lineLimit = 8 * 1024
    static let partLimit = 64

    private enum State {
        /// Before the first delimiter: `matched` bytes of `--boundary` seen (or of the line
        /// break that may come first, when `lineBreak`).
        case opening(matched: Int, lineBreak: Bool)
        /// In a part's body, `matched` bytes of the delimiter seen.
        case scanning(matched: Int)
        /// Just after a delimiter: `--` ends the body, anything else starts a part's headers.
        case afterDelimiter
        case closing
        /// In a part's header lines, `length` bytes into the current one.
        case headers(lineStart: Bool, inName: Bool, length: Int)
        /// Past the closing delimiter: the parser ignores the rest.
        case epilogue
    }

    private let delimiter: [UInt8]
    private var state: State = .opening(matched: 0, lineBreak: false)
    private var parts = 0
    /// The one line break allowed before the opening delimiter was seen.
    private var openingBreak = false

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    struct Refused: Error {}

    mutating func check(_ buffer: ByteBuffer) throws {
        for byte in buffer.readableBytesView { try step(byte) }
    }

    private mutating func step(_ byte: UInt8) throws {
        switch state {
        case .opening(let matched, let lineBreak):
            if lineBreak {
                guard matched == 0, byte == UInt8(ascii: "\n") else { throw Refused() }
                state = .opening(matched: 0, lineBreak: false)
            } else if matched == 0, !openingBreak, byte == UInt8(ascii: "\r") {
                openingBreak = true
                state = .opening(matched: 0, lineBreak: true)
            } else {
                // `--boundary` is the delimiter without its leading line break.
                guard byte == delimiter[matched + 2] else { throw Refused() }
                state =
                    matched + 3 == delimiter.count ? .afterDelimiter : .opening(matched: matched + 1, lineBreak: false)
            }
        case .scanning(let matched):
            if byte == delimiter[matched] {
                state = matched + 1 == delimiter.count ? .afterDelimiter : .scanning(matched: matched + 1)
            } else {
                // The delimiter's first byte (CR) appears nowhere else in it, so a mismatch
                // restarts the match at this byte.
                state = .scanning(matched: byte == delimiter[0] ? 1 : 0)
            }
        case .afterDelimiter:
            if byte == UInt8(ascii: "-") {
                state = .closing
            } else {
                parts += 1
                guard parts <= Self.partLimit else { throw Refused() }
                state = .headers(lineStart: false, inName: false, length: 0)
            }
        case .closing:
            state = .epilogue
        case .headers(let lineStart, let inName, let length):
            guard length < Self.lineLimit else { throw Refused() }
            if lineStart {
                // An empty line ends the headers: the part's body follows its line feed.
                if byte >= 0x80 { throw Refused() }
                state =
                    byte == UInt8(ascii: "\r")
                    ? .scanning(matched: 0) : .headers(lineStart: false, inName: byte != UInt8(ascii: ":"), length: 1)
            } else if byte == UInt8(ascii: "\n") {
                state = .headers(lineStart: true, inName: false, length: 0)
            } else if inName {
                if byte >= 0x80 { throw Refused() }
                state = .headers(lineStart: false, inName: byte != UInt8(ascii: ":"), length: length + 1)
            } else {
                state = .headers(lineStart: false, inName: false, length: length + 1)
            }
        case .epilogue:
            return
        }
    }
}
