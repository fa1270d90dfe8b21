import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import ExpenseApp

/// Recurring expenses through a real server on both backends, with two workers on an injected
/// clock: two years from 30 November 2026 (Lisbon), a ten-day outage in the middle. Every
/// schedule's occurrences are exactly the dates an independent computation (Foundation's
/// calendar) gives: month ends, 29 February, intervals, an end date and a count; none twice.
@Suite struct RecurringScheduleTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func date(_ text: String) -> Date {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    }

    static func text(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Days from `start` every `step` days, up to `last`, at most `count`.
    static func every(_ step: Int, from start: String, through last: String, count: Int = .max) -> [String] {
        var dates: [String] = []
        var day = date(start)
        while day <= date(last), dates.count < count {
            dates.append(text(day))
            day = calendar.date(byAdding: .day, value: step, to: day)!
        }
        return dates
    }

    /// The `day`th of each month from `first` (clamped to the month's last day), through `last`.
    static func monthly(day: Int, from first: String, through last: String) -> [String] {
        var dates: [String] = []
        var month = date(first)
        while true {
            let parts = calendar.dateComponents([.year, .month], from: month)
            let length = calendar.range(of: .day, in: .month, for: month)!.count
            let occurrence = calendar.date(
                from: DateComponents(year: parts.year, month: parts.month, day: min(day, length)))!
            guard occurrence <= date(last) else { break }
            dates.append(text(occurrence))
            month = calendar.date(byAdding: .month, value: 1, to: month)!
        }
        return dates
    }

    /// The user signed in again: the clock moved past their session's limits.
    static func again(_ user: TestUser, _ client: some TestClientProtocol) async throws -> TestUser {
        let (_, token) = try await client.login(user.email)
        var user = user
        user.auth = client.bearer(try #require(token))
        return user
    }

    @Test("Two years of two workers write every occurrence once", arguments: TestBackend.available)
    func twoYearsWithAnOutage(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // Europe/Lisbon
            func schedule(_ body: [String: Any]) async throws -> String {
                let reply = try await client.send(
                    .post, "/api/v1/orgs/\(org)/recurring",
                    json: ["amount": "10.00", "merchant": "Rule"].merging(body) { $1 }, headers: owner.auth)
                #expect(reply.status == .created, "\(reply.body)")
                return reply.json["id"] as? String ?? ""
            }
            let monthEnd = try await schedule(["frequency": "monthly", "start_date": "2026-12-31"])
            // Started in the past: nothing before today is written, then 28 February in 2027.
            let leapDay = try await schedule(["frequency": "yearly", "start_date": "2024-02-29"])
            let fortnightly = try await schedule(
                ["frequency": "weekly", "interval": 2, "start_date": "2026-12-01", "count": 20])
            let everyThird = try await schedule(
                ["frequency": "daily", "interval": 3, "start_date": "2026-12-01", "end_date": "2027-03-01"])
            let daily = try await schedule(["frequency": "daily", "start_date": "2026-12-01", "end_date": "2027-12-31"])

            let alerts = BudgetAlerts(
                store: harness.store, settings: AccountSettings(config: harness.config), ids: .random)
            let workers = (0..<2).map { index in
                RecurringWorker(
                    writer: OccurrenceWriter(store: harness.store, ids: .random, alerts: alerts),
                    clock: harness.clock.clock, logger: Logger(label: "worker-\(index)"))
            }
            // Day by day for two years, both workers each day, except ten days with none.
            for day in 1...731 {
                harness.clock.advance(by: 86_400)
                if (300..<310).contains(day) { continue }
                async let first = workers[0].runOnce()
                async let second = workers[1].runOnce()
                _ = try await (first, second)
            }

            let written = try await client.allExpenses(org, limit: 200, by: try await Self.again(owner, client))
            func dates(_ id: String) -> [String] {
                written.filter { $0["recurring_id"] as? String == id }.compactMap { $0["date"] as? String }.sorted()
            }
            let end = "2028-11-30"
            #expect(dates(monthEnd) == Self.monthly(day: 31, from: "2026-12-01", through: end))
            #expect(dates(monthEnd).contains("2027-02-28") && dates(monthEnd).contains("2028-02-29"))
            #expect(dates(leapDay) == ["2027-02-28", "2028-02-29"])
            #expect(dates(fortnightly) == Self.every(14, from: "2026-12-01", through: end, count: 20))
            #expect(dates(everyThird) == Self.every(3, from: "2026-12-01", through: "2027-03-01"))
            #expect(dates(daily) == Self.every(1, from: "2026-12-01", through: "2027-12-31"))
            #expect(written.filter { $0["recurring_id"] is String }.count == written.count)
            let finished = try await client.send(
                .get, "/api/v1/orgs/\(org)/recurring/\(fortnightly)", headers: try await Self.again(owner, client).auth)
            #expect(finished.json["next_date"] is NSNull && finished.json["created_count"] as? Int == 20)
        }
    }

    @Test("Pause, resume, edit and delete act on what is still to come", arguments: TestBackend.available)
    func pauseResumeEditDelete(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            var owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            var member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let other = try await client.signUp("bo@example.org", name: "Bo", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(other, role: "member", into: org, by: owner, harness: harness)
            let base = "/api/v1/orgs/\(org)/recurring"
            let worker = RecurringWorker(
                writer: OccurrenceWriter(
                    store: harness.store, ids: .random,
                    alerts: BudgetAlerts(
                        store: harness.store, settings: AccountSettings(config: harness.config), ids: .random)),
                clock: harness.clock.clock, logger: Logger(label: "worker"))
            func mine() async throws -> [[String: Any]] {
                try await client.allExpenses(org, by: member).filter { $0["recurring_id"] is String }
            }
            func later(by days: Double) async throws {
                harness.clock.advance(by: days * 86_400)
                member = try await Self.again(member, client)
                owner = try await Self.again(owner, client)
            }

            // Today's occurrence is written as it is set up (30 November), as Mia's.
            let created = try await client.send(
                .post, base,
                json: [
                    "amount": "4.50", "merchant": "Coffee", "frequency": "daily", "start_date": "2026-11-30",
                    "tags": ["coffee"],
                ], headers: member.auth)
            #expect(created.status == .created, "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(try await mine().compactMap { $0["date"] as? String } == ["2026-11-30"])
            #expect(try await mine().first?["member_name"] as? String == "Mia")
            for bad: [String: Any] in [
                ["frequency": "hourly"], ["interval": 0], ["end_date": "2026-01-01"], ["count": 0], ["amount": "0"],
                ["start_date": "2026-02-30"], ["category_id": UUID().uuidString],
            ] {
                let body = ["amount": "1", "frequency": "daily", "start_date": "2026-11-30"].merging(bad) { $1 }
                #expect(
                    try await client.send(.post, base, json: body, headers: member.auth).status
                        == .unprocessableContent, "\(bad)")
            }
            #expect(
                try await client.send(.post, "\(base)/\(id)/pause", headers: other.auth).status == .forbidden)
            let badStart = try await client.send(
                .post, base, json: ["amount": "1", "frequency": "daily", "start_date": "2026-02-30"],
                headers: member.auth)
            #expect((badStart.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "start_date")
            // A category a schedule logs under is not deleted.
            let postage = try await client.send(
                .post, "/api/v1/orgs/\(org)/categories", json: ["name": "Postage"], headers: owner.auth)
            let postageID = try #require(postage.json["id"] as? String)
            let stamps = try await client.send(
                .post, base,
                json: [
                    "amount": "1", "frequency": "monthly", "start_date": "2027-01-05", "category_id": postageID,
                ], headers: owner.auth)
            #expect(stamps.status == .created)
            // Its start moved years back logs no backlog (the 5th is not today, 30 November).
            let moved = try await client.send(
                .patch, "\(base)/\(stamps.json["id"] as? String ?? "")", json: ["start_date": "2020-01-05"],
                headers: owner.auth)
            #expect(moved.status == .ok && moved.json["created_count"] as? Int == 0, "\(moved.body)")
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/categories/\(postageID)", headers: owner.auth)
                    .status == .conflict)
            #expect(
                try await client.send(
                    .delete, "\(base)/\(stamps.json["id"] as? String ?? "")", headers: owner.auth
                ).status == .noContent)

            // Paused for three days: nothing; resumed: from that day on, not the paused days.
            #expect(
                try await client.send(.post, "\(base)/\(id)/pause", headers: member.auth).json["paused"] as? Bool
                    == true)
            try await later(by: 3)
            try await worker.runOnce()
            #expect(try await mine().count == 1)
            let resumed = try await client.send(.post, "\(base)/\(id)/resume", headers: owner.auth)
            #expect(resumed.json["paused"] as? Bool == false)
            #expect(try await mine().compactMap { $0["date"] as? String }.sorted() == ["2026-11-30", "2026-12-03"])

            // A new amount for what is to come; written ones keep theirs.
            let changed = try await client.send(.patch, "\(base)/\(id)", json: ["amount": "5.00"], headers: member.auth)
            #expect(changed.status == .ok, "\(changed.body)")
            try await later(by: 1)
            try await worker.runOnce()
            let amounts = try await mine().sorted { ($0["date"] as? String ?? "") < ($1["date"] as? String ?? "") }
                .compactMap { $0["amount"] as? String }
            #expect(amounts == ["4.50", "4.50", "5.00"])

            // Deleted: what it wrote stays, still naming it; nothing more is written.
            #expect(try await client.send(.delete, "\(base)/\(id)", headers: member.auth).status == .noContent)
            #expect(try await client.send(.get, "\(base)/\(id)", headers: member.auth).status == .notFound)
            try await later(by: 2)
            try await worker.runOnce()
            #expect(try await mine().count == 3)
            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let actions = Set((audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            #expect(
                actions.isSuperset(of: [
                    "recurring.created", "recurring.paused", "recurring.resumed", "recurring.updated",
                    "recurring.deleted",
                ]))
        }
    }
}
