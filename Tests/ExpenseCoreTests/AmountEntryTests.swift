import ExpenseCore
import Testing

/// Amounts as people type them into the pages, and amounts as the pages show them.
@Suite struct AmountEntryTests {
    static let usd = try! Currency(code: "USD")
    static let eur = try! Currency(code: "EUR")
    static let cad = try! Currency(code: "CAD")
    static let jpy = try! Currency(code: "JPY")
    static let inr = try! Currency(code: "INR")
    static let bhd = try! Currency(code: "BHD")
    static let chf = try! Currency(code: "CHF")

    static func minor(_ typed: String, _ currency: Currency) throws -> Int64 {
        try AmountEntry.money(typed: typed, currency: currency).minorUnits
    }

    static func message(_ typed: String, _ currency: Currency) -> String? {
        do {
            _ = try AmountEntry.money(typed: typed, currency: currency)
            return nil
        } catch let error as ValidationError {
            return error.message(for: "amount")
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        ("1,200.00", 120_000), ("$12.00", 1200), ("12.00 $", 1200), ("US$ 12", 1200), ("USD 12.5", 1250),
        ("12.5 usd", 1250), ("1 200.50", 120_050), ("1\u{202F}200.50", 120_050), ("1'200.50", 120_050),
        ("12", 1200), ("12.", 1200), (".5", 50), ("  7.25  ", 725), ("1,234,567.89", 123_456_789),
        ("-$5", -500), ("$-5", -500), ("−5.00", -500), ("0.05", 5),
    ])
    func unambiguousAmountsAreReadInUSD(typed: String, minorUnits: Int64) throws {
        #expect(try Self.minor(typed, Self.usd) == minorUnits)
    }

    @Test func eachCurrencyTakesItsOwnSignsAndGrouping() throws {
        #expect(try Self.minor("€12,000.10", Self.eur) == 1_200_010)
        #expect(try Self.minor("12 €", Self.eur) == 1200)
        #expect(try Self.minor("$12", Self.cad) == 1200)
        #expect(try Self.minor("CA$12", Self.cad) == 1200)
        #expect(try Self.minor("¥3,200", Self.jpy) == 3200)
        #expect(try Self.minor("3200円", Self.jpy) == 3200)
        #expect(try Self.minor("₹1,00,000", Self.inr) == 10_000_000)
        #expect(try Self.minor("Rs. 12,50,000.50", Self.inr) == 125_000_050)
        #expect(try Self.minor("CHF 1'200.50", Self.chf) == 120_050)
        #expect(try Self.minor("1.250", Self.bhd) == 1250)
        // A code is read before a sign: the R of EUR or INR is not the rand's sign.
        #expect(try Self.minor("12 EUR", Self.eur) == 1200)
        #expect(try Self.minor("INR 1,200", Self.inr) == 120_000)
        let zar = try Currency(code: "ZAR")
        #expect(try Self.minor("12 ZAR", zar) == 1200)
        #expect(try Self.minor("R12.50", zar) == 1250)
        #expect(try Self.minor("12 kr", try Currency(code: "SEK")) == 1200)
    }

