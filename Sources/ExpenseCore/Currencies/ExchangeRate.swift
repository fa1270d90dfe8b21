import Foundation

/// How many units of the organization's base currency one unit of another currency is worth:
/// an exact decimal of at most 12 significant digits (`significand` × 10^-`scale`), sent and
/// returned as a decimal string. Never a floating-point number.
public struct ExchangeRate: Sendable, Hashable, CustomStringConvertible {
    /// The digits, without trailing zeros: 1.0857 is 10857 with scale 4.
    public let significand: Int64
    /// Digits after the decimal point, 0 to `maximumScale`.
    public let scale: Int

    public static let significantDigits = 12
    /// The smallest rate is 10^-18 (one unit of a currency worth a quintillionth of the base).
    public static let maximumScale = 18

    /// Any positive significand and scale; trailing zeros are folded away. Nil when it has more
    /// than 12 significant digits or lies outside 10^-18 ..< 10^12.
    public init?(significand: Int64, scale: Int) {
        guard significand > 0 else { return nil }
        var significand = significand
        var scale = scale
        while scale > 0, significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        guard scale >= 0, scale <= Self.maximumScale, Self.digits(Int128(significand)) <= Self.significantDigits
        else { return nil }
        self.significand = significand
        self.scale = scale
    }

    /// Parses a plain positive decimal such as `1.0857`, `0.0061234` or `157`: no sign, exponent,
    /// separator or space inside, at most 12 significant digits; anything else is a
    /// `ValidationError` on `field`.
    public init(parsing text: String, field: String = "rate") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || (!fraction.isEmpty && fraction.allSatisfy(\.isASCIIDigit))
        else {
            throw ValidationError(field, "Give the rate as a decimal like 1.0857, with a dot and no other signs.")
        }
        // The significant digits, and where the point sits after them.
        let digits = (whole + fraction).drop { $0 == "0" }
        let significant = String(digits.reversed().drop { $0 == "0" }.reversed())
        guard !significant.isEmpty else { throw ValidationError(field, "A rate is more than zero.") }
        let scale = fraction.count - (digits.count - significant.count)
        let rangeMessage =
            "A rate has at most 12 significant digits, and lies between 0.000000000000000001 and 999999999999."
        guard significant.count <= Self.significantDigits, let value = Int64(significant) else {
            throw ValidationError(field, rangeMessage)
        }
        // 1500 is 15 with two zeros to its left of the point: kept as 1500, scale 0.
        let (shifted, overflow) =
            scale >= 0 ? (value, false) : value.multipliedReportingOverflow(by: Int64(Self.power(min(-scale, 18))))
        guard !overflow, let rate = ExchangeRate(significand: shifted, scale: max(scale, 0)) else {
            throw ValidationError(field, rangeMessage)
        }
        self = rate
    }

    /// The exact decimal, e.g. `1.0857`, `157`, `0.0061234`.
    public var decimalString: String { MoneyFormat.decimal(Int128(significand), exponent: scale) }
    public var description: String { decimalString }

    /// `amount` in `base`, rounded half to even at the base currency's exponent; nil when the
    /// result is out of `Money`'s range.
    public func convert(_ amount: Money, to base: Currency) -> Money? {
        let product = Int128(amount.minorUnits) * Int128(significand)
        let shift = base.exponent - amount.currency.exponent - scale
        let minor: Int128
        if shift >= 0 {
            let (value, overflow) = product.multipliedReportingOverflow(by: Self.power(shift))
            guard !overflow else { return nil }
            minor = value
        } else {
            minor = Self.roundedQuotient(product, Self.power(-shift))
        }
        guard minor.magnitude <= UInt128(Money.maximumMinorUnits) else { return nil }
        return Money(minorUnits: Int64(minor), currency: base)
    }

    /// The rate of `foreign` in `base` from two quotes against a third currency (the ECB's
    /// files quote every currency against the euro): `base` per unit of the third divided by
    /// `foreign` per unit of it, rounded half to even to 12 significant digits. Nil when the
    /// result lies outside the range of a rate.
    public static func cross(basePerUnit: ExchangeRate, foreignPerUnit: ExchangeRate) -> ExchangeRate? {
        // (b × 10^-sb) / (f × 10^-sf): the quotient of b × 10^24 by f has at least 13 digits.
        let numerator = Int128(basePerUnit.significand) * power(24)
        let denominator = Int128(foreignPerUnit.significand)
        // One rounding, at the 12th significant digit or at 10^-18, whichever is coarser.
        let digitCount = digits(numerator / denominator)
        var drop = max(0, digitCount - significantDigits, 24 - maximumScale - foreignPerUnit.scale + basePerUnit.scale)
        guard drop <= 36 else { return nil }
        var quotient = roundedQuotient(numerator, denominator * power(drop))
        if digits(quotient) > significantDigits {  // 999…9.5 rounded up to 10^12
            quotient /= 10
            drop += 1
        }
        let scale = 24 - drop - foreignPerUnit.scale + basePerUnit.scale
        guard quotient > 0, scale >= 0 else { return nil }
        return ExchangeRate(significand: Int64(quotient), scale: scale)
    }

    /// `numerator / denominator` (denominator > 0) rounded half to even.
    static func roundedQuotient(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        let quotient = numerator / denominator
        let remainder = (numerator % denominator).magnitude
        let twice = remainder * 2
        let half = denominator.magnitude
        let awayFromZero = twice > half || (twice == half && quotient % 2 != 0)
        guard awayFromZero else { return quotient }
        return numerator < 0 ? quotient - 1 : quotient + 1
    }

    static func power(_ exponent: Int) -> Int128 {
        (0..<exponent).reduce(Int128(1)) { value, _ in value * 10 }
    }

    static func digits(_ value: Int128) -> Int {
        var value = value.magnitude
        var count = 1
        while value >= 10 {
            value /= 10
            count += 1
        }
        return count
    }
}
