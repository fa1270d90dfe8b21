import ExpenseCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import ServiceLifecycle

/// The embedded store: one SQLite file in WAL mode with foreign keys on.
///
/// One connection serves every transaction, in turn, behind an async mutex: SQLite admits one
/// writer at a time anyway, and `BEGIN IMMEDIATE` keeps other processes (a second `migrate`,
/// say) out until the transaction ends. Tenant isolation here rests on the repositories'
/// `WHERE tenant_id = ...` clauses; SQLite has no row-level security.
public final class SQLiteDatabase: Database {
    public let dialect = SQLDialect.sqlite
    public let path: String
    private let connection: SQLiteConnection
    private let threadPool: NIOThreadPool
    private let mutex = AsyncMutex()
    private let logger: Logger

    private init(path: String, connection: SQLiteConnection, threadPool: NIOThreadPool, logger: Logger) {
        self.path = path
        self.connection = connection
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Opens (creating when missing) the database file and its directory.
    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A thread of its own for the one connection: SQLite calls block (a busy wait on another
        // process's lock, say) and must never hold up a shared pool.
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any()
            )
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        do {
            // busy_timeout first: the WAL switch itself needs a lock another process may hold.
            _ = try await connection.query("PRAGMA busy_timeout = 10000")
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            // NORMAL in WAL mode survives a killed process; only a power cut can lose the last commits.
            _ = try await connection.query("PRAGMA synchronous = NORMAL")
            _ = try await connection.query("PRAGMA foreign_keys = ON")
        } catch {
            try? await connection.close()
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return SQLiteDatabase(path: path, connection: connection, threadPool: threadPool, logger: logger)
    }

    public func transaction<T: Sendable>(
        _ scope: TransactionScope,
        _ body: (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await TransactionGuard.enter {
            try await mutex.withLock {
                let executor = SQLiteExecutor(connection: connection)
                try await executor.run("BEGIN IMMEDIATE")
                do {
                    let result = try await body(executor)
                    try await executor.run("COMMIT")
                    return result
                } catch {
                    do {
                        try await executor.run("ROLLBACK")
                    } catch {
                        logger.error("rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                    throw error
                }
            }
        }
    }

    public func autocommit<T: Sendable>(_ body: (any SQLExecutor) async throws -> T) async throws -> T {
        try await TransactionGuard.enter {
            try await mutex.withLock { try await body(SQLiteExecutor(connection: connection)) }
        }
    }

    public func ping() async throws {
        try await mutex.withLock {
            _ = try await connection.query("SELECT 1")
        }
    }

    public func connectedRole() async throws -> DatabaseRole? { nil }

    /// Runs until graceful shutdown or cancellation, then closes the file.
    public func run() async throws {
        try? await gracefulShutdown()
        try await Task { try await self.close() }.value
    }

    /// Closes the file once the transaction under way, if any, has ended.
    public func close() async throws {
        try await mutex.withLock {
            if !connection.isClosed {
                try await connection.close()
                try await threadPool.shutdownGracefully()
            }
        }
    }

    deinit {
        // A database dropped without `close()` still releases its file handle and thread.
        if !connection.isClosed {
            let threadPool = self.threadPool
            connection.close().whenComplete { _ in threadPool.shutdownGracefully { _ in } }
        }
    }
}

/// Runs statements on the SQLite connection of an open transaction.
struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    func run(_ statement: String) async throws {
        do {
            _ = try await connection.query(statement)
        } catch {
            throw StoreError(sqlite: error) ?? error
        }
    }

    func query(_ sql: SQL) async throws -> [SQLRow] {
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql.text(for: .sqlite), sql.binds.map(SQLiteData.init))
        } catch {
            throw StoreError(sqlite: error) ?? error
        }
        return rows.map { row in
            SQLRow(columns: row.columns.map(\.name), values: row.columns.map { SQLValue(sqlite: $0.data) })
        }
    }
}

extension SQLiteData {
    init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .integer(bool ? 1 : 0)
        case .int(let int): self = .integer(Int(int))
        case .text(let text): self = .text(text)
        // Lowercase, as the schema stores UUIDs, so text comparison matches.
        case .uuid(let uuid): self = .text(uuid.uuidString.lowercased())
        case .timestamp(let date): self = .text(SQLTimestamp.format(date))
        case .date(let date): self = .text(date.description)
        case .bytes(let bytes): self = .blob(.init(bytes: bytes))
        }
    }
}

extension SQLValue {
    init(sqlite data: SQLiteData) {
        switch data {
        case .null: self = .null
        case .integer(let int): self = .int(Int64(int))
        case .float(let double): self = .text(String(double))
        case .text(let text): self = .text(text)
        case .blob(let buffer): self = .bytes(Array(buffer.readableBytesView))
        }
    }
}

extension StoreError {
    /// Maps SQLite's constraint and busy errors; `nil` for anything else.
    init?(sqlite error: any Error) {
        guard let error = error as? SQLiteError else { return nil }
        let message = error.message
        // Raised by the closed-period triggers (migration 0015).
        if message == "period_closed" {
            self = .periodClosed
            return
        }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            self = .uniqueViolation(constraint: message)
        case .constraintForeignKeyFailed:
            self = .foreignKeyViolation(constraint: message)
        case .constraintCheckFailed, .constraintNotNullFailed, .constraintStrictDataTypeFailed,
            .constraintTriggerFailed, .constraint:
            self = .constraintViolation(constraint: message)
        case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot, .lockedBySharedCache:
            self = .retryable
        default:
            return nil
        }
    }
}

extension SQLiteDatabase {
    /// Writes a consistent copy of the whole database to `path` (SQLite's `VACUUM INTO`), while
    /// the database stays in use: the copy is one read transaction's view, compacted, and a
    /// complete database file of its own (no write-ahead log beside it). SQLite refuses a
    /// `path` that exists and is not empty.
    public func backup(to path: String) async throws {
        try await autocommit { executor in
            try await executor.execute("VACUUM INTO \(path)")
        }
    }

    /// SQLite's own check of every page and index of the file: "ok", or what it found wrong.
    public func integrityCheck() async throws -> String {
        try await autocommit { executor in
            let rows = try await executor.query("PRAGMA integrity_check")
            return try rows.map { row -> String in try row.decode("integrity_check") }.joined(separator: "; ")
        }
    }
}
