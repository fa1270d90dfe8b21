import Foundation

/// Reads RFC 4180 records from bytes fed in pieces, so a large file is never held whole: quoted
/// fields may hold the delimiter, doubled quotes and line breaks; records end at CRLF, LF or CR;
/// a UTF-8 byte-order mark at the start is skipped, and blank lines are not records.
///
/// Written here because none of the packages this project builds on parses CSV (the exports
/// only write it); it is small, and `CSVRecordReaderTests` holds it to the RFC's examples.
public struct CSVRecordReader: Sendable {
    public struct Record: Sendable, Equatable {
        /// The line of the file the record starts on (the header is line 1).
        public var line: Int
        public var fields: [String]
    }

    /// A file that is not CSV from some line on.
    public struct Malformed: Error, Equatable {
        public var line: Int
        public var detail: String
    }

    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    let delimiter: UInt8
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var skipLineFeed = false
    private var pastStart = false
    /// Inside quotes, the byte before was a CR (so a LF after it ends no further line).
    private var quotedCR = false

    /// A record with more fields, or a field with more bytes, is no statement's: the file is
    /// refused there rather than held in memory.
    public static let fieldLimit = 1000
    public static let fieldBytesLimit = 1 << 20

    public init(delimiter: UInt8 = UInt8(ascii: ",")) {
        self.delimiter = delimiter
    }

    /// Reads `bytes`, appending each record they complete to `records`. The first piece must
    /// hold the file's first three bytes (when it has that many) for its byte-order mark.
    public mutating func read(_ bytes: [UInt8], into records: inout [Record]) throws {
        var start = 0
        if !pastStart {
            pastStart = true
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        }
        try consume(bytes[start...], into: &records)
    }

    /// Ends the input: the last record, if it had no line break after it.
    public mutating func finish(into records: inout [Record]) throws {
        switch state {
        case .quoted:
            throw Malformed(line: recordLine, detail: "A quoted field that starts on line \(recordLine) never ends.")
        case .fieldStart where fields.isEmpty:
            return
        default:
            try endRecord(into: &records)
        }
    }

    private mutating func consume(_ bytes: ArraySlice<UInt8>, into records: inout [Record]) throws {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        for byte in bytes {
            if skipLineFeed {
                skipLineFeed = false
                if byte == lf { continue }
            }
            switch state {
            case .fieldStart, .unquoted:
                if byte == delimiter {
                    try endField()
                } else if byte == cr || byte == lf {
                    line += 1
                    skipLineFeed = byte == cr
                    if state == .fieldStart && fields.isEmpty {
                        recordLine = line  // a blank line
                    } else {
                        try endRecord(into: &records)
                    }
                } else if byte == quote && state == .fieldStart {
                    state = .quoted
                } else {
                    state = .unquoted
                    try append(byte)
                }
            case .quoted:
                if byte == quote {
                    state = .quoteInQuoted
                } else {
                    if byte == cr || (byte == lf && !quotedCR) { line += 1 }
                    try append(byte)
                }
                quotedCR = byte == cr
            case .quoteInQuoted:
                if byte == quote {
                    try append(quote)
                    state = .quoted
                } else if byte == delimiter {
                    try endField()
                } else if byte == cr || byte == lf {
                    line += 1
                    skipLineFeed = byte == cr
                    try endRecord(into: &records)
                } else {
                    throw Malformed(
                        line: line, detail: "Line \(line): a quote inside a quoted field must be doubled (\"\").")
                }
            }
        }
    }

    private mutating func endField() throws {
        guard fields.count < Self.fieldLimit else {
            throw Malformed(line: recordLine, detail: "Line \(recordLine) has more than \(Self.fieldLimit) fields.")
        }
        guard let text = String(validating: field, as: UTF8.self) else {
            throw Malformed(line: recordLine, detail: "Line \(recordLine) is not UTF-8 text: save the file as UTF-8.")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func append(_ byte: UInt8) throws {
        guard field.count < Self.fieldBytesLimit else {
            throw Malformed(line: recordLine, detail: "A field on line \(recordLine) is longer than 1 MiB.")
        }
        field.append(byte)
    }

    private mutating func endRecord(into records: inout [Record]) throws {
        try endField()
        records.append(Record(line: recordLine, fields: fields))
        fields.removeAll(keepingCapacity: true)
        recordLine = line
    }
}
