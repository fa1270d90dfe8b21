import Foundation
import Testing

@testable import ExpenseCore

@Suite struct CalendarDateTests {
    @Test func dayNumbersRoundTripOverTheWholeRange() {
        var previous: CalendarDate?
        for number in CalendarDate.earliest.dayNumber...CalendarDate.latest.dayNumber {
            let date = CalendarDate(dayNumber: number)
            #expect(date.dayNumber == number)
            if let previous { #expect(previous < date) }
            previous = date
        }
        #expect(CalendarDate(dayNumber: 0).description == "1970-01-01")
    }

    @Test func weekdaysMatchFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        for offset in stride(from: -30_000, to: 30_000, by: 37) {
            let date = CalendarDate(dayNumber: offset)
            let instant = Date(timeIntervalSince1970: Double(offset) * 86_400)
            // Foundation: Sunday 1 ... Saturday 7; ISO: Monday 1 ... Sunday 7.
            let foundation = calendar.component(.weekday, from: instant)
            #expect(date.weekday.rawValue == (foundation + 5) % 7 + 1)
        }
    }

    @Test func parsingIsStrict() throws {
        for bad in [
            "2026-2-01", "2026-02-30", "2026-13-01", "1899-12-31", "3000-01-01", "20260101", "2026-01-01T00:00",
            " 2026-01-01", "２０２６-01-01", "",
        ] {
            #expect(throws: ValidationError.self) { try CalendarDate(parsing: bad) }
        }
        #expect(try CalendarDate(parsing: "2024-02-29").description == "2024-02-29")
    }

    @Test func monthArithmeticClampsToTheMonthsEnd() throws {
        #expect(try CalendarDate(parsing: "2026-01-31").adding(months: 1).description == "2026-02-28")
        #expect(try CalendarDate(parsing: "2024-03-31").adding(months: -1).description == "2024-02-29")
        #expect(try CalendarDate(parsing: "2026-11-15").adding(months: 14).description == "2028-01-15")
    }
}

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

@Suite struct CSVTests {
    @Test func hostileCellsAreNeutralizedAndQuoted() {
        let record = CSV.record([
            .text("=HYPERLINK(\"http://evil\")"), .text("+1"), .text("-2"), .text("@SUM(A1)"), .text("\tx"),
            .text("\rx"), .text("a,b"), .text("line\nbreak"), .text("plain"), .value("-12.34"),
        ])
        #expect(
            record
                == "\"'=HYPERLINK(\"\"http://evil\"\")\",'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",\"a,b\",\"line\nbreak\",plain,-12.34\r\n"
        )
    }

    /// A quote that a combining mark follows is one Character with it, not the Character `"`;
    /// it is doubled all the same, or it would end the quoted cell and let the rest (`,=...`)
    /// become a cell of its own, unneutralized.
    @Test func everyQuoteIsDoubledEvenBeforeACombiningMark() {
        let text = "a\"\u{301},=HYPERLINK(\"http://evil\")\"\u{FE0F}"
        let expected = "\"a\"\"\u{301},=HYPERLINK(\"\"http://evil\"\")\"\"\u{FE0F}\",\"x\"\"\u{20E3}\"\r\n"
        // Bytes, not String equality (which is canonical equivalence).
        #expect(Array(CSV.record([.text(text), .value("x\"\u{20E3}")]).utf8) == Array(expected.utf8))
    }

    @Test func tagsAreNormalized() throws {
        #expect(try Tags.parse("Travel, client-x  travel") == ["travel", "client-x"])
        #expect(throws: ValidationError.self) { try Tags.parse("a,b;c") }
        #expect(throws: ValidationError.self) { try Tags.normalize((1...11).map { "t\($0)" }) }
    }

    @Test func cursorsRoundTripAndRefuseForgeries() throws {
        let cursor = ExpenseCursor(date: try CalendarDate(parsing: "2026-11-29"), sequence: 123_456)
        #expect(try ExpenseCursor(token: cursor.token) == cursor)
        for bad in ["", "abc", "MjAyNi0xMS0yOQ", String(repeating: "A", count: 100)] {
            #expect(throws: ValidationError.self) { try ExpenseCursor(token: bad) }
        }
    }
}

@Suite struct UTCTimestampTests {
    @Test func matchesFoundationsISO8601() {
        for seconds in stride(from: -2_208_988_800.0, to: 32_503_680_000.0, by: 86_399.37 * 53) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.format(date) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))
        }
    }
}
