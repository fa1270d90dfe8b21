/// A position in PostgreSQL's write-ahead log (an LSN), read from its text form `X/Y`: two
/// hexadecimal halves of one 64-bit byte offset. The difference of two is how many bytes of
/// log lie between them.
public struct WALPosition: Sendable, Hashable, Comparable {
    public var offset: UInt64

    public init(offset: UInt64) {
        self.offset = offset
    }

    public init?(_ text: String) {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, halves.allSatisfy({ (1...8).contains($0.count) }),
            let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16)
        else { return nil }
        offset = high << 32 | low
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool { lhs.offset < rhs.offset }

    /// Bytes from `other` up to this position; zero when `other` is not behind.
    public func bytes(after other: WALPosition) -> UInt64 {
        offset > other.offset ? offset - other.offset : 0
    }
}
