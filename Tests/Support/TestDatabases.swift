import ExpenseStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// A storage backend a shared test runs against.
public enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// SQLite always; PostgreSQL when the test command started a cluster (`TEST_DATABASE_URL`),
    /// or when it is required (`EXPENSE_TRACKER_REQUIRE_POSTGRES=1`), so that a missing
    /// cluster fails the run instead of skipping it.
    public static var available: [TestBackend] {
        TestDatabases.postgresAdminURL != nil || TestDatabases.postgresRequired ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// Fresh, empty databases for tests: a temporary SQLite file, or a new database in the test
/// PostgreSQL cluster, owned by the ordinary (non-superuser, non-BYPASSRLS) role the test
/// command created.
public enum TestDatabases {
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }()

    static let environment = ProcessInfo.processInfo.environment

    /// `postgres://owner@127.0.0.1:PORT/postgres`, as the test command exports it.
    public static var postgresAdminURL: String? { environment["TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// A superuser URL on the same cluster, for the tests that prove superusers are refused.
    public static var postgresSuperuserURL: String? {
        environment["TEST_SUPERUSER_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var postgresRequired: Bool { environment["EXPENSE_TRACKER_REQUIRE_POSTGRES"] == "1" }

    public struct MissingPostgres: Error, CustomStringConvertible {
        public var description: String {
            "TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a PostgreSQL cluster"
        }
    }

    /// A URL (sqlite:// or postgres://) of a new empty database.
    public static func makeURL(_ backend: TestBackend) async throws -> String {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("expense-tracker-tests-\(UUID().uuidString.lowercased())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return "sqlite://" + directory.appendingPathComponent("test.sqlite").path
        case .postgres:
            guard let admin = postgresAdminURL else { throw MissingPostgres() }
            let name = "et_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try await adminExecute(admin, "CREATE DATABASE \(name)")
            var components = URLComponents(string: admin)!
            components.path = "/" + name
            return components.string!
        }
    }

    /// Opens a new empty database of the backend, not yet migrated.
    public static func make(_ backend: TestBackend, maxConnections: Int = 8) async throws -> any Database {
        try await open(url: try await makeURL(backend), maxConnections: maxConnections)
    }

    /// Tests wait up to thirty seconds for a connection (the server's default is five): the
    /// whole suite runs at once on two cores, and a connection can take seconds to open then.
    /// Tests of the timeout itself pass their own.
    public static func open(
        url: String, maxConnections: Int = 8, leaseTimeout: Duration = .seconds(30)
    ) async throws -> any Database {
        if url.hasPrefix("sqlite://") {
            return try await SQLiteDatabase.open(path: String(url.dropFirst("sqlite://".count)), logger: logger)
        }
        return try PostgresDatabase(
            url: url, connections: maxConnections, keepOpen: false, leaseTimeout: leaseTimeout, logger: logger)
    }

    /// Runs a statement outside any transaction (CREATE DATABASE cannot run inside one).
    public static func adminExecute(_ url: String, _ statement: String) async throws {
        let components = URLComponents(string: url)!
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1",
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: String(components.path.dropFirst()),
            tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

/// Runs `body` while the database's service (the PostgreSQL pool) runs, then stops it.
public func withRunning<T: Sendable>(
    _ database: any Database,
    _ body: @Sendable (any Database) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await database.run() }
        defer { group.cancelAll() }
        return try await body(database)
    }
}

/// A fresh database of the backend, migrated, with its service running for `body`.
public func withMigratedDatabase<T: Sendable>(
    _ backend: TestBackend,
    maxConnections: Int = 8,
    _ body: @Sendable (any Database) async throws -> T
) async throws -> T {
    let database = try await TestDatabases.make(backend, maxConnections: maxConnections)
    return try await withRunning(database) { database in
        try await MigrationRunner(database: database, logger: TestDatabases.logger).migrate()
        return try await body(database)
    }
}
