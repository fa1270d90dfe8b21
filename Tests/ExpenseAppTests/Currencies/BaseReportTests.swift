import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// `currency=base` reports and exports through a real server on both backends, checked against
/// an independent computation: each expense's base amount from Foundation's `Decimal` at the
/// rate for its date (rounded half to even), and the buckets summed by the test.
@Suite struct BaseReportTests {
    struct Logged {
        var id: String
        var date: String
        var minor: Int
        var currency: String
        var category: String?
    }

    /// The rates the test sets, by currency: (first day, rate), in the order they are set.
    static let rates: [(String, String, String)] = [
        ("USD", "2026-01-01", "0.9"), ("GBP", "2026-03-01", "1.17"),
    ]
    static let lateRates: [(String, String, String)] = [
        ("JPY", "2026-04-01", "0.0061234"), ("GBP", "2026-02-01", "1.1649"),
    ]
    static let exponents = ["EUR": 2, "USD": 2, "GBP": 2, "JPY": 0]

    /// The base amount an independent computation gives: the latest rate on or before the date.
    static func expectedBase(_ logged: Logged) -> Int? {
        if logged.currency == "EUR" { return logged.minor }
        guard
            let rate = (rates + lateRates).filter({ $0.0 == logged.currency && $0.1 <= logged.date })
                .max(by: { $0.1 < $1.1 })?.2
        else { return nil }
        var product = Decimal(string: rate)! * Decimal(logged.minor)
        product *= pow(Decimal(10), 2 - exponents[logged.currency]!)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &product, 0, .bankers)
        return NSDecimalNumber(decimal: rounded).intValue
    }

    @Test("Base-currency totals equal an independent computation", arguments: TestBackend.available)
    func baseTotalsMatchAnIndependentComputation(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let categoryIDs = (categories.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            func setRate(_ rate: (String, String, String)) async throws {
                let reply = try await client.send(
                    .post, "/api/v1/orgs/\(org)/rates", json: ["currency": rate.0, "date": rate.1, "rate": rate.2],
                    headers: owner.auth)
                #expect(reply.status == .created)
            }
            for rate in Self.rates { try await setRate(rate) }

            var generator = SeededGenerator(seed: 20261203)
            var ledger: [Logged] = []
            let start = CalendarDateProbe.dayNumber(2026, 1, 1)
            for index in 0..<120 {
                let currency = ["EUR", "USD", "GBP", "JPY"][index % 4]
                let minor = Int.random(in: 1...900_000, using: &generator)
                let day = CalendarDateProbe.text(start + Int.random(in: 0..<181, using: &generator))
                let category = index % 5 == 0 ? nil : categoryIDs.randomElement(using: &generator)
                var body: [String: Any] = [
                    "amount": currency == "JPY" ? String(minor) : CalendarDateProbe.decimal(minor),
                    "currency": currency, "date": day,
                ]
                if let category { body["category_id"] = category }
                let json = try await client.logExpense(org, body, by: owner)
                ledger.append(
                    Logged(
                        id: json["id"] as? String ?? "", date: day, minor: minor, currency: currency,
                        category: category))
            }
            // Some deleted (their base sums leave with them), then the late rates fill in others.
            for index in stride(from: 3, to: 120, by: 17) {
                let reply = try await client.send(
                    .delete, "/api/v1/orgs/\(org)/expenses/\(ledger[index].id)", headers: owner.auth)
                #expect(reply.status == .noContent)
            }
            ledger = ledger.enumerated().filter { !stride(from: 3, to: 120, by: 17).contains($0.offset) }.map(\.element)
            for rate in Self.lateRates { try await setRate(rate) }

            // Every stored base amount is the independent one.
            let listed = try await client.allExpenses(org, limit: 100, by: owner)
            let stored = Dictionary(
                uniqueKeysWithValues: listed.map { ($0["id"] as? String ?? "", $0["base_amount"] as? String) })
            for logged in ledger {
                #expect(
                    stored[logged.id] == Self.expectedBase(logged).map(CalendarDateProbe.decimal),
                    "\(logged.currency) \(logged.minor) on \(logged.date)")
            }
            #expect(ledger.contains { Self.expectedBase($0) == nil })  // January to March in yen wait

            // Month buckets: the sum of base amounts, how many were summed, how many wait.
            let path = "/api/v1/orgs/\(org)/reports/totals?period=month&from=2026-01-01&to=2026-06-30&currency=base"
            let report = try await client.send(.get, path, headers: owner.auth)
            #expect(report.status == .ok && report.json["currency"] as? String == "base")
            let buckets = report.json["buckets"] as? [[String: Any]] ?? []
            #expect(buckets.count == 6)
            func expected(_ month: String, category: String?? = nil) -> (String, Int, Int) {
                let rows = ledger.filter {
                    $0.date.hasPrefix(month) && (category == nil || $0.category == category!)
                }
                let bases = rows.compactMap(Self.expectedBase)
                return (CalendarDateProbe.decimal(bases.reduce(0, +)), bases.count, rows.count - bases.count)
            }
            for (index, bucket) in buckets.enumerated() {
                let month = "2026-0\(index + 1)"
                let totals = bucket["totals"] as? [[String: Any]] ?? []
                let (amount, count, waiting) = expected(month)
                #expect(totals.count == 1 && totals.first?["currency"] as? String == "EUR")
                #expect(totals.first?["amount"] as? String == amount, "\(month)")
                #expect(totals.first?["count"] as? Int == count && bucket["unconverted"] as? Int == waiting, "\(month)")
            }
            let overall = ledger.compactMap(Self.expectedBase)
            #expect(
                (report.json["totals"] as? [[String: Any]])?.first?["amount"] as? String
                    == CalendarDateProbe.decimal(overall.reduce(0, +)))
            #expect(report.json["unconverted"] as? Int == ledger.count - overall.count)

            // By category, per month.
            let byCategory = try await client.send(.get, "\(path)&group_by=category", headers: owner.auth)
            for (index, bucket) in (byCategory.json["buckets"] as? [[String: Any]] ?? []).enumerated() {
                for group in bucket["groups"] as? [[String: Any]] ?? [] {
                    let key = group["id"] as? String
                    let (amount, count, waiting) = expected("2026-0\(index + 1)", category: .some(key))
                    let total = (group["totals"] as? [[String: Any]])?.first
                    #expect(total?["amount"] as? String == amount && total?["count"] as? Int == count)
                    #expect(group["unconverted"] as? Int == waiting)
                }
            }

            // The totals CSV says the same, with its unconverted column.
            let csv = try await client.send(
                .get, "/api/v1/orgs/\(org)/exports/totals.csv?period=month&from=2026-01-01&to=2026-06-30&currency=base",
                headers: owner.auth)
            let records = parseCSV(csv.body)
            #expect(records.first == ["period_start", "period_end", "currency", "amount", "count", "unconverted"])
            for (index, row) in records.dropFirst().enumerated() {
                let (amount, count, waiting) = expected("2026-0\(index + 1)")
                #expect(row == [row[0], row[1], "EUR", amount, String(count), String(waiting)])
            }

            // Each as spent, without the parameter; a bad value is named.
            let original = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?from=2026-01-01&to=2026-06-30", headers: owner.auth)
            #expect(original.json["currency"] as? String == "original" && original.json["unconverted"] == nil)
            #expect((original.json["totals"] as? [[String: Any]])?.count == 4)
            let bad = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?currency=USD", headers: owner.auth)
            #expect(bad.status == .unprocessableContent)
        }
    }
}
