import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// The migration runner, on SQLite and on a real PostgreSQL.
@Suite struct MigrationTests {
    let logger = TestDatabases.logger

    @Test(arguments: TestBackend.available)
    func appliesEveryShippedMigrationThenIsANoOp(_ backend: TestBackend) async throws {
        let database = try await TestDatabases.make(backend)
        try await withRunning(database) { database in
            let runner = try MigrationRunner(database: database, logger: logger)
            #expect(try await runner.status().pending == runner.migrations.map(\.name))

            let first = try await runner.migrate()
            #expect(first == runner.migrations.map(\.name))
            #expect(!first.isEmpty)

            let second = try await runner.migrate()
            #expect(second.isEmpty)
            let status = try await runner.status()
            #expect(status.isCurrent)
            #expect(status.unknown.isEmpty)

            let recorded = try await database.transaction(.system) { tx in
                try await tx.query("SELECT name, checksum FROM schema_migrations ORDER BY name")
                    .map { try ($0.decode("name", as: String.self), $0.decode("checksum", as: String.self)) }
            }
            #expect(recorded.map(\.0) == runner.migrations.map(\.name))
            #expect(recorded.map(\.1) == runner.migrations.map(\.checksum))
        }
    }

    @Test(arguments: TestBackend.available)
    func refusesToRunWhenAnAppliedFileWasEdited(_ backend: TestBackend) async throws {
        let database = try await TestDatabases.make(backend)
        try await withRunning(database) { database in
            let original = [Migration(name: "0001_a", sql: "CREATE TABLE a (x INTEGER);")]
            try await MigrationRunner(database: database, migrations: original, logger: logger).migrate()

            let edited = [
                Migration(name: "0001_a", sql: "CREATE TABLE a (x INTEGER, y INTEGER);"),
                Migration(name: "0002_b", sql: "CREATE TABLE b (x INTEGER);"),
            ]
            let runner = MigrationRunner(database: database, migrations: edited, logger: logger)
            await #expect(throws: StoreError.migrationEdited(names: ["0001_a"])) {
                try await runner.migrate()
            }
            #expect(try await runner.status().edited == ["0001_a"])
            // Nothing after the edited file ran.
            let hasB = try await database.transaction(.system) { tx in
                try await tx.query("SELECT name FROM schema_migrations WHERE name = '0002_b'").count
            }
            #expect(hasB == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailingMigrationLeavesNothingHalfApplied(_ backend: TestBackend) async throws {
        let database = try await TestDatabases.make(backend)
        try await withRunning(database) { database in
            let migrations = [
                Migration(name: "0001_ok", sql: "CREATE TABLE ok (x INTEGER);"),
                Migration(name: "0002_broken", sql: "CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;"),
            ]
            let runner = MigrationRunner(database: database, migrations: migrations, logger: logger)
            await #expect(throws: (any Error).self) { try await runner.migrate() }
            let status = try await runner.status()
            #expect(status.pending == ["0002_broken"])
            let halfExists = try await database.transaction(.system) { tx in
                switch tx.dialect {
                case .postgres:
                    try await tx.first("SELECT to_regclass('half')::text AS t")?.decode("t", as: String?.self) != nil
                case .sqlite: try await tx.first("SELECT name FROM sqlite_master WHERE name = 'half'") != nil
                }
            }
            #expect(!halfExists)
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentRunnersApplyEachMigrationOnce(_ backend: TestBackend) async throws {
        let url = try await TestDatabases.makeURL(backend)
        // Separate database objects stand in for separate processes: separate connections.
        let databases = [
            try await TestDatabases.open(url: url), try await TestDatabases.open(url: url),
            try await TestDatabases.open(url: url),
        ]
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for database in databases {
                group.addTask {
                    try await withRunning(database) { database in
                        try await MigrationRunner(database: database, logger: TestDatabases.logger).migrate()
                    }
                }
            }
            var all: [String] = []
            for try await names in group { all += names }
            return all
        }
        let shipped = try Migration.bundled(for: databases[0].dialect).map(\.name)
        #expect(applied.sorted() == shipped.sorted())
        // A new connection, as another process would open afterwards.
        try await withRunning(try await TestDatabases.open(url: url)) { database in
            let count = try await database.transaction(.system) { tx in
                try await tx.first("SELECT COUNT(*) AS n FROM schema_migrations")!.decode("n", as: Int.self)
            }
            #expect(count == shipped.count)
        }
    }

    @Test func bothDialectsShipTheSameMigrations() throws {
        let postgres = try Migration.bundled(for: .postgres).map(\.name)
        let sqlite = try Migration.bundled(for: .sqlite).map(\.name)
        #expect(postgres == sqlite)
        #expect(postgres.first == "0001_initial")
    }
}
