import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging
import Prometheus

/// The outside world the application talks to, and where time, ids and secrets come from: the
/// one place they are chosen, injected so tests can supply their own.
public struct AppDependencies: Sendable {
    public var database: any Database
    /// Where the outbound mail worker delivers.
    public var mailTransport: any MailTransport
    public var logger: Logger
    public var clock: AppClock
    public var ids: IDGenerator
    public var tokens: TokenGenerator
    public var rateLimits: RateLimits
    /// Where this process's metrics are kept; `GET /metrics` shows them in Prometheus's format.
    public var metrics: PrometheusCollectorRegistry
    /// The bound on password hashes waiting for a thread.
    public var hashing: HashingQueue
    /// The hot standby reports, exports and lists read from (`DATABASE_READ_URL`), if any.
    public var readReplica: ReadReplica? = nil
    /// Set on SIGTERM while the server leaves the load balancer's rotation.
    public var draining = Draining()

    public init(
        database: any Database, mailTransport: any MailTransport, logger: Logger, clock: AppClock,
        ids: IDGenerator, tokens: TokenGenerator, rateLimits: RateLimits = RateLimits(),
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), hashing: HashingQueue = HashingQueue()
    ) {
        self.database = database
        self.mailTransport = mailTransport
        self.logger = logger
        self.clock = clock
        self.ids = ids
        self.tokens = tokens
        self.rateLimits = rateLimits
        self.metrics = metrics
        self.hashing = hashing
    }
}

extension AppDependencies {
    /// Opens the database the configuration names (nothing is connected until it runs) and
    /// chooses the mail transport it names. A
    /// long-running process (`serve`, `worker`) keeps its whole PostgreSQL pool open; a one-shot
    /// command opens connections only as it needs them.
    public static func live(config: AppConfig, logger: Logger, longRunning: Bool = true) async throws
        -> AppDependencies
    {
        let database: any Database
        switch config.database {
        case .sqlite(let path):
            database = try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            database = try PostgresDatabase(
                url: url, connections: config.databaseMaxConnections, keepOpen: longRunning,
                leaseTimeout: .seconds(config.databasePoolTimeoutSeconds), logger: logger)
        }
        var limits = RateLimits()
        limits.organizationsPerAccount.limit = config.organizationsPerDay
        let transport: any MailTransport =
            switch config.mail {
            case .smtp(let settings): SMTPTransport(settings: settings, logger: logger)
            case .files: FileTransport(directory: URL(fileURLWithPath: config.mailDirectory), logger: logger)
            }
        return AppDependencies(
            database: database, mailTransport: transport, logger: logger, clock: .system, ids: .random,
            tokens: .secure, rateLimits: limits)
    }
}
