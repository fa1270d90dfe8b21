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
    public let standby: PostgresDatabase
    public let store: Store
    /// The staleness a reader may be shown, at most.
    public let maxLag: Duration
    private let lag = Mutex<Duration?>(nil)
    private let reads: Counter
    private let fallbacks: Counter

    public init(standby: PostgresDatabase, maxLag: Duration, registry: PrometheusCollectorRegistry) {
        self.standby = standby
        self.store = Store(database: standby)
        self.maxLag = maxLag
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
        guard let url = config.databaseReadURL else { return nil }
        let standby = try PostgresDatabase(
            url: url, connections: config.databaseMaxConnections,
            leaseTimeout: .seconds(config.databasePoolTimeoutSeconds), standby: true, logger: logger)
        return ReadReplica(standby: standby, maxLag: .seconds(config.databaseReadMaxLagSeconds), registry: registry)
    }

    /// How far behind the primary the standby was at the last measurement; nil when it could
    /// not be measured (the standby or the primary unreachable).
    public var currentLag: Duration? { lag.withLock { $0 } }

    /// Records a measurement (nil: none could be made).
    public func record(lag measured: Duration?) {
        lag.withLock { $0 = measured }
    }

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
