import Foundation
import Testing

@testable import ExpenseCore

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
