import ExpenseCore
import Foundation
import NIOCore

/// Expenses with every hostile value the byte writers must get right, for the tests that hold
/// them against the encoder and the `String` CSV path.
enum ByteFixtures {
    /// Free text that JSON escapes or CSV quotes and neutralizes, and text neither touches.
    static let hostileTexts: [String] = {
        var texts = [
            "", "plain", "Café", "\"quoted\"", "\"", "\"\"", "back\\slash", "\\", "\\u0041", "\\n", "\\\"",
            "\u{7F}", "DEL\u{7F}end", "\u{2028}", "\u{2029}", "line\u{2028}sep\u{2029}para", "</script>",
            "<script>alert(1)</script>", "a/b//c", "http://example.org/x?y=1&z=2", "👍", "👍🏽", "👨‍👩‍👧‍👦",
            "🏳️‍🌈", "e\u{301}", "\u{301}", "\"\u{301}", "x\"\u{301},=1+1", "\u{FEFF}", "BOM\u{FEFF}inside",
            "ünïcødé 日本語 עברית العربية", "=SUM(A1)", "=HYPERLINK(\"http://evil\",\"click\")", "+1", "-1", "@x",
            "\tx", "\rx", "\nx", " =x", "'=x", "a,b", ",", "line\nbreak", "line\r\nbreak", "\r\n", "cr\rcr",
            "\u{0}", "nul\u{0}inside", "\u{10FFFF}", "\u{E000}", "\u{FFFD}",
            String(repeating: "long text, \"quoted\" \\ / é ", count: 400),
            String(repeating: "x", count: 70_000),
        ]
        var controls = ""
        for value in 0..<0x20 {
            let scalar = Unicode.Scalar(UInt8(value))
            texts.append(String(scalar))
            texts.append("a" + String(scalar) + "b")
            controls.unicodeScalars.append(scalar)
        }
        texts.append(controls)
        return texts
    }()

    /// Scalars random text is drawn from: the escaped, the quoted, the neutralized, and the rest.
    static let alphabet: [Unicode.Scalar] = {
        var scalars = (0..<0x20).map { Unicode.Scalar(UInt8($0)) }
        scalars +=
            "\"\\/,=+-@' <>&;:.0aZ\u{7F}\u{80}\u{A0}é\u{301}\u{308}\u{200D}\u{FE0F}\u{2028}\u{2029}\u{FEFF}日€"
            .unicodeScalars
        scalars += ["\u{1F44D}", "\u{1F3FD}", "\u{10FFFF}", "\u{FFFD}", "\u{E000}"]
        return scalars
    }()

