import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Totals, exports and paging checked against an independent ledger kept by the test.
@Suite struct ReportAndExportTests {
    struct Logged {
        var id: String
        var date: String
        var minor: Int
        var currency: String
        var category: String?
        var member: String
    }

    @Test(
        "Random expenses: totals equal an independent sum, buckets dense, CSV parses back to the ledger",
        arguments: TestBackend.available)
    func totalsAndExportsMatchTheLedger(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR, weeks start Monday
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let categoryIDs = (categories.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }

            var generator = SeededGenerator(seed: 20261129)
            var ledger: [Logged] = []
            let start = CalendarDateProbe.dayNumber(2026, 1, 1)
            for index in 0..<300 {
                // Leave March empty so a month bucket is zero.
                var day = start + Int.random(in: 0..<334, using: &generator)
                if CalendarDateProbe.month(of: day) == 3 { day += 31 }
                let currency = index % 10 == 0 ? "USD" : "EUR"
                let minor = Int.random(in: 1...500_000, using: &generator)
                let category = index % 4 == 0 ? nil : categoryIDs.randomElement(using: &generator)
                let author = index % 3 == 0 ? finance : owner
                var body: [String: Any] = [
                    "amount": CalendarDateProbe.decimal(minor), "currency": currency,
                    "date": CalendarDateProbe.text(day), "merchant": "Shop \(index)",
                ]
                if let category { body["category_id"] = category }
                let json = try await client.logExpense(org, body, by: author)
                ledger.append(
                    Logged(
                        id: json["id"] as? String ?? "", date: CalendarDateProbe.text(day), minor: minor,
                        currency: currency, category: category, member: author.id))
            }

            // Changes and deletions move money between days, currencies and categories; the
            // totals must follow (on PostgreSQL they come from trigger-kept day sums).
            for index in stride(from: 1, to: 60, by: 2) {
                var entry = ledger[index]
                let moved = start + Int.random(in: 0..<59, using: &generator)  // January or February
                entry.date = CalendarDateProbe.text(moved)
                entry.minor = Int.random(in: 1...900_000, using: &generator)
                entry.currency = index % 3 == 0 ? "USD" : "EUR"
                entry.category = index % 5 == 0 ? nil : categoryIDs.randomElement(using: &generator)
                let changed = try await client.send(
                    .patch, "/api/v1/orgs/\(org)/expenses/\(entry.id)",
                    json: [
                        "amount": CalendarDateProbe.decimal(entry.minor), "currency": entry.currency,
                        "date": entry.date, "category_id": entry.category ?? NSNull(),
                    ], headers: owner.auth)
                #expect(changed.status == .ok, "\(changed.body)")
                ledger[index] = entry
            }
            for entry in ledger.suffix(20) {
                let deleted = try await client.send(
                    .delete, "/api/v1/orgs/\(org)/expenses/\(entry.id)", headers: owner.auth)
                #expect(deleted.status == .noContent)
            }
            ledger.removeLast(20)

            // Monthly totals for the year: twelve dense buckets, each equal to the ledger's sum.
            let monthly = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?period=month&from=2026-01-01&to=2026-12-31",
                headers: finance.auth)
            #expect(monthly.status == .ok)
            let buckets = monthly.json["buckets"] as? [[String: Any]] ?? []
            #expect(buckets.count == 12)
            for bucket in buckets {
                let start = bucket["start"] as? String ?? ""
                let month = String(start.prefix(7))
                let rows = ledger.filter { $0.date.hasPrefix(month) }
                let totals = bucket["totals"] as? [[String: Any]] ?? []
                if rows.isEmpty {
                    #expect(
                        totals.count == 1 && totals.first?["amount"] as? String == "0.00"
                            && totals.first?["count"] as? Int == 0, "\(month)")
                }
                for currency in ["EUR", "USD"] {
                    let expected = rows.filter { $0.currency == currency }
                    let total = totals.first { $0["currency"] as? String == currency }
                    if expected.isEmpty { continue }
                    #expect(
                        total?["amount"] as? String == CalendarDateProbe.decimal(expected.reduce(0) { $0 + $1.minor }),
                        "\(month) \(currency)")
                    #expect(total?["count"] as? Int == expected.count)
                }
            }
            #expect(!ledger.contains { $0.date.hasPrefix("2026-03") })  // so March's bucket above was a zero

            // Weekly totals by category for a quarter: Monday-start weeks, groups sum to the ledger.
            let weekly = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?period=week&from=2026-04-01&to=2026-06-30&group_by=category",
                headers: finance.auth)
            let weeks = weekly.json["buckets"] as? [[String: Any]] ?? []
            #expect(weeks.first?["start"] as? String == "2026-03-30")  // the Monday of 2026-04-01's week
            for week in weeks {
                let from = week["start"] as? String ?? ""
                let to = week["end"] as? String ?? ""
                #expect(CalendarDateProbe.weekday(from) == 1 || from == "2026-04-01")
                let rows = ledger.filter { $0.date >= max(from, "2026-04-01") && $0.date <= to && $0.currency == "EUR" }
                for group in week["groups"] as? [[String: Any]] ?? [] {
                    let key = group["id"] as? String
                    let expected = rows.filter { $0.category == key }.reduce(0) { $0 + $1.minor }
                    let amount = (group["totals"] as? [[String: Any]] ?? []).first {
                        $0["currency"] as? String == "EUR"
                    }
                    #expect(
                        amount?["amount"] as? String ?? "0.00" == CalendarDateProbe.decimal(expected),
                        "\(from) \(key ?? "none")")
                }
                let groupCount = (week["groups"] as? [[String: Any]] ?? []).reduce(0) { sum, group in
                    sum + ((group["totals"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["count"] as? Int ?? 0) })
                }
                let all = ledger.filter { $0.date >= max(from, "2026-04-01") && $0.date <= to }
                #expect(groupCount == all.count)
            }

            // By member, the names come along.
            let byMember = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?period=year&from=2026-01-01&to=2026-12-31&group_by=member",
                headers: finance.auth)
            let memberNames = (byMember.json["groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(memberNames) == ["Olga", "Fin"])

            // The export parses back to exactly the ledger.
            let export = try await client.send(
                .get, "/api/v1/orgs/\(org)/exports/expenses.csv?from=2026-01-01&to=2026-12-31", headers: finance.auth)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(
                export.headers[.contentDisposition]
                    == "attachment; filename=\"ledger-co-expenses-from-2026-01-01-to-2026-12-31.csv\"")
            let records = parseCSV(export.body)
            #expect(
                records.first == [
                    "date", "amount", "currency", "category", "merchant", "note", "tags", "member", "id", "created_at",
                    "receipt_count", "base_amount", "base_currency",
                ])
            let rows = records.dropFirst()
            #expect(rows.count == ledger.count)
            let byID = Dictionary(uniqueKeysWithValues: ledger.map { ($0.id, $0) })
            for row in rows {
                guard row.count == 13, row[10] == "0", row[12] == "EUR", let logged = byID[row[8]] else {
                    Issue.record("unexpected row \(row)")
                    continue
                }
                #expect(
                    row[0] == logged.date && row[1] == CalendarDateProbe.decimal(logged.minor)
                        && row[2] == logged.currency)
            }
            #expect(rows.map { $0[0] } == rows.map { $0[0] }.sorted())

            // The totals CSV agrees with the report.
            let totalsCSV = try await client.send(
                .get, "/api/v1/orgs/\(org)/exports/totals.csv?period=month&from=2026-01-01&to=2026-12-31",
                headers: finance.auth)
            let totalRows = parseCSV(totalsCSV.body)
            #expect(totalRows.first == ["period_start", "period_end", "currency", "amount", "count"])
            let eurJanuary = totalRows.first { $0.first == "2026-01-01" && $0[2] == "EUR" }
            let expectedJanuary = ledger.filter { $0.date.hasPrefix("2026-01") && $0.currency == "EUR" }.reduce(0) {
                $0 + $1.minor
            }
            #expect(eurJanuary?[3] == CalendarDateProbe.decimal(expectedJanuary))
        }
    }

    @Test(
        "A hostile merchant is neutralized in CSV; paging never skips or repeats while others insert",
        arguments: TestBackend.available)
    func hostileCellsAndStablePaging(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "=cmd|' /C calc'!A0", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let hostile = "=HYPERLINK(\"http://evil.example\",\"click\")"
            try await client.logExpense(
                org,
                [
                    "amount": "1.00", "date": "2026-11-01", "merchant": hostile, "note": "+1,\"two\"\nthree",
                    "tags": ["-x"],
                ], by: owner)
            let export = try await client.send(.get, "/api/v1/orgs/\(org)/exports/expenses.csv", headers: owner.auth)
            let row = parseCSV(export.body).dropFirst().first ?? []
            #expect(row[4] == "'" + hostile)
            #expect(row[5] == "'+1,\"two\"\nthree")
            #expect(row[6] == "'-x")
            #expect(row[7] == "'=cmd|' /C calc'!A0")

            // 120 expenses over 6 days; page through 25 at a time while new ones arrive on
            // every day (older and newer than the cursor): no existing row is missed or repeated.
            var existing: Set<String> = []
            for index in 0..<120 {
                let json = try await client.logExpense(
                    org, ["amount": "1", "date": "2026-10-0\(index % 6 + 1)"], by: owner)
                existing.insert(json["id"] as? String ?? "")
            }
            var seen: [String] = []
            var cursor: String?
            var inserted = 0
            repeat {
                var uri = "/api/v1/orgs/\(org)/expenses?limit=25&from=2026-10-01&to=2026-10-31"
                if let cursor { uri += "&cursor=\(cursor)" }
                let page = try await client.send(.get, uri, headers: owner.auth)
                let items = page.json["items"] as? [[String: Any]] ?? []
                seen += items.compactMap { $0["id"] as? String }
                let dates = items.compactMap { $0["date"] as? String }
                #expect(dates == dates.sorted(by: >))
                cursor = page.json["next_cursor"] as? String
                for day in 1...6 {
                    try await client.logExpense(org, ["amount": "2", "date": "2026-10-0\(day)"], by: owner)
                    inserted += 1
                }
            } while cursor != nil
            #expect(Set(seen).count == seen.count, "a row was repeated")
            #expect(existing.isSubset(of: Set(seen)), "a row was skipped")
            #expect(inserted > 0)
        }
    }
}

/// Calendar helpers for the test's own ledger, independent of the code under test.
enum CalendarDateProbe {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()

    static func dayNumber(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        return Int(date.timeIntervalSince1970 / 86_400)
    }

    static func date(_ number: Int) -> Date { Date(timeIntervalSince1970: Double(number) * 86_400) }

    static func month(of number: Int) -> Int { calendar.component(.month, from: date(number)) }

    static func text(_ number: Int) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date(number))
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// ISO weekday (Monday 1) of a `YYYY-MM-DD`.
    static func weekday(_ text: String) -> Int {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
        return (calendar.component(.weekday, from: date) + 5) % 7 + 1
    }

    /// Minor units of a two-decimal currency as the API writes them.
    static func decimal(_ minor: Int) -> String {
        String(minor / 100) + "." + String(format: "%02d", minor % 100)
    }
}

/// A deterministic generator, so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
