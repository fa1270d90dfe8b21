import ExpenseStore
import Logging
import Prometheus
import ServiceLifecycle

/// Measures, every `interval`, how stale the standby is, for `ReadReplica` to route by and for
/// `/metrics` (`database_standby_lag_seconds`, `database_standby_lag_bytes`,
/// `database_standby_up`), over the replica's own probe connections.
///
/// Staleness is measured as what a reader can miss: the standby's replayed log position is
/// compared with the primary's positions at earlier measurements, and the lag is the time since
/// the newest one it has reached. So an idle primary shows no lag (nothing is missing), and a
/// standby that stopped receiving shows a lag that grows from the first write it missed.
///
/// A standby is read only once it is shown to be one (in recovery: not a promoted copy or
/// another primary, whose rows could differ in any way) and to connect as a role row-level
/// security binds, like the primary's.
struct ReplicaMonitor: Service {
    let replica: ReadReplica
    var interval: Duration = .seconds(1)
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    enum Refusal: Error, CustomStringConvertible {
        case notAStandby
        case unsafeRole(String)
        case unmeasurable

        var description: String {
            switch self {
            case .notAStandby: "DATABASE_READ_URL is not a standby (the server is not in recovery)"
            case .unsafeRole(let name):
                "DATABASE_READ_URL connects as \(name), a role row-level security does not bind"
            case .unmeasurable: "no log position to compare"
            }
        }
    }

    func run() async throws {
        let seconds = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_lag", unitName: "seconds",
                helpText: "How old the newest data the standby has replayed may be (NaN: unknown)."))
        let bytes = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_lag", unitName: "bytes",
                helpText: "Write-ahead log the primary has written that the standby has not replayed (NaN: unknown)."))
        let up = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "database_standby_up", unitName: "",
                helpText: "1 while the standby is read from; 0 while reads go to the primary."))
        var history = StandbyLag()
        var problem: String? = nil
        var roleChecked = false
        let clock = ContinuousClock()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                if !roleChecked {
                    if let role = try await replica.probes.standby.connectedRole(), !role.isBoundByRowSecurity {
                        throw Refusal.unsafeRole(role.name)
                    }
                    roleChecked = true
                }
                let written = try await replica.probes.primary.logPosition()
                let replayed = try await replica.probes.standby.logPosition()
                guard let written, let replayed else { throw Refusal.unmeasurable }
                if replica.requiresRecovery, !replayed.inRecovery { throw Refusal.notAStandby }
                let lag = history.measure(written: written.position, replayed: replayed.position, at: clock.now)
                replica.record(lag: lag.isLowerBound ? nil : lag.duration)
                seconds.set(lag.duration / .seconds(1))
                bytes.set(Double(written.position.bytes(after: replayed.position)) as Double)
                up.set(replica.isCurrent ? 1.0 : 0.0)
                if problem != nil { logger.notice("standby measured again; reading it when current") }
                problem = nil
            } catch {
                replica.record(lag: nil)
                seconds.set(Double.nan)
                bytes.set(Double.nan)
                up.set(0.0)
                let text = "\(error)"
                if problem != text {
                    logger.warning("standby not read; reading the primary", metadata: ["reason": .string(text)])
                }
                problem = text
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

    struct Lag: Equatable {
        var duration: Duration
        /// The standby is behind every position kept (just started, say): it is at least this
        /// stale, and how much more is unknown.
        var isLowerBound: Bool
    }

    mutating func measure(written: WALPosition, replayed: WALPosition, at now: ContinuousClock.Instant) -> Lag {
        samples.append((now, written))
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
        guard let reached = samples.lastIndex(where: { $0.position <= replayed }) else {
            return Lag(duration: now - samples[0].at, isLowerBound: true)
        }
        samples.removeFirst(reached)
        return Lag(duration: now - samples[0].at, isLowerBound: false)
    }
}
