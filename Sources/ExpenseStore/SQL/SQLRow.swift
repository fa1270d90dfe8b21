/// One result row, decoded from either driver into driver-independent values.
public struct SQLRow: Sendable {
    let columns: [String]
    let values: [SQLValue]

    init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of a column, or `nil` when the row has no such column.
    public subscript(column: String) -> SQLValue? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return values[index]
    }

    /// Decodes the column at `position` (in SELECT order), for hot paths that read many rows;
    /// `name` is only for the error.
    public func decode<T: SQLDecodable>(at position: Int, _ name: String, as type: T.Type = T.self) throws -> T {
        guard position < values.count else {
            throw SQLDecodingError(column: name, expected: String(describing: T.self), found: .null)
        }
        do {
            return try T.decode(sqlValue: values[position])
        } catch let mismatch as SQLTypeMismatch {
            throw SQLDecodingError(column: name, expected: mismatch.expected, found: mismatch.found)
        }
    }

    /// Decodes a column; throws when it is missing or of another type.
    public func decode<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = self[column] else {
            throw SQLDecodingError(column: column, expected: String(describing: T.self), found: .null)
        }
        do {
            return try T.decode(sqlValue: value)
        } catch let mismatch as SQLTypeMismatch {
            throw SQLDecodingError(column: column, expected: mismatch.expected, found: mismatch.found)
        }
    }
}
