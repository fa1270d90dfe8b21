/// The signs people write for currencies. Pages show a currency's standard English sign where
/// it names one currency alone (`$` is the US dollar; the Canadian is `CA$`), and its code
/// otherwise (`CHF 12.00`). Forms also read the local signs people type (`$12` in a form whose
/// currency is CAD is Canadian dollars).
public enum CurrencySymbols {
    /// The sign shown before an amount, or nil where the code is shown instead.
    public static func display(for currency: Currency) -> String? { displayed[currency.code] }

    /// Every sign a form accepts for `currency` (its code aside).
    static func typed(for currency: Currency) -> [String] {
        var signs = local[currency.code] ?? []
        if let shown = displayed[currency.code] { signs.append(shown) }
        return signs
    }

    /// Every sign any currency is written with, so that one of another currency is recognised
    /// (and refused) rather than read as noise.
    static let allTyped: Set<String> = Set(displayed.values).union(local.values.joined())

    /// CLDR's English symbols that differ from the code.
    private static let displayed: [String: String] = [
        "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "KRW": "₩",
        "ILS": "₪", "VND": "₫", "BRL": "R$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "HKD": "HK$",
        "MXN": "MX$", "TWD": "NT$", "PHP": "₱", "XCD": "EC$", "XAF": "FCFA", "XPF": "CFPF",
    ]

    /// Signs used where the currency is at home, read in forms of that currency only.
    private static let local: [String: [String]] = [
        "USD": ["US$"], "CAD": ["$", "C$"], "AUD": ["$", "AU$"], "NZD": ["$"], "HKD": ["$"],
        "SGD": ["$", "S$"], "MXN": ["$"], "TWD": ["$"], "JPY": ["￥", "円"], "CNY": ["¥", "￥", "元"],
        "INR": ["Rs.", "Rs"], "CHF": ["Fr.", "SFr."], "SEK": ["kr"], "NOK": ["kr"], "DKK": ["kr."], "ISK": ["kr"],
        "PLN": ["zł"], "CZK": ["Kč"], "TRY": ["₺"], "RUB": ["₽"], "UAH": ["₴"], "NGN": ["₦"],
        "THB": ["฿"], "ZAR": ["R"], "KZT": ["₸"], "GEL": ["₾"], "AZN": ["₼"], "PKR": ["Rs"],
        "LKR": ["Rs"], "NPR": ["Rs"], "BDT": ["৳"], "MNT": ["₮"], "KHR": ["៛"], "LAK": ["₭"],
        "PYG": ["₲"], "CRC": ["₡"], "GHS": ["GH₵", "₵"],
    ]
}

/// An exact amount as pages show it: the sign or code, thousands separated by commas, the
/// currency's own number of decimals (`$1,200.00`, `¥3,200`, `CHF 12.50`, `-€5.00`).
public enum MoneyText {
    public static func text(_ minorUnits: Int128, _ currency: Currency) -> String {
        let plain = MoneyFormat.decimal(Int128(minorUnits.magnitude), exponent: currency.exponent)
        let parts = plain.split(separator: ".", maxSplits: 1)
        let whole = AmountEntry.grouped(String(parts[0]))
        let number = parts.count == 2 ? "\(whole).\(parts[1])" : whole
        let sign = minorUnits < 0 ? "-" : ""
        if let symbol = CurrencySymbols.display(for: currency) {
            // Letters in a sign (FCFA) need a space before the digits; marks ($, €) do not.
            let gap = symbol.last?.isLetter == true ? "\u{00A0}" : ""
            return sign + symbol + gap + number
        }
        return "\(sign)\(currency.code)\u{00A0}\(number)"
    }
}

extension Money {
    /// As pages show it, e.g. `$1,200.00` (see `MoneyText`).
    public var text: String { MoneyText.text(Int128(minorUnits), currency) }
}

extension MoneyTotal {
    /// As pages show it, e.g. `€49.70` (see `MoneyText`).
    public var text: String { MoneyText.text(minorUnits, currency) }
}
