import Crypto
import ExpenseCore
import Foundation

/// The audit log's hash chain. Each entry's hash is SHA-256 over the previous entry's hash (32
/// bytes; zeros before the first entry) followed by the entry's canonical bytes: ten fields in a
/// fixed order, each as a 4-byte big-endian length and its UTF-8 bytes, or `FF FF FF FF` for
/// NULL. The fields are the tenant id, the entry's number in its chain (decimal), its id, the
/// actor's id (UUIDs lower-case with hyphens), the actor's name, the action, the subject's type
/// and id, the details, and the time (UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`).
///
/// PostgreSQL computes the same bytes in a trigger when an entry is written; SQLite cannot, so
/// the server computes them there. The verifier always recomputes them here, from the stored
/// columns, so a database function replaced to agree with altered rows does not fool it.
public enum AuditChain {
    /// The head of an organization without entries.
    public static let genesis = String(repeating: "0", count: 64)

    /// One entry's stored columns, as text the way the canonical form spells them.
    public struct Link: Sendable, Equatable {
        public var tenantID: String
        public var seq: Int64
        public var id: String
        public var actorID: String?
        public var actorName: String?
        public var action: String
        public var subjectType: String
        public var subjectID: String?
        public var details: String?
        public var createdAt: String

        public init(
            tenantID: String, seq: Int64, id: String, actorID: String?, actorName: String?, action: String,
            subjectType: String, subjectID: String?, details: String?, createdAt: String
        ) {
            self.tenantID = tenantID
            self.seq = seq
            self.id = id
            self.actorID = actorID
            self.actorName = actorName
            self.action = action
            self.subjectType = subjectType
            self.subjectID = subjectID
            self.details = details
            self.createdAt = createdAt
        }

        /// The canonical bytes of the entry.
        public var canonicalBytes: [UInt8] {
            var bytes: [UInt8] = []
            let fields: [String?] = [
                tenantID, String(seq), id, actorID, actorName, action, subjectType, subjectID, details, createdAt,
            ]
            for field in fields {
                guard let field else {
                    bytes.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                    continue
                }
                let utf8 = Array(field.utf8)
                let count = UInt32(utf8.count)
                bytes.append(contentsOf: [
                    UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF),
                ])
                bytes.append(contentsOf: utf8)
            }
            return bytes
        }

        /// This entry's hash after `previous` (hex), in lower-case hex.
        public func hash(after previous: String) -> String {
            var hasher = SHA256()
            hasher.update(data: AuditChain.bytes(hex: previous) ?? Array(repeating: 0, count: 32))
            hasher.update(data: canonicalBytes)
            return Hex.lowercase(hasher.finalize())
        }
    }

    /// A time as the canonical form spells it: UTC with microseconds. Rounded to the nearest
    /// microsecond, which is what PostgreSQL stores and what a stored time reads back as.
    public static func timestamp(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = (micros / 1_000_000).rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        let fraction = Int(micros - seconds * 1_000_000)
        return String(whole.dropLast()) + "." + String(format: "%06d", fraction) + "Z"
    }

    /// A time as SQLite keeps it: to the millisecond. Entries are written at that precision on
    /// both databases, so the hash computed before the write matches the row read back.
    public static func stored(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
