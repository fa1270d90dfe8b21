import ExpenseCore
import Foundation

/// The SQL dialects the store speaks. Differences between them stay inside this module.
public enum SQLDialect: String, Sendable {
    case postgres
    case sqlite
}

/// A value bound to a statement or read from a row, independent of the driver.
public enum SQLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case text(String)
    case uuid(UUID)
    /// A point in time, stored in UTC.
    case timestamp(Date)
    /// A calendar date (PostgreSQL `date`, SQLite `YYYY-MM-DD` text).
    case date(CalendarDate)
    case bytes([UInt8])
}

/// A Swift type that can be bound as a statement parameter.
public protocol SQLEncodable: Sendable {
    var sqlValue: SQLValue { get }
}

/// A Swift type that can be read from a column.
public protocol SQLDecodable {
    static func decode(sqlValue: SQLValue) throws -> Self
}

public typealias SQLCodable = SQLEncodable & SQLDecodable

/// A column held something the requested type cannot represent.
public struct SQLDecodingError: Error, CustomStringConvertible {
    public let column: String
    public let expected: String
    public let found: SQLValue

    public var description: String { "column \(column): expected \(expected), found \(found)" }
}

struct SQLTypeMismatch: Error {
    let expected: String
    let found: SQLValue
}

extension String: SQLCodable {
    public var sqlValue: SQLValue { .text(self) }
    public static func decode(sqlValue: SQLValue) throws -> String {
        switch sqlValue {
        case .text(let text): return text
        case .uuid(let uuid): return uuid.uuidString.lowercased()
        case .int(let int): return String(int)
        default: throw SQLTypeMismatch(expected: "text", found: sqlValue)
        }
    }
}

extension Int64: SQLCodable {
    public var sqlValue: SQLValue { .int(self) }
    public static func decode(sqlValue: SQLValue) throws -> Int64 {
        switch sqlValue {
        case .int(let int): return int
        case .bool(let bool): return bool ? 1 : 0
        case .text(let text):
            // PostgreSQL sends numeric results (e.g. SUM of BIGINT) as text.
            guard let int = Int64(text) else { throw SQLTypeMismatch(expected: "integer", found: sqlValue) }
            return int
        default: throw SQLTypeMismatch(expected: "integer", found: sqlValue)
        }
    }
}

extension Int: SQLCodable {
    public var sqlValue: SQLValue { .int(Int64(self)) }
    public static func decode(sqlValue: SQLValue) throws -> Int {
        let wide = try Int64.decode(sqlValue: sqlValue)
        guard let narrow = Int(exactly: wide) else { throw SQLTypeMismatch(expected: "Int", found: sqlValue) }
        return narrow
    }
}

extension Bool: SQLCodable {
    public var sqlValue: SQLValue { .bool(self) }
    public static func decode(sqlValue: SQLValue) throws -> Bool {
        switch sqlValue {
        case .bool(let bool): return bool
        case .int(let int): return int != 0
        default: throw SQLTypeMismatch(expected: "boolean", found: sqlValue)
        }
    }
}

extension UUID: SQLCodable {
    public var sqlValue: SQLValue { .uuid(self) }
    public static func decode(sqlValue: SQLValue) throws -> UUID {
        switch sqlValue {
        case .uuid(let uuid): return uuid
        case .text(let text):
            guard let uuid = UUID(uuidString: text) else { throw SQLTypeMismatch(expected: "uuid", found: sqlValue) }
            return uuid
        default: throw SQLTypeMismatch(expected: "uuid", found: sqlValue)
        }
    }
}

extension Date: SQLCodable {
    public var sqlValue: SQLValue { .timestamp(self) }
    public static func decode(sqlValue: SQLValue) throws -> Date {
        switch sqlValue {
        case .timestamp(let date): return date
        case .text(let text):
            guard let date = SQLTimestamp.parse(text) else {
                throw SQLTypeMismatch(expected: "timestamp", found: sqlValue)
            }
            return date
        default: throw SQLTypeMismatch(expected: "timestamp", found: sqlValue)
        }
    }
}

extension CalendarDate: SQLCodable {
    public var sqlValue: SQLValue { .date(self) }
    public static func decode(sqlValue: SQLValue) throws -> CalendarDate {
        switch sqlValue {
        case .date(let date): return date
        case .text(let text):
            guard let date = try? CalendarDate(parsing: text) else {
                throw SQLTypeMismatch(expected: "date", found: sqlValue)
            }
            return date
        default: throw SQLTypeMismatch(expected: "date", found: sqlValue)
        }
    }
}

