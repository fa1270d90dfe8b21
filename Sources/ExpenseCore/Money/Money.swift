import Foundation

/// An exact amount: integer minor units of an ISO 4217 currency (cents for USD, yen for JPY,
/// fils for BHD). Never a floating-point number.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    /// The largest magnitude one amount may have, in minor units (a quadrillion minus one:
    /// 9,999,999,999,999.99 USD). A million of them still sum exactly in `MoneyTotal`.
    public static let maximumMinorUnits: Int64 = 999_999_999_999_999

    /// An amount in range, or nil.
    public init?(minorUnits: Int64, currency: Currency) {
        guard minorUnits.magnitude <= UInt64(Self.maximumMinorUnits) else { return nil }
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a plain decimal such as `12.34`, `-5` or `0.5`, with at most as many decimals as
    /// the currency has. No exponents, signs other than a leading `-`, separators or spaces
    /// inside; anything else, or an amount out of range, is a `ValidationError` on `field`.
    public init(parsing text: String, currency: Currency, field: String = "amount") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var rest = Substring(trimmed)
        let negative = rest.first == "-"
        if negative { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || (!fraction.isEmpty && fraction.allSatisfy(\.isASCIIDigit))
        else {
            throw ValidationError(field, "Enter an amount like 12.34, with a dot for decimals and no other signs.")
        }
        guard fraction.count <= currency.exponent else {
            let message =
                currency.exponent == 0
                ? "\(currency.code) amounts have no decimals."
                : "\(currency.code) amounts have at most \(currency.exponent) decimals."
            throw ValidationError(field, message)
        }
        // Whole units, then the fraction padded to the currency's exponent; every step checked.
        let digits =
            whole.drop { $0 == "0" } + fraction + String(repeating: "0", count: currency.exponent - fraction.count)
        var value: Int64 = 0
        for digit in digits {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(Int64(digit.wholeNumberValue!))
            guard !overflowA, !overflowB, next <= Self.maximumMinorUnits else {
                throw ValidationError(field, "That amount is too large.")
            }
            value = next
        }
        self.minorUnits = negative ? -value : value
        self.currency = currency
    }

    /// The exact decimal, e.g. `12.34`, `-0.05`, `1000` (JPY), `1.500` (BHD).
    public var decimalString: String { MoneyFormat.decimal(Int128(minorUnits), exponent: currency.exponent) }

    public var description: String { "\(decimalString) \(currency.code)" }
}

/// A sum of amounts of one currency, wide enough that no realistic ledger overflows it
/// (a million maximal amounts need 60 bits of the 127 available).
public struct MoneyTotal: Sendable, Hashable {
    public private(set) var minorUnits: Int128 = 0
    public private(set) var count: Int = 0
    public let currency: Currency

    public init(currency: Currency) {
        self.currency = currency
    }

    public init(currency: Currency, minorUnits: Int128, count: Int) {
        self.currency = currency
        self.minorUnits = minorUnits
        self.count = count
    }

    /// Adds an amount of the same currency; another currency is refused, never converted.
    public mutating func add(_ money: Money) throws(CurrencyMismatch) {
        guard money.currency == currency else { throw CurrencyMismatch(total: currency, added: money.currency) }
        minorUnits += Int128(money.minorUnits)
        count += 1
    }

    /// Adds another total of the same currency (days rolled up into a month, say).
    public mutating func add(_ other: MoneyTotal) throws(CurrencyMismatch) {
        guard other.currency == currency else { throw CurrencyMismatch(total: currency, added: other.currency) }
        minorUnits += other.minorUnits
        count += other.count
    }

    public var decimalString: String { MoneyFormat.decimal(minorUnits, exponent: currency.exponent) }
}

/// Amounts of different currencies do not add up; totals are kept per currency.
public struct CurrencyMismatch: Error, Sendable, Equatable {
    public let total: Currency
    public let added: Currency

    public init(total: Currency, added: Currency) {
        self.total = total
        self.added = added
    }
}

enum MoneyFormat {
    static func decimal(_ minorUnits: Int128, exponent: Int) -> String {
        let sign = minorUnits < 0 ? "-" : ""
        let digits = String(minorUnits.magnitude)
        guard exponent > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -exponent)
        return sign + padded[..<split] + "." + padded[split...]
    }
}

extension Character {
    /// 0 to 9 only: amounts never take other scripts' digits.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
