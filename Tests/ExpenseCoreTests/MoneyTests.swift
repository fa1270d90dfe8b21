import ExpenseCore
import Testing

/// A small deterministic generator (SplitMix64), so a failing property reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Money is exact, parsing is strict, nothing overflows.
@Suite struct MoneyTests {
    static let usd = try! Currency(code: "USD")
    static let jpy = try! Currency(code: "JPY")
    static let bhd = try! Currency(code: "BHD")
    static let clf = try! Currency(code: "CLF")

    @Test func currenciesCarryTheirExponent() throws {
        #expect(Self.jpy.exponent == 0)
        #expect(Self.usd.exponent == 2)
        #expect(Self.bhd.exponent == 3)
        #expect(Self.clf.exponent == 4)
        #expect(try Currency(code: "eur").code == "EUR")
        #expect(throws: ValidationError.self) { try Currency(code: "EURO") }
        #expect(throws: ValidationError.self) { try Currency(code: "XXX") }
    }

    @Test func parsesAndFormatsExactly() throws {
        let cases: [(String, Currency, Int64, String)] = [
            ("12.34", Self.usd, 1234, "12.34"), ("12.3", Self.usd, 1230, "12.30"), ("12", Self.usd, 1200, "12.00"),
            ("0.05", Self.usd, 5, "0.05"), ("-0.05", Self.usd, -5, "-0.05"), ("007.10", Self.usd, 710, "7.10"),
            ("1000", Self.jpy, 1000, "1000"), ("1.5", Self.bhd, 1500, "1.500"), ("0.001", Self.bhd, 1, "0.001"),
            ("9999999999999.99", Self.usd, 999_999_999_999_999, "9999999999999.99"), (" 4.20 ", Self.usd, 420, "4.20"),
        ]
        for (text, currency, minor, formatted) in cases {
            let money = try Money(parsing: text, currency: currency)
            #expect(money.minorUnits == minor, "\(text)")
            #expect(money.decimalString == formatted, "\(text)")
        }
    }

    @Test(arguments: [
        "12.345", "1.", ".5", "1e3", "1E3", "+5", "1,000.00", "1 000", "12.3.4", "--1", "-", "", "NaN", "inf", "0x10",
        "１２", "12.34\n", "10000000000000.00", "99999999999999999999", "9223372036854775808", "-9223372036854775809",
    ])
    func refusesWhatIsNotAPlainAmountInRange(_ text: String) {
        #expect(throws: ValidationError.self, "\(text)") { try Money(parsing: text, currency: Self.usd) }
    }

    @Test func refusesDecimalsTheCurrencyDoesNotHave() {
        #expect(throws: ValidationError("amount", "JPY amounts have no decimals.")) {
            try Money(parsing: "100.5", currency: Self.jpy)
        }
        #expect(throws: ValidationError.self) { try Money(parsing: "1.0001", currency: Self.bhd) }
    }

    @Test func parseOfFormatIsTheIdentity() throws {
        var random = SeededGenerator(state: 0xE7E1_5E00)
        for currency in [Self.jpy, Self.usd, Self.bhd, Self.clf] {
            for _ in 0..<5_000 {
                let minor = Int64.random(in: -Money.maximumMinorUnits...Money.maximumMinorUnits, using: &random)
                let money = try #require(Money(minorUnits: minor, currency: currency))
                let parsed = try Money(parsing: money.decimalString, currency: currency)
                #expect(parsed == money)
            }
        }
    }

    @Test func randomTextNeverCrashesAndWhatParsesFormatsBackToItsValue() throws {
        var random = SeededGenerator(state: 42)
        let alphabet = Array("0123456789.-+e ,")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &random)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            guard let money = try? Money(parsing: text, currency: Self.bhd) else { continue }
            #expect(try Money(parsing: money.decimalString, currency: Self.bhd) == money)
            #expect(money.minorUnits.magnitude <= UInt64(Money.maximumMinorUnits))
        }
    }

    @Test func outOfRangeMinorUnitsAreRefused() {
        #expect(Money(minorUnits: Money.maximumMinorUnits, currency: Self.usd) != nil)
        #expect(Money(minorUnits: Money.maximumMinorUnits + 1, currency: Self.usd) == nil)
        #expect(Money(minorUnits: .min, currency: Self.usd) == nil)
    }

    @Test func aMillionMaximalAmountsSumExactlyWithoutOverflow() throws {
        let largest = try #require(Money(minorUnits: Money.maximumMinorUnits, currency: Self.usd))
        var total = MoneyTotal(currency: Self.usd)
        for _ in 0..<1_000_000 { try total.add(largest) }
        #expect(total.count == 1_000_000)
        #expect(total.minorUnits == Int128(Money.maximumMinorUnits) * 1_000_000)
        #expect(total.decimalString == "9999999999999990000.00")
    }

    @Test func totalsMatchAnIndependentSumOfRandomAmounts() throws {
        var random = SeededGenerator(state: 7)
        var total = MoneyTotal(currency: Self.usd)
        var cents: Int128 = 0
        for _ in 0..<10_000 {
            let minor = Int64.random(in: 1...10_000_000, using: &random)
            try total.add(try #require(Money(minorUnits: minor, currency: Self.usd)))
            cents += Int128(minor)
        }
        #expect(total.minorUnits == cents)
        // The decimal string read back digit by digit gives the same number.
        let digits = String(total.decimalString.filter { $0 != "." })
        #expect(Int128(digits) == cents)
    }

    @Test func totalsRefuseAnotherCurrency() throws {
        var total = MoneyTotal(currency: Self.usd)
        let yen = try #require(Money(minorUnits: 100, currency: Self.jpy))
        #expect(throws: CurrencyMismatch(total: Self.usd, added: Self.jpy)) { try total.add(yen) }
        #expect(total.count == 0 && total.minorUnits == 0)
    }
}
