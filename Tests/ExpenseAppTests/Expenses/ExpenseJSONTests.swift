import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ExpenseApp

/// The hand-written expense JSON against the encoder it replaces: `AppJSON.encoder` encoding
/// `ExpenseResponse` and `ExpensePageResponse` is the definition, byte for byte.
@Suite struct ExpenseJSONTests {
    func expectSame(_ actual: ByteBuffer, _ expected: Data, _ comment: @autoclosure () -> String = "") {
        let (actual, expected) = (ByteFixtures.bytes(actual), Array(expected))
        // Compared first so a failure prints the difference, not two long arrays.
        let same = actual == expected
        #expect(same, Comment(rawValue: comment() + " " + ByteFixtures.difference(actual, expected)))
    }

    @Test("Strings are escaped as the encoder escapes them: every byte, every hostile text")
    func escapingMatchesTheEncoder() throws {
        var texts = ByteFixtures.hostileTexts
        for value in 0..<0x80 { texts.append("x" + String(Unicode.Scalar(UInt8(value))) + "y") }
        for text in texts {
            var buffer = ByteBuffer()
            buffer.writeJSONString(text)
            expectSame(buffer, try AppJSON.encoder.encode(text), text.debugDescription)
        }
        // What the rules turned out to be, spelled out.
        var buffer = ByteBuffer()
        buffer.writeJSONString("\u{0}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\u{7F}\"\\/\u{2028}\u{2029}é")
        #expect(
            ByteFixtures.bytes(buffer)
                == Array(#""\u0000\b\t\n\u000b\f\r\u001f"#.utf8) + [0x7F] + Array(#"\"\\/"#.utf8)
                + Array("\u{2028}\u{2029}é\"".utf8))
    }

    @Test("One expense: every hostile field, currency, amount, date, instant and id")
    func expensesMatchTheEncoder() throws {
        for expense in ByteFixtures.expenses {
            expectSame(
                ExpenseJSON.expense(expense, base: ByteFixtures.base),
                try AppJSON.encoder.encode(ExpenseResponse(expense, base: ByteFixtures.base)),
                "\(expense)".prefix(300).description)
        }
    }

    @Test("Random expenses drawn from a hostile alphabet")
    func randomExpensesMatchTheEncoder() throws {
        var generator = SeededGenerator(seed: 2026_11_29)
        for _ in 0..<3000 {
            let expense = ByteFixtures.randomExpense(using: &generator)
            expectSame(
                ExpenseJSON.expense(expense, base: ByteFixtures.base),
                try AppJSON.encoder.encode(ExpenseResponse(expense, base: ByteFixtures.base)),
                "\(expense)".prefix(300).description)
        }
    }

    @Test("Pages: empty, one, many; next_cursor null and set")
    func pagesMatchTheEncoder() throws {
        var generator = SeededGenerator(seed: 7)
        let random = (0..<200).map { _ in ByteFixtures.randomExpense(using: &generator) }
        let cursor = ExpenseCursor(date: CalendarDate(year: 2026, month: 11, day: 29)!, sequence: 123_456).token
        for items in [[], [ByteFixtures.expense()], Array(random.prefix(2)), random, ByteFixtures.expenses] {
            for next in [nil, cursor, "", "a\"b\\c/\u{0}"] {
                let reference = ExpensePageResponse(
                    items: items.map { ExpenseResponse($0, base: ByteFixtures.base) }, nextCursor: next)
                expectSame(
                    ExpenseJSON.page(items, nextCursor: next, base: ByteFixtures.base),
                    try AppJSON.encoder.encode(reference),
                    "\(items.count) items, cursor \(next.debugDescription)")
            }
        }
    }