    /// Never a thousand times too much: a leading 0 before a separator is a decimal comma
    /// mistyped, and a comma in a currency of three or more decimals could be either.
    @Test func leadingZeroGroupsAndDecimalCurrenciesAreNeverGuessed() {
        #expect(Self.message("0,500", Self.usd)?.hasPrefix("Type 0.500 for that amount, or 500") == true)
        #expect(Self.message("0 500", Self.usd)?.hasPrefix("Type 0.500") == true)
        #expect(Self.message("00,500", Self.usd)?.hasPrefix("Type 0.500 for that amount, or 500 without") == true)
        #expect(Self.message("0,000", Self.usd)?.hasPrefix("Type 0.000 for that amount, or 0 without") == true)
        #expect(
            Self.message("0,123,456,789,012,345,678,901", Self.usd)?.contains("or 123456789012345678901 without")
                == true)
        let clf = try! Currency(code: "CLF")
        #expect(Self.message("1,500", clf)?.hasPrefix("Type 1500 or 1.500") == true)
    }

    @Test func aDecimalCommaIsNeverGuessedAndTheMessageSaysWhatToType() {
        #expect(
            Self.message("12,50", Self.eur)
                == "Type 12.50 for that amount: use a dot for decimals, and commas only between thousands.")
        #expect(Self.message("1.200,50", Self.eur)?.hasPrefix("Type 1200.50 for that amount") == true)
        #expect(Self.message("1 200,5", Self.eur)?.hasPrefix("Type 1200.5 for that amount") == true)
        #expect(Self.message("1.200.000", Self.eur)?.hasPrefix("Type 1200000 or 1,200,000 for that amount") == true)
        #expect(Self.message("1.200", Self.eur)?.hasPrefix("Type 1200 or 1,200 if you meant thousands") == true)
        #expect(
            Self.message("12,345", Self.bhd)
                == "Type 12345 or 12.345: a comma could mean either, so use a dot for decimals.")
    }

    @Test func anotherCurrencysSignIsRefusedNotReadAsThisOne() {
        #expect(Self.message("$12", Self.eur)?.contains("“$” is not EUR") == true)
        #expect(Self.message("£12", Self.usd)?.contains("“£” is not USD") == true)
        #expect(Self.message("12 GBP", Self.usd)?.contains("“GBP” is not USD") == true)
    }

    @Test(arguments: ["", "abc", "12abc", "1,2,3", "12..5", "$", "1e3", "12 34", "1,,200", "$12$", "0x10", "½"])
    func nonsenseIsRefusedWithAnExample(typed: String) {
        let message = Self.message(typed, Self.usd)
        #expect(message != nil)
        #expect(message?.contains("Type") == true || message?.contains("like") == true, "\(typed): \(message ?? "")")
    }

    @Test func theCurrencysDecimalsAndRangeStillHold() {
        #expect(Self.message("0.125", Self.usd) == "USD amounts have at most 2 decimals.")
        #expect(Self.message("12.345", Self.usd)?.hasPrefix("Type 12345 or 12,345 if you meant thousands") == true)
        #expect(Self.message("12.5", Self.jpy) == "JPY amounts have no decimals.")
        #expect(Self.message("99,999,999,999,999,999", Self.usd) == "That amount is too large.")
    }

    @Test func pagesShowSignsThousandsAndTheCurrencysDecimals() throws {
        #expect(Money(minorUnits: 120_000, currency: Self.usd)!.text == "$1,200.00")
        #expect(Money(minorUnits: -500, currency: Self.eur)!.text == "-€5.00")
        #expect(Money(minorUnits: 3200, currency: Self.jpy)!.text == "¥3,200")
        #expect(Money(minorUnits: 5, currency: Self.usd)!.text == "$0.05")
        #expect(Money(minorUnits: 1_250, currency: Self.chf)!.text == "CHF\u{00A0}12.50")
        #expect(Money(minorUnits: 1_234_567, currency: Self.bhd)!.text == "BHD\u{00A0}1,234.567")
        #expect(Money(minorUnits: 1200, currency: Self.cad)!.text == "CA$12.00")
        let total = MoneyTotal(currency: Self.usd, minorUnits: Int128(Money.maximumMinorUnits) * 1_000_000, count: 1)
        #expect(total.text == "$9,999,999,999,999,990,000.00")
    }

    /// Whatever a page shows, its form reads back as the same amount.
    @Test func whatPagesShowFormsReadBack() throws {
        var generator = SeededGenerator(state: 15)
        for currency in [Self.usd, Self.eur, Self.jpy, Self.inr, Self.bhd, Self.chf, Self.cad] {
            for _ in 0..<500 {
                let minor = Int64.random(in: -Money.maximumMinorUnits...Money.maximumMinorUnits, using: &generator)
                let money = Money(minorUnits: minor, currency: currency)!
                #expect(try AmountEntry.money(typed: money.text, currency: currency) == money, "\(money.text)")
            }
        }
    }
}
