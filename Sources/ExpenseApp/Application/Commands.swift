import ExpenseStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// What the executable's subcommands do; the executable itself only parses arguments.
public enum ExpenseTracker {
    public static let version = "0.1.0"

    /// Reads the configuration, or prints every problem with it and exits non-zero.
    public static func configuration(overrides: AppConfig.Overrides) async -> AppConfig {
        do {
            return try await AppConfig.load(overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("expense-tracker: \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
    }

    /// `serve`: checks the database, then serves HTTP until SIGINT or SIGTERM.
    public static func serve(config: AppConfig, options: ServeOptions) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        let dependencies = try await AppDependencies.live(config: config, logger: logger)
        let app = try await buildApplication(config: config, options: options, dependencies: dependencies)
        logger.info(
            "starting",
            metadata: [
                "version": .string(version),
                "database": .string(config.usesEmbeddedDatabase ? "sqlite" : "postgres"),
                "address": .string("\(config.httpHost):\(config.httpPort)"),
                "public_base_url": .string(config.publicBaseURL),
            ]
        )
        try await app.runService()
    }

    /// `migrate`: applies pending migrations and returns.
    public static func migrate(config: AppConfig) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        let database = try await AppDependencies.live(config: config, logger: logger).database
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            if let role = try await database.connectedRole(), !role.isBoundByRowSecurity {
                logger.warning(
                    "migrating as a role that row-level security does not bind; tables will belong to it",
                    metadata: ["role": .string(role.name)]
                )
            }
            let applied = try await MigrationRunner(database: database, logger: logger).migrate()
            logger.info(
                applied.isEmpty ? "schema is current; nothing to apply" : "migrations applied",
                metadata: ["count": .stringConvertible(applied.count)]
            )
        }
        if let sqlite = database as? SQLiteDatabase { try await sqlite.close() }
    }
}
