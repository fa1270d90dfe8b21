import ExpenseCore
import Foundation
import Logging
import PostgresNIO
import _ConnectionPoolModule

/// Runs statements on the leased connection of an open PostgreSQL transaction.
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    let counter: StatementCounter
    var dialect: SQLDialect { .postgres }

    func run(_ statement: String) async throws {
        try ensureOpen()
        counter.increment()
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        } catch {
            throw StoreError(postgres: error) ?? error
        }
    }

    func query(_ sql: SQL) async throws -> [SQLRow] {
        try ensureOpen()
        var binds = PostgresBindings(capacity: sql.binds.count)
        for value in sql.binds {
            switch value {
            case .null: binds.appendNull()
            case .bool(let bool): binds.append(bool)
            case .int(let int): binds.append(int)
            case .text(let text): binds.append(text)
            case .uuid(let uuid): binds.append(uuid)
            case .timestamp(let date): binds.append(date)
            case .date(let date): binds.append(PostgresDay(date))
            case .bytes(let bytes): binds.append(ByteBuffer(bytes: bytes))
            }
        }
        counter.increment()
        do {
            if let key = sql.preparedAs {
                return try await Self.collect(try await prepared(key, sql, binds))
            }
            return try await Self.collect(
                try await connection.query(
                    PostgresQuery(unsafeSQL: sql.text(for: .postgres), binds: binds), logger: logger))
        } catch {
            throw StoreError(postgres: error) ?? error
        }
    }

    /// `COPY table (columns) FROM STDIN` in text format, its rows written by `body`.
    func copy(into table: String, columns: [String], _ body: (PostgresCopyFromWriter) async throws -> Void)
        async throws
    {
        try ensureOpen()
        counter.increment()
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger, writeData: body)
        } catch {
            throw StoreError(postgres: error) ?? error
        }
    }

    /// postgres-nio never answers a statement written to a connection that has closed (once the
    /// channel's handlers are gone the write fails with nobody told), so the request would wait
    /// forever and its lease would never return to the pool: a statement for a closed
    /// connection fails here instead. A connection that closes in the microseconds between this
    /// check and the driver's write still leaves that one statement unanswered; only the driver
    /// can close that gap (by failing the write's task when its channel is gone).
    private func ensureOpen() throws {
        if connection.isClosed { throw StoreError.unavailable(reason: "connection closed") }
    }

    /// Decodes every row into driver-independent values.
    private static func collect<Rows: AsyncSequence>(_ rows: Rows) async throws -> [SQLRow]
    where Rows.Element == PostgresRow {
        var result: [SQLRow] = []
        // Every row of a result has the same columns: name them once and share the array.
        var columns: [String]?
        for try await row in rows {
            var values: [SQLValue] = []
            values.reserveCapacity(columns?.count ?? 16)
            for cell in row { values.append(try SQLValue(postgres: cell)) }
            if columns == nil { columns = row.map(\.columnName) }
            result.append(SQLRow(columns: columns ?? [], values: values))
        }
        return result
    }
}

extension PostgresExecutor {
    /// Runs a statement prepared once per connection under its key's name; postgres-nio
    /// prepares it on the connection's first use and afterwards only binds and executes.
    private func prepared<Key: PreparedStatementKey>(_ key: Key.Type, _ sql: SQL, _ binds: PostgresBindings)
        async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow>
    {
        assert(Key.text == sql.text(for: .postgres), "prepared statement \(Key.self) differs from its key's text")
        return try await connection.execute(PreparedSQL<Key>(bindings: binds), logger: logger)
    }
}

/// A hot statement in postgres-nio's prepared-statement form: named after its key, rows left
/// raw so the executor decodes them like any other.
struct PreparedSQL<Key: PreparedStatementKey>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { String(reflecting: Key.self) }
    static var sql: String { Key.text }
    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension SQLValue {
    init(postgres cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .bool: self = .bool(try cell.decode(Bool.self))
        case .int2, .int4, .int8: self = .int(try cell.decode(Int64.self))
        case .uuid: self = .uuid(try cell.decode(UUID.self))
        case .timestamptz, .timestamp: self = .timestamp(try cell.decode(Date.self))
        case .date:
            // Midnight UTC of the day; whole days since 1970 give the calendar date back exactly.
            let seconds = try cell.decode(Date.self).timeIntervalSince1970
            self = .date(CalendarDate(dayNumber: Int((seconds / 86_400).rounded(.down))))
        case .bytea: self = .bytes(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default:
            // text, varchar, char(n), name, and anything the SQL casts to text (dates, numerics).
            self = .text(try cell.decode(String.self))
        }
    }
}

/// A calendar date bound as PostgreSQL's binary `date`: days since 2000-01-01.
struct PostgresDay: PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { .date }
    static var psqlFormat: PostgresFormat { .binary }
    let date: CalendarDate

    init(_ date: CalendarDate) { self.date = date }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(Int32(date.dayNumber - 10_957))
    }
}

extension StoreError {
    /// Maps PostgreSQL's SQLSTATEs for constraints, row security and lost races, and the
    /// driver's and pool's "cannot reach the database" failures; `nil` otherwise.
    init?(postgres error: any Error) {
        // The pool's own failures, thrown when leasing a connection: it gave up connecting to the
        // server (connect errors for longer than its circuit breaker allows), or it is shut down.
        // postgres-nio 1.33.2 has no lease timeout of its own (a lease waits until a connection
        // frees up or the circuit breaker trips, a minute after connecting began to fail), so
        // `PostgresDatabase` bounds the wait itself (`BoundedLease`).
        if let error = error as? ConnectionPoolError {
            switch error {
            case .connectionCreationCircuitBreakerTripped: self = .unavailable(reason: "cannot connect")
            case .poolShutdown: self = .unavailable(reason: "connection pool shut down")
            default: return nil
            }
            return
        }
        guard let error = error as? PSQLError else { return nil }
        switch error.code {
        // A connection closed under the request: by the server, by the network, or by the driver
        // after the server ended the session (a FATAL error such as 57P01 on shutdown).
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            self = .unavailable(reason: error.code.description)
            return
        default:
            break
        }
        guard let state = error.serverInfo?[.sqlState] else { return nil }
        let constraint = error.serverInfo?[.constraintName]
        switch state {
        case "23505": self = .uniqueViolation(constraint: constraint)
        case "23503": self = .foreignKeyViolation(constraint: constraint)
        case "23514", "23502", "23P01": self = .constraintViolation(constraint: constraint)
        case "42501":
            // insufficient_privilege: row security refusing a row, or a missing grant.
            let message = error.serverInfo?[.message] ?? ""
            self = message.contains("row-level security") ? .rowSecurityViolation : .permissionDenied(message)
        case "40001", "40P01": self = .retryable
        // Raised by the closed-period triggers (migration 0015).
        case "ETC01": self = .periodClosed
        // too_many_connections, the server shutting down or starting up, and class 08
        // (connection exception).
        case "53300", "57P01", "57P02", "57P03": self = .unavailable(reason: "SQLSTATE \(state)")
        case _ where state.hasPrefix("08"): self = .unavailable(reason: "SQLSTATE \(state)")
        default: return nil
        }
    }
}
