import ExpenseStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import ExpenseApp

/// How far behind a standby is, read from log positions, and which requests may read it.
struct StandbyLagTests {
    @Test func logPositionsReadTheirTextForm() {
        #expect(WALPosition("0/0")?.offset == 0)
        #expect(WALPosition("16/B374D848")?.offset == 0x16_B374_D848)
        #expect(WALPosition("FFFFFFFF/FFFFFFFF")?.offset == UInt64.max)
        for bad in ["", "16", "16/", "/1", "G/1", "1/2/3", "123456789/0"] {
            #expect(WALPosition(bad) == nil, "\(bad)")
        }
        #expect(WALPosition("0/20")!.bytes(after: WALPosition("0/8")!) == 0x18)
        #expect(WALPosition("0/8")!.bytes(after: WALPosition("0/20")!) == 0)
    }

    @Test func theLagIsTheTimeSinceTheNewestPositionTheStandbyHasReached() {
        var lag = StandbyLag()
        let start = ContinuousClock.now
        let at = { (seconds: Int) in start + .seconds(seconds) }
        func known(_ duration: Duration) -> StandbyLag.Lag { .init(duration: duration, isLowerBound: false) }
        // Caught up: nothing is missing.
        #expect(lag.measure(written: .init(offset: 100), replayed: .init(offset: 100), at: at(0)) == known(.zero))
        // The primary writes on; the standby stays at 100, which the primary held at second 0.
        #expect(lag.measure(written: .init(offset: 200), replayed: .init(offset: 100), at: at(1)) == known(.seconds(1)))
        #expect(lag.measure(written: .init(offset: 300), replayed: .init(offset: 100), at: at(2)) == known(.seconds(2)))
        // It replays what the primary had at second 1: at second 3, two seconds behind.
        #expect(lag.measure(written: .init(offset: 300), replayed: .init(offset: 200), at: at(3)) == known(.seconds(2)))
        // An idle primary that the standby has caught up with shows no lag however long it idles.
        #expect(lag.measure(written: .init(offset: 300), replayed: .init(offset: 300), at: at(60)) == known(.zero))
        // Behind everything measured (a standby hours behind when the server starts): only a
        // lower bound is known, and it is never taken for "current".
        var fresh = StandbyLag()
        #expect(
            fresh.measure(written: .init(offset: 900), replayed: .init(offset: 10), at: at(0))
                == .init(duration: .zero, isLowerBound: true))
        #expect(
            fresh.measure(written: .init(offset: 950), replayed: .init(offset: 10), at: at(4))
                == .init(duration: .seconds(4), isLowerBound: true))
    }

    @Test func onlyReadsOfCallersWhoDidNotAskForThePrimaryGoToACurrentStandby() async throws {
        let url = "postgres://app@127.0.0.1:1/none"
        let replica = try ReadReplica(
            primaryURL: url, standbyURL: url, connections: 1, leaseTimeout: .seconds(1), maxLag: .seconds(5),
            registry: PrometheusCollectorRegistry(), logger: .init(label: "t"))
        func request(_ method: HTTPRequest.Method, _ headers: HTTPFields = [:]) -> Request {
            Request(
                head: HTTPRequest(method: method, scheme: "http", authority: "x", path: "/", headerFields: headers),
                body: .init(buffer: .init()))
        }
        // Never measured: not current.
        #expect(replica.forRequest(request(.get)) == nil)
        replica.record(lag: .seconds(1))
        #expect(replica.forRequest(request(.get)) === replica)
        #expect(replica.forRequest(request(.head)) === replica)
        #expect(replica.forRequest(request(.post)) == nil)
        #expect(replica.forRequest(request(.get, [.cacheControl: "no-cache"])) == nil)
        #expect(replica.forRequest(request(.get, [.cookie: "read_primary=1"])) == nil)
        replica.record(lag: .seconds(6))
        #expect(replica.forRequest(request(.get)) == nil)
        // A measurement ages: 4.99 s behind when measured is over the limit a moment later.
        replica.record(lag: .milliseconds(4_990))
        try await Task.sleep(for: .milliseconds(50))
        #expect(!replica.isCurrent)
        replica.record(lag: nil)
        #expect(replica.forRequest(request(.get)) == nil)
    }
}
