import ExpenseCore
import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import Synchronization

/// A hot standby that reports, CSV exports and expense lists read from (`DATABASE_READ_URL`).
///
/// Sign-in, the role check and every write stay on the primary: a revoked token or a removed
/// member is refused at once whatever the standby has replayed. A read goes to the standby only
/// when all of these hold, and to the primary otherwise:
/// - the request is a GET or HEAD;
/// - the standby holds everything the primary held `maxLag` ago (`ReplicaMonitor` measures it
///   every second; an unreachable standby counts as behind);
/// - the caller did not ask for the primary: `Cache-Control: no-cache` on the request, or the
///   cookie a browser gets for `maxLag` after any change it made (`ReadYourWrites`), so the
///   list after "Save" always shows what was saved.
public final class ReadReplica: Sendable {
    /// The pool reads go through.
    public let standby: PostgresDatabase
    public let store: Store
    /// One connection to each server for `ReplicaMonitor` alone, so a measurement never waits
    /// behind requests for a pooled connection (a busy pool would otherwise read as a standby
    /// that is down, and send every read to the already busy primary).
    let probes: (primary: PostgresDatabase, standby: PostgresDatabase)
    /// The staleness a reader may be shown, at most.
    public let maxLag: Duration
    /// Whether the standby must be one (in recovery). Only tests read a second pool on the
    /// primary itself as their "standby".
    let requiresRecovery: Bool
    private let measurement = Mutex<(lag: Duration, at: ContinuousClock.Instant)?>(nil)
    private let reads: Counter
    private let fallbacks: Counter

    /// A standby at `standbyURL` of the primary at `primaryURL`: the read pool of
    /// `connections`, and the monitor's two single connections.
    public init(
        primaryURL: String, standbyURL: String, connections: Int, leaseTimeout: Duration, maxLag: Duration,
        registry: PrometheusCollectorRegistry, requiresRecovery: Bool = true, logger: Logger
    ) throws {
        self.standby = try PostgresDatabase(
            url: standbyURL, connections: connections, leaseTimeout: leaseTimeout, standby: true, logger: logger)
        self.probes = (
            primary: try PostgresDatabase(url: primaryURL, connections: 1, leaseTimeout: .seconds(2), logger: logger),
            standby: try PostgresDatabase(
                url: standbyURL, connections: 1, leaseTimeout: .seconds(2), standby: true, logger: logger)
        )
        self.store = Store(database: standby)
        self.maxLag = maxLag
        self.requiresRecovery = requiresRecovery
        reads = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_reads", unitName: "total",
                helpText: "Report, export and list reads the standby answered."))
        fallbacks = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_fallbacks", unitName: "total",
                helpText: "Reads sent to the standby that the primary answered instead."))
    }

    /// The standby of `DATABASE_READ_URL`, or nil when it is unset.
    static func live(config: AppConfig, registry: PrometheusCollectorRegistry, logger: Logger) throws
        -> ReadReplica?
    {
        guard let url = config.databaseReadURL, case .postgres(let primaryURL) = config.database else { return nil }
        return try ReadReplica(
            primaryURL: primaryURL, standbyURL: url, connections: config.databaseMaxConnections,
            leaseTimeout: .seconds(config.databasePoolTimeoutSeconds),
            maxLag: .seconds(config.databaseReadMaxLagSeconds), registry: registry, logger: logger)
    }

    /// The databases to run as services beside the primary: the read pool and the probes.
    var databases: [PostgresDatabase] { [standby, probes.primary, probes.standby] }

    /// How far behind the primary the standby is now, at least: the last measurement plus the
    /// time since it was made. Nil when the last attempt measured nothing (the standby or the
    /// primary unreachable, or the standby behind every position measured so far).
    public var currentLag: Duration? {
        measurement.withLock { $0 }.map { $0.lag + (ContinuousClock.now - $0.at) }
    }

    /// Records a measurement made now (nil: none could be made).
    public func record(lag measured: Duration?) {
        let now = ContinuousClock.now
        measurement.withLock { $0 = measured.map { (lag: $0, at: now) } }
    }

    /// Whether reads may go to the standby: a measurement that, aged by the time since it was
    /// made, is still within `maxLag` (a monitor that stalled lets it age out).
    public var isCurrent: Bool {
        guard let current = currentLag else { return false }
        return current <= maxLag
    }

    /// The standby for this request, or nil when it must read the primary (see the type's rules).
    func forRequest(_ request: Request) -> ReadReplica? {
        guard request.method == .get || request.method == .head, isCurrent else { return nil }
        if let cacheControl = request.headers[.cacheControl], cacheControl.lowercased().contains("no-cache") {
            return nil
        }
        if request.cookies[ReadYourWrites.cookieName] != nil { return nil }
        return self
    }

    /// Runs `body` in a read-only transaction of `tenant` on the standby. When the standby
    /// cannot serve it (unreachable, or a read it cancelled to replay the log), `fallback`
    /// reads the primary instead, and the standby counts as behind until it is measured again.
    func read<T: Sendable>(
        _ tenant: TenantID, actor: UserID, _ body: (TenantTransaction) async throws -> T,
        fallback: () async throws -> T
    ) async throws -> T {
        do {
            let result = try await store.withTenant(tenant, actor: actor, body)
            reads.increment()
            return result
        } catch let error as StoreError where error.isStandbyFailure {
            record(lag: nil)
            fallbacks.increment()
            return try await fallback()
        }
    }
}

extension StoreError {
    /// Failures of the standby itself rather than of the read: the primary can answer instead.
    var isStandbyFailure: Bool {
        switch self {
        case .unavailable, .retryable: true
        default: false
        }
    }
}
