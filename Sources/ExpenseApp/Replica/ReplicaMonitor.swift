import ExpenseStore
import Logging
import Prometheus
import ServiceLifecycle

/// Measures, every `interval`, how stale the standby is, for `ReadReplica` to route by and for
/// `/metrics` (`database_standby_lag_seconds`, `database_standby_lag_bytes`,
/// `database_standby_up`).
///
/// Staleness is measured as what a reader can miss: the standby's replayed log position is
/// compared with the primary's positions at earlier measurements, and the lag is the time since
/// the newest one it has reached. So an idle primary shows no lag (nothing is missing), and a
/// standby that stopped receiving shows a lag that grows from the first write it missed.
struct ReplicaMonitor: Service {
    let primary: PostgresDatabase
    let replica: ReadReplica
    var interval: Duration = .seconds(1)
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    func run() async throws {
        let seconds = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_lag", unitName: "seconds",
                helpText: "How old the newest data the standby has replayed may be (NaN: unreachable)."))
        let bytes = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_lag", unitName: "bytes",
                helpText: "Write-ahead log the primary has written that the standby has not replayed."))
        let up = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_up", unitName: "",
                helpText: "1 while the standby answers and is read from; 0 otherwise."))
        var history = StandbyLag()
        var wasReachable = true
        let clock = ContinuousClock()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let written = try await primary.walPosition()
                let replayed = try await replica.standby.walPosition()
                guard let written, let replayed else { throw StoreError.unavailable(reason: "no log position") }
                let lag = history.measure(written: written, replayed: replayed, at: clock.now)
                replica.record(lag: lag)
                let lagSeconds = Double(lag.components.seconds) + Double(lag.components.attoseconds) / 1e18
                seconds.set(lagSeconds)
                bytes.set(Double(written.bytes(after: replayed)) as Double)
                up.set(replica.isCurrent ? 1.0 : 0.0)
                if !wasReachable { logger.notice("standby reachable again") }
                wasReachable = true
            } catch {
                replica.record(lag: nil)
                seconds.set(Double.nan)
                up.set(0.0)
                if wasReachable {
                    logger.warning("standby unreachable; reading the primary", metadata: ["error": "\(error)"])
                }
                wasReachable = false
            }
            try? await Task.sleep(for: interval)
        }
    }
}

/// The primary's log positions at past measurements, to turn a standby's replayed position
/// into a time: the lag is the time since the newest measurement whose position the standby
/// has reached (zero when it has reached the latest).
struct StandbyLag {
    private var samples: [(at: ContinuousClock.Instant, position: WALPosition)] = []
    /// An hour of measurements a second apart is plenty to say "too far behind".
    let capacity = 3_600

    mutating func measure(written: WALPosition, replayed: WALPosition, at now: ContinuousClock.Instant)
        -> Duration
    {
        samples.append((now, written))
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
        guard let reached = samples.lastIndex(where: { $0.position <= replayed }) else {
            // Behind every measurement kept: at least as old as the oldest.
            return now - samples[0].at
        }
        samples.removeFirst(reached)
        return now - samples[0].at
    }
}
