/// A parameterized SQL statement.
///
/// Built by string interpolation: every interpolated value becomes a bound parameter, never
/// text in the statement. Only `unsafeRaw:` splices text, and it must never carry user input.
///
/// ```swift
/// let query: SQL = "SELECT name FROM organizations WHERE id = \(tenantID)"
/// ```
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Fragment: Sendable {
        case text(String)
        case parameter(Int)
    }

    var fragments: [Fragment] = []
    public private(set) var binds: [SQLValue] = []
    /// Set for a statement PostgreSQL should prepare once per connection (see `prepared(as:)`).
    public private(set) var preparedAs: (any PreparedStatementKey.Type)?

    public init(stringLiteral value: String) {
        fragments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments
        binds = stringInterpolation.binds
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []
        var binds: [SQLValue] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            fragments.reserveCapacity(interpolationCount * 2 + 1)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            fragments.append(.text(literal))
        }

        public mutating func appendInterpolation(_ value: some SQLEncodable) {
            binds.append(value.sqlValue)
            fragments.append(.parameter(binds.count))
        }

        /// An optional value: NULL when nil. (Its own overload, so the compiler does not take an
        /// optional for text to describe.)
        public mutating func appendInterpolation<Value: SQLEncodable>(_ value: Value?) {
            binds.append(value?.sqlValue ?? .null)
            fragments.append(.parameter(binds.count))
        }

        /// Splices trusted text (an identifier or keyword chosen by the code) into the statement.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            fragments.append(.text(text))
        }

        /// Splices another statement, renumbering its parameters.
        public mutating func appendInterpolation(_ sql: SQL) {
            for fragment in sql.fragments {
                switch fragment {
                case .text(let text): fragments.append(.text(text))
                case .parameter(let index):
                    binds.append(sql.binds[index - 1])
                    fragments.append(.parameter(binds.count))
                }
            }
        }
    }

    /// Appends another statement, renumbering its parameters (for clauses built conditionally).
    public mutating func append(_ other: SQL) {
        for fragment in other.fragments {
            switch fragment {
            case .text(let text): fragments.append(.text(text))
            case .parameter(let index):
                binds.append(other.binds[index - 1])
                fragments.append(.parameter(binds.count))
            }
        }
    }

    /// This statement, marked to be prepared once per connection and afterwards only bound and
    /// executed (PostgreSQL parses and plans an unnamed statement on every run). `key.text` must
    /// be this statement's PostgreSQL text, whatever the bound values; SQLite ignores the mark.
    public func prepared(as key: any PreparedStatementKey.Type) -> SQL {
        var copy = self
        copy.preparedAs = key
        return copy
    }

    /// The statement text with placeholders in the dialect's form (`$1` or `?`).
    public func text(for dialect: SQLDialect) -> String {
        var result = ""
        for fragment in fragments {
            switch fragment {
            case .text(let text): result += text
            case .parameter(let index):
                switch dialect {
                case .postgres: result += "$\(index)"
                case .sqlite: result += "?\(index)"
                }
            }
        }
        return result
    }
}

/// Names one hot statement that PostgreSQL prepares once per connection. Its `text` is the
/// statement's PostgreSQL text, built by the same function that builds the statement, so the two
/// cannot drift apart (the executor checks it in debug builds).
public protocol PreparedStatementKey: Sendable {
    static var text: String { get }
}
