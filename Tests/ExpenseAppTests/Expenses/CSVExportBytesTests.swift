import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ExpenseApp

/// The expenses export written into the buffer against the `String` path it replaces:
/// `CSVExports.expenseRecord` (built on `CSV.record`) is the definition, byte for byte.
@Suite struct CSVExportBytesTests {
    func expectSame(_ actual: ByteBuffer, _ expected: String, _ comment: @autoclosure () -> String = "") {
        let (actual, expected) = (ByteFixtures.bytes(actual), Array(expected.utf8))
        // Compared first so a failure prints the difference, not two long arrays.
        let same = actual == expected
        #expect(same, Comment(rawValue: comment() + " " + ByteFixtures.difference(actual, expected)))
    }

    @Test("Cells: text neutralized and quoted, values only quoted, as CSV.record does")
    func cellsMatchCSV() {
        var texts = ByteFixtures.hostileTexts
        for value in 0..<0x80 { texts.append(String(Unicode.Scalar(UInt8(value))) + "x") }
        for text in texts {
            var buffer = ByteBuffer()
            buffer.writeCSVText(text)
            buffer.writeInteger(UInt8(ascii: ","))
            buffer.writeCSVValue(text)
            buffer.writeStaticString("\r\n")
            expectSame(buffer, CSV.record([.text(text), .value(text)]), text.debugDescription)
        }
    }

    @Test("Tags: the joined cell without joining, empty and hostile tags included")
    func joinedTagsMatchCSV() {
        var lists: [[String]] = [[], [""], ["", ""], ["", "=x"], ["=x", ""], ["a", "b"], (1...10).map { "t\($0)" }]
        for text in ByteFixtures.hostileTexts.prefix(80) {
            lists += [[text], [text, text], ["", text], [text, "travel"], ["travel", text]]
        }
        for tags in lists {
            var buffer = ByteBuffer()
            buffer.writeCSVText(joining: tags, separator: UInt8(ascii: " "))
            buffer.writeStaticString("\r\n")
            expectSame(buffer, CSV.record([.text(tags.joined(separator: " "))]), tags.debugDescription)
        }
    }

    @Test("Records: every hostile field, currency, amount, date and instant; random ones too")
    func recordsMatchTheStringPath() throws {
        var generator = SeededGenerator(seed: 4180)
        let random = (0..<3000).map { _ in ByteFixtures.randomExpense(using: &generator) }
        // The base amount at each exponent (0, 2, 3), and empty when unconverted.
        let bases = try ["JPY", "EUR", "BHD"].map { try Currency(code: $0) }
        for (index, expense) in (ByteFixtures.expenses + random).enumerated() {
            let base = bases[index % bases.count]
            var buffer = ByteBuffer()
            CSVExports.writeExpenseRecord(expense, base: base, into: &buffer)
            expectSame(buffer, CSVExports.expenseRecord(expense, base: base), "\(expense)".prefix(300).description)
        }
    }

    @Test("The whole file: byte-order mark, header, records")
    func wholeFileMatches() throws {
        var generator = SeededGenerator(seed: 11)
        let expenses = ByteFixtures.expenses + (0..<500).map { _ in ByteFixtures.randomExpense(using: &generator) }
        var file = CSVExports.byteOrderMark + CSVExports.expensesHeader
        let eur = try Currency(code: "EUR")
        for expense in expenses { file += CSVExports.expenseRecord(expense, base: eur) }

        var buffer = ByteBuffer()
        CSVExports.writeExpensesHead(into: &buffer)
        for expense in expenses { CSVExports.writeExpenseRecord(expense, base: eur, into: &buffer) }
        expectSame(buffer, file)
        #expect(ByteFixtures.bytes(buffer).starts(with: [0xEF, 0xBB, 0xBF]))

        // An empty export is the byte-order mark and the header alone.
        var empty = ByteBuffer()
        CSVExports.writeExpensesHead(into: &empty)
        expectSame(
            empty,
            "\u{FEFF}date,amount,currency,category,merchant,note,tags,member,id,created_at,receipt_count,base_amount,"
                + "base_currency\r\n")
    }

    @Test("The API's download is the String path's file, byte for byte", arguments: TestBackend.available)
    func downloadMatchesTheStringPath(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "=Olga \"Ö\"", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let category = (categories.json["items"] as? [[String: Any]])?.first?["id"] as? String ?? ""
            let cells = [
                "=1+1", "+x", "-y", "@z", "\tt", "\rr", "a,b", "say \"hi\"", "x\"\u{301}", "line\nbreak",
                "cr\r\nlf", "BOM\u{FEFF}inside", "日本語 é", "",
            ]
            // One a day, so the export's order (date, then insertion) is the order they were logged.
            for (index, cell) in cells.enumerated() {
                var fields: [String: Any] = [
                    "amount": "\(index + 1).5", "date": "2026-10-\(10 + index)", "merchant": cell, "note": cell,
                    "tags": index % 3 == 0 ? [] : (1...min(index, 10)).map { "t\($0)" },
                ]
                if index % 2 == 0 { fields["category_id"] = category }
                try await client.logExpense(org, fields, by: owner)
            }
            let logged = try await client.allExpenses(org, by: owner).map(ExpenseJSONTests.expense)
            var file = CSVExports.byteOrderMark + CSVExports.expensesHeader
            for expense in logged.sorted(by: { $0.date < $1.date }) {
                file += CSVExports.expenseRecord(expense, base: try Currency(code: "EUR"))
            }

            let export = try await client.send(.get, "/api/v1/orgs/\(org)/exports/expenses.csv", headers: owner.auth)
            #expect(export.status == .ok && export.headers[.contentType] == "text/csv; charset=utf-8")
            let (actual, expected) = (Array(export.body.utf8), Array(file.utf8))
            let same = actual == expected
            #expect(same, Comment(rawValue: ByteFixtures.difference(actual, expected)))
            #expect(parseCSV(export.body).count == cells.count + 1)
        }
    }
}
