import Foundation
import Testing

@testable import ExpenseCore

@Suite struct TotalsReportTests {
    let usd = try! Currency(code: "USD")
    let eur = try! Currency(code: "EUR")

    func day(_ text: String) -> CalendarDate { try! CalendarDate(parsing: text) }

    @Test func bucketsAreDenseAndWeeksStartOnTheChosenDay() throws {
        let range = try DateRange(from: day("2026-11-01"), to: day("2026-11-29"))
        let rows = [
            DayTotal(day: day("2026-11-02"), currency: usd, group: nil, minorUnits: 150, count: 1),
            DayTotal(day: day("2026-11-08"), currency: usd, group: nil, minorUnits: 50, count: 2),
            DayTotal(day: day("2026-11-08"), currency: eur, group: nil, minorUnits: 7, count: 1),
            DayTotal(day: day("2026-12-01"), currency: usd, group: nil, minorUnits: 999, count: 1),  // outside
        ]
        let report = try TotalsReport(
            period: .week, range: range, weekStart: .monday, baseCurrency: usd, grouped: false, days: rows)
        // 2026-11-01 is a Sunday: its week starts Monday 2026-10-26.
        #expect(
            report.buckets.map(\.start.description) == [
                "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23",
            ])
        #expect(report.buckets.last?.end.description == "2026-11-29")
        #expect(report.buckets[0].totals == [MoneyTotal(currency: usd)])
        #expect(
            report.buckets[1].totals == [
                MoneyTotal(currency: eur, minorUnits: 7, count: 1),
                MoneyTotal(currency: usd, minorUnits: 200, count: 3),
            ])
        #expect(report.totals.map(\.count) == [1, 3])

        let sundays = try TotalsReport(
            period: .week, range: range, weekStart: .sunday, baseCurrency: usd, grouped: false, days: rows)
        #expect(sundays.buckets.first?.start.description == "2026-11-01")
        #expect(sundays.buckets[1].totals.first { $0.currency == usd }?.minorUnits == 50)
    }

    @Test func quartersAndYearsAndTooManyBuckets() throws {
        let range = try DateRange(from: day("2025-02-10"), to: day("2026-05-01"))
        let quarters = try TotalsReport(
            period: .quarter, range: range, weekStart: .monday, baseCurrency: usd, grouped: false, days: [])
        #expect(
            quarters.buckets.map(\.start.description) == [
                "2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01", "2026-04-01",
            ])
        #expect(quarters.buckets[0].end.description == "2025-03-31")
        let years = try TotalsReport(
            period: .year, range: range, weekStart: .monday, baseCurrency: usd, grouped: false, days: [])
        #expect(years.buckets.count == 2)
        #expect(throws: ValidationError.self) {
            try TotalsReport(
                period: .day, range: try DateRange(from: day("1900-01-01"), to: day("2999-12-31")), weekStart: .monday,
                baseCurrency: usd, grouped: false, days: [])
        }
    }

    @Test func totalsNeverOverflow() throws {
        let range = try DateRange(from: day("2026-01-01"), to: day("2026-12-31"))
        let huge = Int128(Int64.max)
        let rows = (1...12).map { month in
            DayTotal(
                day: CalendarDate(year: 2026, month: month, day: 1)!, currency: usd, group: "a", minorUnits: huge,
                count: 1)
        }
        let report = try TotalsReport(
            period: .year, range: range, weekStart: .monday, baseCurrency: usd, grouped: true, days: rows)
        #expect(report.totals.first?.minorUnits == huge * 12)
        #expect(report.groups.first?.totals.first?.minorUnits == huge * 12)
    }
}
