import CoreMetrics
import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

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

    /// `serve`: checks the database, then serves HTTP until SIGINT or SIGTERM. On either signal
    /// the server stops accepting connections, finishes the requests under way (closing idle
    /// keep-alive connections), then the mail worker finishes its sends under way and hands its
    /// other claims back, and the pool closes, in that order; whatever is still running after
    /// `SHUTDOWN_GRACE_SECONDS` is cancelled (see `limitShutdown`).
    public static func serve(config: AppConfig, options: ServeOptions) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        var dependencies = try await AppDependencies.live(config: config, logger: logger)
        dependencies.readReplica = try ReadReplica.live(
            config: config, registry: dependencies.metrics, logger: logger)
        // Everything that reports through swift-metrics (the HTTP middleware, libraries) lands in
        // the registry `/metrics` shows.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: dependencies.metrics))
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
        let drain = DrainBeforeShutdown(
            draining: dependencies.draining, delay: .seconds(config.shutdownDrainSeconds))
        try await ServiceGroup(
            configuration: shutdownConfiguration(
                services: config.shutdownDrainSeconds > 0 ? [app, drain] : [app], config: config,
                drain: .seconds(config.shutdownDrainSeconds), logger: logger)
        ).run()
    }

    /// Services run until SIGTERM or SIGINT, then shut down gracefully, the last first: the
    /// drain delay, then the grace period, before being cancelled.
    static func shutdownConfiguration(
        services: [any Service], config: AppConfig, drain: Duration = .zero, logger: Logger
    ) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        limitShutdown(&configuration, config: config, drain: drain)
        return configuration
    }

    /// The grace period (counted from the signal, so after a drain delay), then cancellation; a
    /// process whose work does not end when cancelled (a statement the database driver never
    /// answers) aborts after `cancellationLimit` rather than staying up half-stopped.
    static func limitShutdown(
        _ configuration: inout ServiceGroupConfiguration, config: AppConfig, drain: Duration = .zero
    ) {
        configuration.maximumGracefulShutdownDuration = .seconds(config.shutdownGraceSeconds) + drain
        configuration.maximumCancellationDuration = cancellationLimit
    }

    static let cancellationLimit = Duration.seconds(5)

    /// `worker`: sends queued mail and webhooks and writes due recurring expenses until SIGINT or SIGTERM, then
    /// finishes the sends under way and
    /// hands its other claims back (cancelled after `SHUTDOWN_GRACE_SECONDS`).
    public static func worker(config: AppConfig) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        let dependencies = try await AppDependencies.live(config: config, logger: logger)
        let worker = Concurrently(
            first: try makeMailWorker(config: config, dependencies: dependencies),
            second: Concurrently(
                first: makeRecurringWorker(config: config, dependencies: dependencies),
                second: try makeWebhookWorker(config: config, dependencies: dependencies)))
        let preflight = DatabasePreflight(database: dependencies.database, logger: logger)
        let policy: DatabasePreflight.SchemaPolicy = config.usesEmbeddedDatabase ? .migrate : .requireCurrent
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: dependencies.database),
                .init(service: PreflightThen(preflight: preflight, policy: policy, next: worker)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        limitShutdown(&configuration, config: config)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// `mail status` and `mail retry-dead`: the outbox by state, and sending dead messages again
    /// (one-time links re-issued, see `DeadMailRecovery`).
    public static func mail(config: AppConfig, retryDead: Bool) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        let counts = try await withDatabase(config: config, schema: .requireCurrent, logger: logger) { dependencies in
            let store = Store(database: dependencies.database)
            if retryDead {
                _ = try await DeadMailRecovery(
                    store: store, settings: AccountSettings(config: config), clock: dependencies.clock,
                    ids: dependencies.ids, tokens: dependencies.tokens, logger: logger
                ).retryAll()
            }
            return try await store.withSystem { tx in try await store.outbox.counts(tx) }
        }
        var metadata: Logger.Metadata = [:]
        for state in OutboxStatus.allCases {
            metadata[state.rawValue] = "\(counts[state] ?? 0)"
        }
        logger.notice("outbox", metadata: metadata)
    }

    /// `dev seed`: writes generated organizations and expenses; prints the organization ids,
    /// one per line, on standard output.
    public static func seed(config: AppConfig, options: DataSeeder.Options) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        let policy: DatabasePreflight.SchemaPolicy = config.usesEmbeddedDatabase ? .migrate : .requireCurrent
        let result = try await withDatabase(config: config, schema: policy, logger: logger) { dependencies in
            let seeder = DataSeeder(
                store: Store(database: dependencies.database), hasher: PasswordHasher(cost: config.bcryptCost),
                ids: dependencies.ids, logger: logger)
            return try await seeder.seed(options)
        }
        logger.notice(
            "seeded",
            metadata: [
                "organizations": "\(result.organizations.count)", "expenses": "\(result.expenses)",
                "seconds": "\(String(format: "%.1f", result.seconds))",
                "rows_per_second": "\(Int(Double(result.expenses) / max(result.seconds, 0.001)))",
                "owner_id": "\(result.ownerID)",
            ])
        let ids = result.organizations.map(\.description).joined(separator: "\n")
        FileHandle.standardOutput.write(Data((ids.isEmpty ? "" : ids + "\n").utf8))
    }

    /// `migrate`: applies pending migrations and returns.
    public static func migrate(config: AppConfig) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        try await withDatabase(config: config, schema: nil, logger: logger) { dependencies in
            let database = dependencies.database
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
    }

    /// Runs `body` with the configured dependencies for a one-shot command: the database runs
    /// beside it, is checked against `schema` first (unless nil), and is closed afterwards,
    /// whether `body` succeeded or not.
    static func withDatabase<T: Sendable>(
        config: AppConfig, schema: DatabasePreflight.SchemaPolicy?, logger: Logger,
        _ body: @Sendable (AppDependencies) async throws -> T
    ) async throws -> T {
        let dependencies = try await AppDependencies.live(config: config, logger: logger, longRunning: false)
        let database = dependencies.database
        let result: Result<T, any Error>
        do {
            result = .success(
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await database.run() }
                    defer { group.cancelAll() }
                    if let schema {
                        try await DatabasePreflight(database: database, logger: logger).run(schema: schema)
                    }
                    return try await body(dependencies)
                })
        } catch {
            result = .failure(error)
        }
        try await database.close()
        return try result.get()
    }
}

/// Checks the database, then runs `next`: the worker must not start on a schema it does not know.
struct PreflightThen<Next: Service>: Service {
    let preflight: DatabasePreflight
    let policy: DatabasePreflight.SchemaPolicy
    let next: Next

    func run() async throws {
        try await preflight.run(schema: policy)
        try await next.run()
    }
}

/// Runs two services side by side until both end (a shutdown reaches both).
struct Concurrently<First: Service, Second: Service>: Service {
    let first: First
    let second: Second

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            group.addTask { try await second.run() }
            try await group.waitForAll()
        }
    }
}

/// Runs `next` once `gate` opens; cancellation (the group shutting down) ends the wait.
struct AfterGate<Next: Service>: Service {
    let gate: AsyncGate
    let next: Next

    func run() async throws {
        do {
            try await gate.wait()
        } catch is CancellationError {
            return
        }
        try await next.run()
    }
}
