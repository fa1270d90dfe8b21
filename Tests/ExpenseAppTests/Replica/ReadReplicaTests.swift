import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Synchronization
import Testing

@testable import ExpenseApp

/// Reads through a server with a standby (`DATABASE_READ_URL`), on PostgreSQL. The standby here
/// is a second, read-only pool on the same database (the loopback scale-out test runs a real
/// streaming standby): these check which reads go to it, that nothing but reads does, that the
/// role check stays on the primary, and that an unreachable standby costs nothing but a fallback.
@Suite(.serialized) struct ReadReplicaTests {
    static var backends: [TestBackend] { TestBackend.available.filter { $0 == .postgres } }

    /// A second, read-only pool on the primary's own database as the "standby" (so it is not in
    /// recovery, which a real one must be).
    static func standby(_ url: String, _ registry: PrometheusCollectorRegistry) throws -> ReadReplica {
        try ReadReplica(
            primaryURL: url, standbyURL: url, connections: 4, leaseTimeout: .seconds(5), maxLag: .seconds(5),
            registry: registry, requiresRecovery: false, logger: TestDatabases.logger)
    }

    @Test(arguments: backends) func reportsExportsAndListsReadTheStandbyAndEverythingElseThePrimary(
        _ backend: TestBackend
    ) async throws {
        let harness = try await AccountsHarness.make(backend, configure: { $0.httpPort = 0 }, readReplica: Self.standby)
        try await harness.app.test(.live) { client in
            let owner = try await client.signUp("owner@example.org", name: "Owner", harness: harness)
            let org = try await client.createOrganization("Standby Co", by: owner)
            try await client.logExpense(org, ["amount": "12.50", "date": "2026-11-02", "merchant": "Kiosk"], by: owner)
            try await eventually { try await Self.counts(client).up == 1 }
            let before = try await Self.counts(client)
            let list = try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: owner.auth)
            #expect(list.status == .ok && (list.json["items"] as? [Any])?.count == 1)
            let report = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?period=month", headers: owner.auth)
            #expect(report.status == .ok)
            let export = try await client.send(.get, "/api/v1/orgs/\(org)/exports/expenses.csv", headers: owner.auth)
            #expect(export.status == .ok && export.body.contains("Kiosk"))
            let afterReads = try await Self.counts(client)
            #expect(afterReads.reads - before.reads == 3, "the list, the report and the export's page")
            // Asked for the primary, a write, and one expense's own page: the primary.
            var fresh = owner.auth
            fresh[.cacheControl] = "no-cache"
            #expect(try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: fresh).status == .ok)
            let created = try await client.logExpense(
                org, ["amount": "3.00", "date": "2026-11-03", "merchant": "Bakery"], by: owner)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/expenses/\(created["id"]!)", headers: owner.auth)
                    .status == .ok)
            #expect(try await Self.counts(client).reads == afterReads.reads)
            // The role is checked on the primary: a token signed out is refused at once.
            #expect(try await client.send(.post, "/api/v1/auth/logout", headers: owner.auth).status == .noContent)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: owner.auth).status == .unauthorized
            )
        }
    }

    @Test(arguments: backends) func anUnreachableStandbyFallsBackToThePrimary(_ backend: TestBackend) async throws {
        // A standby nobody listens at: the monitor finds it down, and a read sent while it was
        // still taken for current is answered by the primary.
        let replica = Mutex<ReadReplica?>(nil)
        let harness = try await AccountsHarness.make(
            backend, configure: { $0.httpPort = 0 },
            readReplica: { url, registry in
                let made = try ReadReplica(
                    primaryURL: url, standbyURL: "postgres://app@127.0.0.1:9/none?sslmode=disable", connections: 1,
                    leaseTimeout: .seconds(1), maxLag: .seconds(5), registry: registry, logger: TestDatabases.logger)
                replica.withLock { $0 = made }
                return made
            })
        try await harness.app.test(.live) { client in
            let owner = try await client.signUp("owner@example.org", name: "Owner", harness: harness)
            let org = try await client.createOrganization("Fallback Co", by: owner)
            try await client.logExpense(org, ["amount": "1.00", "date": "2026-11-02", "merchant": "Kiosk"], by: owner)
            try await eventually {
                let counts = try await Self.counts(client)
                return counts.upKnown && counts.up == 0
            }
            // The monitor records "down" about once a second; a read sent just after "current"
            // is recorded meets the unreachable standby, and the primary answers it.
            try await eventually {
                replica.withLock { $0 }?.record(lag: .zero)
                let list = try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: owner.auth)
                #expect(list.status == .ok && (list.json["items"] as? [Any])?.count == 1)
                return try await Self.counts(client).fallbacks >= 1
            }
        }
    }

    struct Counts {
        var reads: Double
        var fallbacks: Double
        var up: Double
        var upKnown: Bool
    }

    /// The standby's counters from `/metrics` (answered to loopback without a token).
    static func counts(_ client: some TestClientProtocol) async throws -> Counts {
        let text = try await client.send(.get, "/metrics", headers: [:]).body
        func value(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Double($0.split(separator: " ").last ?? "")
            }
        }
        return Counts(
            reads: value("database_standby_reads_total") ?? 0,
            fallbacks: value("database_standby_fallbacks_total") ?? 0, up: value("database_standby_up") ?? -1,
            upKnown: value("database_standby_up") != nil)
    }

    func eventually(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<100 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the condition never held")
    }
}