    static func randomText(using generator: inout SeededGenerator, maximumLength: Int = 24) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...maximumLength, using: &generator) {
            text.unicodeScalars.append(alphabet.randomElement(using: &generator)!)
        }
        return text
    }

    /// No decimals, two, three and four.
    static let currencies = ["JPY", "KRW", "USD", "EUR", "BHD", "KWD", "CLF", "UYW"].map { try! Currency(code: $0) }

    /// Minor units from nothing to the largest amount allowed.
    static let minorUnits: [Int64] = [
        0, 1, 5, 9, 10, 99, 100, 101, 999, 1000, 1001, 12_345, 100_000, 1_234_567_890, Money.maximumMinorUnits - 1,
        Money.maximumMinorUnits,
    ]

    static let instants: [Date] = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_000_000),
        Date(timeIntervalSince1970: 1_796_000_000.999), Date(timeIntervalSince1970: -0.5),
        Date(timeIntervalSince1970: -2_208_988_800), Date(timeIntervalSince1970: 32_503_679_999.9),
        Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
        Date(timeIntervalSince1970: 1_000_000_000.123_456),
    ]

    static let dates = [
        CalendarDate.earliest, CalendarDate.latest, CalendarDate(year: 2000, month: 2, day: 29)!,
        CalendarDate(year: 2026, month: 11, day: 29)!, CalendarDate(year: 1999, month: 12, day: 31)!,
    ]

    static let ids = [
        UUID(uuidString: "00000000-0000-0000-0000-000000000000")!,
        UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!,
        UUID(uuidString: "0A1B2C3D-4E5F-6789-ABCD-EF0123456789")!,
    ]

    static func expense(
        id: UUID = UUID(), amount: Money = Money(minorUnits: 1234, currency: try! Currency(code: "USD"))!,
        date: CalendarDate = CalendarDate(year: 2026, month: 11, day: 29)!, category: (UUID, String)? = nil,
        merchant: String = "Café", note: String = "", tags: [String] = [], memberName: String = "Olga",
        memberID: UUID = UUID(), version: Int = 1, createdAt: Date = Date(timeIntervalSince1970: 1_796_000_000),
        updatedAt: Date = Date(timeIntervalSince1970: 1_796_000_321), baseMinorUnits: Int64? = nil
    ) -> Expense {
        Expense(
            id: ExpenseID(id), tenantID: TenantID(), memberID: UserID(memberID), memberName: memberName,
            categoryID: category.map { CategoryID($0.0) }, categoryName: category?.1, amount: amount, date: date,
            merchant: merchant, note: note, tags: tags, version: version, sequence: 1, createdAt: createdAt,
            updatedAt: updatedAt, baseMinorUnits: baseMinorUnits)
    }

    /// The organization's currency the fixtures' base amounts are in (three decimals: the widest).
    static let base = try! Currency(code: "BHD")

    /// The fixed cases: every hostile text in every free-text field, every currency with every
    /// amount, the edge dates and instants, no category, no tags and many.
    static var expenses: [Expense] {
        var expenses: [Expense] = []
        for (index, text) in hostileTexts.enumerated() {
            expenses.append(expense(merchant: text))
            expenses.append(expense(note: text))
            expenses.append(expense(memberName: text))
            expenses.append(expense(category: (ids[index % ids.count], text)))
            expenses.append(expense(tags: [text]))
            expenses.append(expense(tags: [text, "travel", text]))
            expenses.append(expense(tags: ["", text]))
        }
        for currency in currencies {
            for minor in minorUnits {
                for sign: Int64 in [1, -1] {
                    expenses.append(expense(amount: Money(minorUnits: sign * minor, currency: currency)!))
                }
            }
        }
        for instant in instants {
            expenses.append(expense(createdAt: instant, updatedAt: instant))
        }
        for date in dates { expenses.append(expense(date: date)) }
        for id in ids { expenses.append(expense(id: id, category: (id, "Travel"), memberID: id)) }
        for version in [0, 1, 9, 10, 123_456_789, Int.max, -1, Int.min] {
            expenses.append(expense(version: version))
        }
        expenses.append(expense(tags: []))
        expenses.append(expense(tags: (1...10).map { "tag-\($0)" }))
        expenses.append(expense(tags: (1...200).map { "t\($0)" }))
        expenses.append(expense(category: nil, merchant: "", note: "", tags: [], memberName: ""))
        for minor in minorUnits { expenses.append(expense(baseMinorUnits: minor)) }
        expenses.append(expense(baseMinorUnits: -Money.maximumMinorUnits))
        return expenses
    }

    /// A random expense: random text everywhere, a random currency, amount, date and instant.
    static func randomExpense(using generator: inout SeededGenerator) -> Expense {
        let currency = currencies.randomElement(using: &generator)!
        let minor = Int64.random(in: -Money.maximumMinorUnits...Money.maximumMinorUnits, using: &generator)
        let small = Int64.random(in: -2000...2000, using: &generator)
        let amount = Money(minorUnits: Bool.random(using: &generator) ? minor : small, currency: currency)!
        let day = Int.random(
            in: CalendarDate.earliest.dayNumber...CalendarDate.latest.dayNumber, using: &generator)
        let category: (UUID, String)? =
            Bool.random(using: &generator) ? (UUID(), randomText(using: &generator)) : nil
        var made = expense(
            amount: amount, date: CalendarDate(dayNumber: day), category: category,
            merchant: randomText(using: &generator), note: randomText(using: &generator, maximumLength: 200),
            tags: (0..<Int.random(in: 0...4, using: &generator)).map { _ in randomText(using: &generator) },
            memberName: randomText(using: &generator), version: Int.random(in: 1...1_000_000, using: &generator),
            createdAt: Date(
                timeIntervalSince1970: Double.random(in: -2_208_988_800...32_503_679_999, using: &generator)),
            updatedAt: Date(timeIntervalSince1970: Double.random(in: 0...2_000_000_000, using: &generator)),
            baseMinorUnits: Bool.random(using: &generator)
                ? Int64.random(in: -Money.maximumMinorUnits...Money.maximumMinorUnits, using: &generator) : nil)
        if Bool.random(using: &generator) { made.recurringID = RecurringID() }
        return made
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    /// Where two byte strings first differ, for a failure message a person can read.
    static func difference(_ actual: [UInt8], _ expected: [UInt8]) -> String {
        let common = min(actual.count, expected.count)
        let index = (0..<common).first { actual[$0] != expected[$0] } ?? common
        let from = max(0, index - 40)
        return "first difference at byte \(index) of \(actual.count) vs \(expected.count): got "
            + String(decoding: actual[from..<min(actual.count, index + 40)], as: UTF8.self).debugDescription
            + ", expected "
            + String(decoding: expected[from..<min(expected.count, index + 40)], as: UTF8.self).debugDescription
    }
}
