import Foundation
import Testing

@testable import ExpenseCore

/// Rates as exact decimals: parsing, conversion rounded half to even at the base currency's
/// exponent, and cross rates rounded half to even to 12 significant digits, each checked against
/// an independent computation in Foundation's `Decimal` (38 decimal digits, exact at these sizes).
@Suite struct ExchangeRateTests {
    @Test func ratesParseExactlyAndRefuseWhatIsNoRate() throws {
        #expect(try ExchangeRate(parsing: "1.0857").decimalString == "1.0857")
        #expect(try ExchangeRate(parsing: "1.50").decimalString == "1.5")
        #expect(try ExchangeRate(parsing: "1500").decimalString == "1500")
        #expect(try ExchangeRate(parsing: "0.000000000000000001").decimalString == "0.000000000000000001")
        #expect(try ExchangeRate(parsing: "999999999999").decimalString == "999999999999")
        #expect(try ExchangeRate(parsing: "123456.789012").significand == 123_456_789_012)
        for bad in [
            "", "0", "0.000", "-1", "+1", "1e3", "1,5", " 1 .5", "1.", ".5", "1.2.3", "１", "1234567890123",
            "1.23456789012345", "0.0000000000000000001", "1000000000000",
        ] {
            #expect(throws: ValidationError.self, "\(bad.debugDescription)") { try ExchangeRate(parsing: bad) }
        }
    }

    @Test func conversionRoundsHalfToEvenAtTheBaseExponent() throws {
        let eur = try Currency(code: "EUR")
        let usd = try Currency(code: "USD")
        let jpy = try Currency(code: "JPY")
        let bhd = try Currency(code: "BHD")
        func convert(_ minor: Int64, _ from: Currency, _ rate: String, _ to: Currency) throws -> Int64? {
            try ExchangeRate(parsing: rate).convert(Money(minorUnits: minor, currency: from)!, to: to)?.minorUnits
        }
        #expect(try convert(1000, usd, "0.9", eur) == 900)  // 10.00 USD → 9.00 EUR
        #expect(try convert(1, usd, "0.5", eur) == 0)  // 0.005 → 0.00 (half to even)
        #expect(try convert(3, usd, "0.5", eur) == 2)  // 0.015 → 0.02
        #expect(try convert(1000, jpy, "0.0061234", eur) == 612)  // ¥1000 → €6.1234 → €6.12
        #expect(try convert(1, eur, "0.4105", bhd) == 4)  // €0.01 → 0.004105 BHD → 0.004
        #expect(try convert(150, eur, "163.5", jpy) == 245)  // €1.50 → ¥245.25 → ¥245
        #expect(try convert(999_999_999_999_999, eur, "2", usd) == nil)  // out of range
    }

    @Test(arguments: [0, 2, 3])
    func conversionEqualsAnIndependentDecimalComputation(exponent: Int) throws {
        let base = try Currency(code: ["JPY", "EUR", "BHD"][[0, 2, 3].firstIndex(of: exponent)!])
        var generator = SeededGenerator(state: UInt64(7_000 + exponent))
        for _ in 0..<2_000 {
            let foreign = try Currency(code: ["JPY", "USD", "KWD", "GBP"].randomElement(using: &generator)!)
            let minor = Int64.random(in: 1...10_000_000_000, using: &generator)
            let significand = Int64.random(in: 1...999_999_999_999, using: &generator)
            let scale = Int.random(in: 0...18, using: &generator)
            guard let rate = ExchangeRate(significand: significand, scale: scale) else { continue }
            let amount = Money(minorUnits: minor, currency: foreign)!
            var exact =
                Decimal(minor) * Decimal(rate.significand)
                * pow(Decimal(10), base.exponent) / pow(Decimal(10), foreign.exponent + rate.scale)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &exact, 0, .bankers)
            let expected =
                rounded.magnitude <= Decimal(Money.maximumMinorUnits)
                ? NSDecimalNumber(decimal: rounded).int64Value : nil
            #expect(rate.convert(amount, to: base)?.minorUnits == expected, "\(amount) at \(rate) in \(base.code)")
        }
    }

    @Test func crossRatesRoundHalfToEvenToTwelveSignificantDigits() throws {
        // The ECB quotes 1 EUR = 1.0857 USD and 163.5 JPY: 1 JPY = 1.0857 / 163.5 USD.
        let usdPerEuro = try ExchangeRate(parsing: "1.0857")
        let jpyPerEuro = try ExchangeRate(parsing: "163.5")
        #expect(
            ExchangeRate.cross(basePerUnit: usdPerEuro, foreignPerUnit: jpyPerEuro)?.decimalString == "0.00664036697248"
        )
        // The euro itself in a USD organization: 1.0857 / 1.
        let one = try ExchangeRate(parsing: "1")
        #expect(ExchangeRate.cross(basePerUnit: usdPerEuro, foreignPerUnit: one)?.decimalString == "1.0857")
        var generator = SeededGenerator(state: 42)
        for _ in 0..<2_000 {
            guard
                let base = ExchangeRate(
                    significand: .random(in: 1...999_999_999_999, using: &generator),
                    scale: .random(in: 0...12, using: &generator)),
                let foreign = ExchangeRate(
                    significand: .random(in: 1...999_999_999_999, using: &generator),
                    scale: .random(in: 0...12, using: &generator))
            else { continue }
            let crossed = ExchangeRate.cross(basePerUnit: base, foreignPerUnit: foreign)
            var quotient =
                (Decimal(base.significand) / pow(Decimal(10), base.scale))
                / (Decimal(foreign.significand) / pow(Decimal(10), foreign.scale))
            // Round once, to 12 significant digits or to 18 decimals (a rate's finest step),
            // whichever is coarser.
            let magnitude = Self.digitsBeforePoint(quotient)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, min(12 - magnitude, 18), .bankers)
            if let crossed {
                #expect(crossed.decimalString == "\(rounded)", "\(base) / \(foreign)")
            } else {
                // Only out of a rate's range.
                #expect(rounded >= Decimal(1_000_000_000_000) || rounded == 0)
            }
        }
    }

    /// Digits before the decimal point (0 or negative for a value below 1: 0.00123 is -2).
    static func digitsBeforePoint(_ value: Decimal) -> Int {
        var count = 0
        var probe = value
        while probe >= 1 {
            probe /= 10
            count += 1
        }
        while probe < Decimal(string: "0.1")!, probe > 0 {
            probe *= 10
            count -= 1
        }
        return count
    }
}
