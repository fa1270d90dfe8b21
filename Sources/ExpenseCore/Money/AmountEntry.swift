import Foundation

/// An amount as a person types it into a form: `1,200.00`, `$12.00` for USD, `12 €`,
/// `1 200.50`, `₹1,00,000`. The API takes plain decimals only (`Money(parsing:)`); the pages
/// take what is unambiguous for the form's currency and, where a reading is a guess (`12,50`
/// could be twelve and a half or a typo), refuse with the exact text to type instead.
public enum AmountEntry {
    /// The amount `typed` means in `currency`, or a `ValidationError` on `field` that says what
    /// to type.
    public static func money(typed: String, currency: Currency, field: String = "amount") throws -> Money {
        let plain = try plainDecimal(typed: typed, currency: currency, field: field)
        return try Money(parsing: plain, currency: currency, field: field)
    }

    /// The plain decimal (`1200.00`, `-5`) that `typed` unambiguously means, before its range
    /// and number of decimals are checked.
    static func plainDecimal(typed: String, currency: Currency, field: String) throws -> String {
        let spaced = String(typed.unicodeScalars.map { spaces.contains($0) ? " " : Character($0) })
        var rest = Substring(spaced.trimmingCharacters(in: .whitespaces))
        var negative = rest.stripPrefix(minusSigns)
        try stripMarker(&rest, currency: currency, field: field)
        if !negative { negative = rest.stripPrefix(minusSigns) }
        let number = try reading(of: rest.trimmingCharacters(in: .whitespaces), currency: currency, field: field)
        return (negative ? "-" : "") + number
    }

    /// Removes one currency sign or code before or after the number, if it names `currency`.
    /// A sign of another currency is refused rather than read as this one.
    private static func stripMarker(_ rest: inout Substring, currency: Currency, field: String) throws {
        let mine = Set(CurrencySymbols.typed(for: currency) + [currency.code])
        for marker in markers(in: rest) {
            let named = marker.text.uppercased() == currency.code || mine.contains(String(marker.text))
            guard named else {
                let shown = String(marker.text)
                throw ValidationError(
                    field,
                    "“\(shown)” is not \(currency.code). Choose the currency “\(shown)” stands for, or type the amount alone, like 12.34."
                )
            }
            rest = marker.rest
            return
        }
    }

    /// A currency code or sign at the start or the end of the text: three letters that form an
    /// ISO code first (so the `R` of `EUR` is never the rand's sign), then the longest known
    /// sign, one of letters only where no other letter touches it (`R12`, `12 kr`).
    private static func markers(in text: Substring) -> [(text: Substring, rest: Substring)] {
        let leading = text.prefix { $0.isLetter }
        let trailing = Substring(text.reversed().prefix { $0.isLetter }.reversed())
        if leading.count == 3, (try? Currency(code: String(leading))) != nil {
            return [(leading, text.dropFirst(3))]
        }
        if trailing.count == 3, (try? Currency(code: String(trailing))) != nil {
            return [(trailing, text.dropLast(3))]
        }
        var found: [(text: Substring, rest: Substring)] = []
        for sign in CurrencySymbols.allTyped.sorted(by: { $0.count > $1.count }) {
            let wordLike = sign.last?.isLetter == true
            if text.hasPrefix(sign), !(wordLike && text.dropFirst(sign.count).first?.isLetter == true),
                !(sign.first?.isLetter == true && leading.count > sign.prefix { $0.isLetter }.count)
            {
                found.append((text.prefix(sign.count), text.dropFirst(sign.count)))
            }
            if text.hasSuffix(sign), !(sign.first?.isLetter == true && text.dropLast(sign.count).last?.isLetter == true)
            {
                found.append((text.suffix(sign.count), text.dropLast(sign.count)))
            }
            if !found.isEmpty { return found }
        }
        return found
    }

