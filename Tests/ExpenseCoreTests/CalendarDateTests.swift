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
