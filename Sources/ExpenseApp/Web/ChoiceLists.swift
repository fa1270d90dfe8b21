import ExpenseCore
import Foundation

/// The lists behind the currency and time-zone fields: a `<datalist>` lets a desktop browser
/// search them as the person types (a code, a name, a city) and a phone offer them natively,
/// while the field still takes a typed value, which the server checks as before.
struct ListOption: Sendable {
    var value: String
    var label: String

    /// Every currency the server accepts, by code, with its English name (`EUR`, "Euro").
    static let currencies: [ListOption] = Currency.knownCodes.map { code in
        ListOption(value: code, label: Locale(identifier: "en_US").localizedString(forCurrencyCode: code) ?? code)
    }

    /// Every time zone the server accepts, by name (`Europe/Lisbon`).
    static let timeZones: [ListOption] = TimeZoneName.known.map { ListOption(value: $0, label: "") }
}