extension Int128: SQLDecodable {
    public static func decode(sqlValue: SQLValue) throws -> Int128 {
        switch sqlValue {
        case .int(let int): return Int128(int)
        case .text(let text):
            // PostgreSQL sends SUM(bigint) as numeric text.
            guard let value = Int128(text) else { throw SQLTypeMismatch(expected: "integer", found: sqlValue) }
            return value
        default: throw SQLTypeMismatch(expected: "integer", found: sqlValue)
        }
    }
}

extension Identifier: SQLCodable {
    public var sqlValue: SQLValue { .uuid(rawValue) }
    public static func decode(sqlValue: SQLValue) throws -> Identifier<Tag> {
        Identifier(try UUID.decode(sqlValue: sqlValue))
    }
}

extension Optional: SQLEncodable where Wrapped: SQLEncodable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(sqlValue: SQLValue) throws -> Wrapped? {
        if case .null = sqlValue { return nil }
        return try Wrapped.decode(sqlValue: sqlValue)
    }
}

extension RawRepresentable where Self: SQLEncodable, RawValue: SQLEncodable {
    public var sqlValue: SQLValue { rawValue.sqlValue }
}

extension RawRepresentable where Self: SQLDecodable, RawValue: SQLDecodable {
    public static func decode(sqlValue: SQLValue) throws -> Self {
        guard let value = Self(rawValue: try RawValue.decode(sqlValue: sqlValue)) else {
            throw SQLTypeMismatch(expected: String(describing: Self.self), found: sqlValue)
        }
        return value
    }
}

/// Bytes: PostgreSQL `bytea`, SQLite blob.
extension Array: SQLEncodable, SQLDecodable where Element == UInt8 {
    public var sqlValue: SQLValue { .bytes(self) }
    public static func decode(sqlValue: SQLValue) throws -> [UInt8] {
        guard case .bytes(let bytes) = sqlValue else { throw SQLTypeMismatch(expected: "bytes", found: sqlValue) }
        return bytes
    }
}

extension Role: SQLCodable {}
extension ReceiptKind: SQLCodable {}
extension ClaimStatus: SQLCodable {}
extension Budget.Period: SQLCodable {}
extension OrganizationKind: SQLCodable {}
extension Weekday: SQLCodable {}
extension AuditAction: SQLCodable {}
extension AuditSubject: SQLCodable {}
extension MailKind: SQLCodable {}
extension OutboxStatus: SQLCodable {}
extension PeriodClose.Action: SQLCodable {}

/// Audit details are stored as their JSON text; text that is not details is a read error.
extension AuditDetails: SQLCodable {
    public var sqlValue: SQLValue { .text(json) }

    public static func decode(sqlValue: SQLValue) throws -> AuditDetails {
        guard let details = AuditDetails.decode(try String.decode(sqlValue: sqlValue)) else {
            throw SQLTypeMismatch(expected: "audit details", found: sqlValue)
        }
        return details
    }
}

extension Currency: SQLCodable {
    public var sqlValue: SQLValue { .text(code) }

    public static func decode(sqlValue: SQLValue) throws -> Currency {
        let code = try String.decode(sqlValue: sqlValue)
        guard let currency = try? Currency(code: code) else {
            throw SQLTypeMismatch(expected: "an ISO 4217 currency code", found: sqlValue)
        }
        return currency
    }
}

/// A time zone is stored by its IANA name; a name this build does not know is an error, never
/// a silent GMT.
extension TimeZone: SQLCodable {
    public var sqlValue: SQLValue { .text(name) }

    public static func decode(sqlValue: SQLValue) throws -> TimeZone {
        guard let zone = TimeZone(identifier: try String.decode(sqlValue: sqlValue)) else {
            throw SQLTypeMismatch(expected: "an IANA time zone name", found: sqlValue)
        }
        return zone
    }
}

/// Timestamps as SQLite stores them: ISO 8601 in UTC with milliseconds, fixed width so that
/// text order is time order.
enum SQLTimestamp {
    /// Rounds to the nearest millisecond (not down: a `Double` of x.123 may hold x.12299...).
    static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds)
            .formatted(Date.ISO8601FormatStyle(timeZone: .gmt))  // 2026-11-29T09:32:15Z
        let fraction = Int(milliseconds - seconds * 1000)
        return String(whole.dropLast()) + "." + String(format: "%03d", fraction) + "Z"
    }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text) {
            return date
        }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }
}
