import Foundation
import Logging

/// What the database holds compared with the migrations this build ships.
public struct MigrationStatus: Sendable, Equatable {
    /// Shipped migrations not yet applied, in order.
    public var pending: [String]
    /// Applied migrations whose file has changed since.
    public var edited: [String]
    /// Applied migrations this build does not know (a newer build migrated the database).
    public var unknown: [String]

    /// Whether this build can serve the database as it is.
    public var isCurrent: Bool { pending.isEmpty && edited.isEmpty }
}

/// Applies forward-only migrations and records each with its checksum in `schema_migrations`.
///
/// Each file runs in its own transaction, which first takes a lock (an advisory lock on
/// PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and then re-reads what is applied, so two
/// processes migrating at once apply each file exactly once.
public struct MigrationRunner: Sendable {
    public let database: any Database
    public let migrations: [Migration]
    let logger: Logger

    /// An arbitrary constant naming this application's migration lock.
    static let advisoryLockKey: Int64 = 0x4578_7065_6e73_65

    public init(database: any Database, migrations: [Migration], logger: Logger) {
        self.database = database
        self.migrations = migrations
        self.logger = logger
    }

    /// A runner over the files shipped with this build.
    public init(database: any Database, logger: Logger) throws {
        self.init(database: database, migrations: try Migration.bundled(for: database.dialect), logger: logger)
    }

    /// Applies every pending migration; returns the names applied (empty when there were none).
    @discardableResult
    public func migrate() async throws -> [String] {
        var applied: [String] = []
        while let name = try await applyNext() {
            logger.info("migration applied", metadata: ["migration": "\(name)"])
            applied.append(name)
        }
        return applied
    }

    /// Compares the database with the shipped files without changing anything.
    public func status() async throws -> MigrationStatus {
        let migrations = self.migrations
        return try await database.transaction(.system) { tx in
            let recorded = try await Self.recorded(tx, createTable: false)
            return Self.compare(migrations, with: recorded)
        }
    }

    private func applyNext() async throws -> String? {
        let migrations = self.migrations
        return try await database.transaction(.system) { tx in
            if tx.dialect == .postgres {
                try await tx.execute("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))")
            }
            let recorded = try await Self.recorded(tx, createTable: true)
            let status = Self.compare(migrations, with: recorded)
            guard status.edited.isEmpty else { throw StoreError.migrationEdited(names: status.edited) }
            guard let name = status.pending.first, let migration = migrations.first(where: { $0.name == name }) else {
                return nil
            }
            for part in try MigrationSteps.parts(of: migration) {
                switch part {
                case .sql(let text):
                    for statement in SQLStatementSplitter.split(text) {
                        try await tx.execute(SQL(stringLiteral: statement))
                    }
                case .step(let step):
                    try await step(tx)
                }
            }
            try await tx.execute(
                """
                INSERT INTO schema_migrations (name, checksum, applied_at)
                VALUES (\(migration.name), \(migration.checksum), \(Date()))
                """
            )
            return name
        }
    }

    static func compare(_ migrations: [Migration], with recorded: [String: String]) -> MigrationStatus {
        let known = Set(migrations.map(\.name))
        return MigrationStatus(
            pending: migrations.filter { recorded[$0.name] == nil }.map(\.name),
            edited: migrations.filter { migration in
                recorded[migration.name].map { $0 != migration.checksum } ?? false
            }.map(\.name),
            unknown: recorded.keys.filter { !known.contains($0) }.sorted()
        )
    }

    /// Applied migration names and checksums; empty when the table does not exist yet.
    static func recorded(_ tx: any SQLExecutor, createTable: Bool) async throws -> [String: String] {
        if createTable {
            let timestampType = tx.dialect == .postgres ? "TIMESTAMPTZ" : "TEXT"
            try await tx.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY,
                    checksum TEXT NOT NULL,
                    applied_at \(unsafeRaw: timestampType) NOT NULL
                )
                """
            )
        } else if try await !tableExists(tx, "schema_migrations") {
            return [:]
        }
        var result: [String: String] = [:]
        for row in try await tx.query("SELECT name, checksum FROM schema_migrations") {
            result[try row.decode("name")] = try row.decode("checksum")
        }
        return result
    }

    static func tableExists(_ tx: any SQLExecutor, _ table: String) async throws -> Bool {
        switch tx.dialect {
        case .postgres:
            return try await tx.first("SELECT to_regclass(\(table))::text AS name")?.decode("name", as: String?.self)
                != nil
        case .sqlite:
            return try await tx.first("SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(table)") != nil
        }
    }
}