    @Test(
        "The API sends the encoder's bytes, its Content-Type and Content-Length, with ETag and Location",
        arguments: TestBackend.available)
    func apiAnswersAsTheEncoderWould(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga \"</script>\"", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let base = "/api/v1/orgs/\(org)/expenses"
            let created = try await client.send(
                .post, base,
                json: [
                    "amount": "12.3", "currency": "BHD", "date": "2026-11-02",
                    "merchant": "Café \"Zürich\" \\ a/b \u{2028} 👍🏽", "note": "line\nbreak\ttab\u{7F} e\u{301}",
                    "tags": ["client-x", "tävel"],
                ], headers: owner.auth)
            #expect(created.status == .created)
            let id = created.json["id"] as? String ?? ""
            #expect(created.headers[.location] == "\(base)/\(id)")
            #expect(created.headers[.eTag] == "\"1\"")
            try Self.expectEncoderBytes(created)

            let shown = try await client.send(.get, "\(base)/\(id)", headers: owner.auth)
            #expect(shown.status == .ok && shown.headers[.eTag] == "\"1\"" && shown.headers[.location] == nil)
            try Self.expectEncoderBytes(shown)
            #expect(Array(shown.body.utf8) == Array(created.body.utf8))

            var headers = owner.auth
            headers[.ifMatch] = "\"1\""
            let updated = try await client.send(
                .patch, "\(base)/\(id)", json: ["note": "", "tags": [String]()], headers: headers)
            #expect(updated.status == .ok && updated.headers[.eTag] == "\"2\"")
            try Self.expectEncoderBytes(updated)

            _ = try await client.logExpense(org, ["amount": "1", "date": "2026-11-01"], by: owner)
            let list = try await client.send(.get, "\(base)?limit=1", headers: owner.auth)
            #expect(list.status == .ok)
            #expect(list.headers[.contentType] == "application/json; charset=utf-8")
            #expect(list.headers[.contentLength] == String(list.body.utf8.count))
            let items = (list.json["items"] as? [[String: Any]] ?? []).map(Self.expense)
            let next = list.json["next_cursor"] as? String
            #expect(items.count == 1 && next != nil)
            let reference = ExpensePageResponse(
                items: items.map { ExpenseResponse($0, base: Self.eur) }, nextCursor: next)
            #expect(Array(list.body.utf8) == Array(try AppJSON.encoder.encode(reference)))
            let last = try await client.send(.get, "\(base)?limit=1&cursor=\(next ?? "")", headers: owner.auth)
            #expect(last.body.hasSuffix(#""next_cursor":null}"#))
        }
    }

    /// The body is what the encoder makes of the expense it describes, read back independently.
    static func expectEncoderBytes(_ reply: Reply) throws {
        #expect(reply.headers[.contentType] == "application/json; charset=utf-8")
        #expect(reply.headers[.contentLength] == String(reply.body.utf8.count))
        let expense = Self.expense(reply.json)
        #expect(Array(reply.body.utf8) == Array(try AppJSON.encoder.encode(ExpenseResponse(expense, base: Self.eur))))
    }

    /// An `Expense` from its JSON, for the reference encoding.
    static func expense(_ json: [String: Any]) -> Expense {
        let currency = (try? Currency(code: json["currency"] as? String ?? "")) ?? (try! Currency(code: "EUR"))
        func instant(_ key: String) -> Date {
            (try? Date.ISO8601FormatStyle().parse(json[key] as? String ?? "")) ?? .distantPast
        }
        return Expense(
            id: ExpenseID(uuidString: json["id"] as? String ?? "") ?? ExpenseID(), tenantID: TenantID(),
            memberID: UserID(uuidString: json["member_id"] as? String ?? "") ?? UserID(),
            memberName: json["member_name"] as? String ?? "",
            categoryID: (json["category_id"] as? String).flatMap(CategoryID.init(uuidString:)),
            categoryName: json["category_name"] as? String,
            amount: (try? Money(parsing: json["amount"] as? String ?? "", currency: currency))
                ?? Money(minorUnits: 0, currency: currency)!,
            date: (try? CalendarDate(parsing: json["date"] as? String ?? "")) ?? .earliest,
            merchant: json["merchant"] as? String ?? "", note: json["note"] as? String ?? "",
            tags: json["tags"] as? [String] ?? [], version: json["version"] as? Int ?? -1, sequence: 0,
            createdAt: instant("created_at"), updatedAt: instant("updated_at"),
            baseMinorUnits: (json["base_amount"] as? String).flatMap { try? Money(parsing: $0, currency: eur) }?
                .minorUnits)
    }

    /// The organization the API test makes counts in euros.
    static let eur = try! Currency(code: "EUR")
}
