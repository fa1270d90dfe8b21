import Logging

/// Checks a database is fit to serve before the server takes traffic.
public struct DatabasePreflight: Sendable {
    /// What to do about pending migrations.
    public enum SchemaPolicy: Sendable {
        /// Apply them (the embedded default, or `serve --migrate`).
        case migrate
        /// Refuse to start while any is pending (PostgreSQL in production: run `migrate` first).
        case requireCurrent
    }

    public let database: any Database
    public let logger: Logger

    public init(database: any Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Refuses a role that row-level security would not bind, then applies or checks migrations.
    public func run(schema policy: SchemaPolicy) async throws {
        try await checkRole()
        let runner = try MigrationRunner(database: database, logger: logger)
        switch policy {
        case .migrate:
            try await runner.migrate()
        case .requireCurrent:
            let status = try await runner.status()
            if !status.edited.isEmpty { throw StoreError.migrationEdited(names: status.edited) }
            if !status.pending.isEmpty { throw StoreError.schemaBehind(pending: status.pending) }
            if !status.unknown.isEmpty {
                logger.warning(
                    "database has migrations this build does not know; a newer build migrated it",
                    metadata: ["migrations": "\(status.unknown.joined(separator: ","))"]
                )
            }
        }
    }

    /// Throws `StoreError.unsafeDatabaseRole` for a superuser or BYPASSRLS role.
    public func checkRole() async throws {
        guard let role = try await database.connectedRole(), !role.isBoundByRowSecurity else { return }
        let reason = role.isSuperuser ? "is a superuser" : "has BYPASSRLS"
        throw StoreError.unsafeDatabaseRole(
            """
            refusing to start: the PostgreSQL role "\(role.name)" \(reason), so row-level security \
            would not bind it and tenant isolation would rest on the application alone. Connect \
            as an ordinary role instead, for example (as a superuser):
              CREATE ROLE expense_tracker LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
              CREATE DATABASE expense_tracker OWNER expense_tracker;
            then set DATABASE_URL=postgres://expense_tracker:change-me@HOST:5432/expense_tracker \
            (README.md, "Running on PostgreSQL", also shows a separate role that owns nothing).
            """
        )
    }
}