    /// Digits with separators read as thousands and a decimal point, or the exact text to type.
    private static func reading(of text: String, currency: Currency, field: String) throws -> String {
        let general = ValidationError(field, "Enter an amount like 1,200.00 or 12.34, with a dot for decimals.")
        guard !text.isEmpty, text.allSatisfy({ $0.isASCIIDigit || separators.contains($0) }),
            text.contains(where: \.isASCIIDigit)
        else { throw general }
        let digitsOnly = text.filter(\.isASCIIDigit)
        let dots = text.filter { $0 == "." }.count
        let commas = text.filter { $0 == "," }.count
        let lastDot = text.lastIndex(of: ".")
        let lastComma = text.lastIndex(of: ",")
        // A comma after the last dot, or a single comma before one or two digits: a decimal
        // comma. Never guessed: say the dotted form.
        if let lastComma, lastDot.map({ lastComma > $0 }) ?? true {
            let after = text[text.index(after: lastComma)...]
            let decimalComma =
                lastDot != nil || (commas == 1 && after.count != 3)
                || (commas == 1 && after.count == 3 && currency.exponent >= 3)
            if decimalComma, after.allSatisfy(\.isASCIIDigit) {
                let whole = text[..<lastComma].filter(\.isASCIIDigit)
                let suggestion = "\(whole.isEmpty ? "0" : whole).\(after)"
                if lastDot == nil && after.count == 3 {
                    throw ValidationError(
                        field,
                        "Type \(digitsOnly) or \(suggestion): a comma could mean either, so use a dot for decimals.")
                }
                throw ValidationError(
                    field,
                    "Type \(suggestion) for that amount: use a dot for decimals, and commas only between thousands.")
            }
        }
        if dots > 1 {
            throw ValidationError(
                field, "Type \(either(digitsOnly)) for that amount: a dot marks decimals only.")
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit), !(whole.isEmpty && fraction.isEmpty) else { throw general }
        // `1.200` in a currency of two decimals is most likely a thousand written the
        // continental way; a decimal reading would be refused anyway, so name both forms.
        if fraction.count == 3, currency.exponent < 3, commas == 0, (1...3).contains(whole.count), whole.first != "0",
            whole.allSatisfy(\.isASCIIDigit)
        {
            let decimals = currency.exponent == 0 ? "no decimals" : "at most \(currency.exponent) decimals"
            throw ValidationError(
                field,
                "Type \(either(digitsOnly)) if you meant thousands: a dot marks decimals, and \(currency.code) amounts have \(decimals)."
            )
        }
        let wholeDigits = try groupedDigits(whole, field: field)
        return (wholeDigits.isEmpty ? "0" : wholeDigits) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// The digits of a whole part written with one kind of thousands separator in groups of
    /// three (1,200,000) or the Indian lakh grouping (12,00,000).
    private static func groupedDigits(_ whole: Substring, field: String) throws -> String {
        let used = Set(whole.filter { !$0.isASCIIDigit })
        guard !used.isEmpty else { return String(whole) }
        let groups = whole.split(separator: used.first!, omittingEmptySubsequences: false)
        // `0,500` is no thousands: most likely a decimal comma; never read as 500.
        if groups[0].first == "0" {
            let rest = whole.drop { $0 == "0" || !$0.isASCIIDigit }.filter(\.isASCIIDigit)
            let fraction = groups.dropFirst().joined().filter(\.isASCIIDigit)
            throw ValidationError(
                field,
                "Type 0.\(fraction) for that amount, or \(rest.isEmpty ? "0" : rest) without the leading 0: a dot marks decimals."
            )
        }
        let sizes = groups.map(\.count)
        let western = (1...3).contains(sizes[0]) && sizes.dropFirst().allSatisfy { $0 == 3 }
        let indian =
            sizes.count >= 2 && sizes.last == 3 && (1...2).contains(sizes[0])
            && sizes.dropFirst().dropLast().allSatisfy { $0 == 2 }
        guard used.count == 1, groups.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), western || indian else {
            let digits = whole.filter(\.isASCIIDigit)
            throw ValidationError(
                field, "Type \(either(String(digits))) for that amount: separators go between thousands.")
        }
        return String(whole.filter(\.isASCIIDigit))
    }

    /// `1200 or 1,200`; just `125` where grouping changes nothing.
    private static func either(_ digits: String) -> String {
        let withCommas = grouped(digits)
        return withCommas == digits ? digits : "\(digits) or \(withCommas)"
    }

    /// `1200000` as `1,200,000`.
    static func grouped(_ digits: String) -> String {
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    private static let separators: Set<Character> = [".", ",", " ", "'", "’"]
    private static let minusSigns: [String] = ["-", "−"]
    /// No-break, narrow no-break and thin spaces, which copied amounts carry between thousands.
    private static let spaces: Set<Unicode.Scalar> = ["\u{00A0}", "\u{202F}", "\u{2009}"]
}

extension Substring {
    fileprivate mutating func stripPrefix(_ candidates: [String]) -> Bool {
        for candidate in candidates where hasPrefix(candidate) {
            self = dropFirst(candidate.count).drop { $0 == " " }
            return true
        }
        return false
    }
}
