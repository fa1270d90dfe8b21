import ExpenseCore
import Foundation

struct RatesPage: PageModel {
    struct Row: Sendable {
        var currency: String
        var date: String
        var day: String
        var rate: String

        init(_ rate: DatedRate) {
            currency = rate.currency.code
            date = rate.date.description
            day = PageFormat.day(rate.date)
            self.rate = rate.rate.decimalString
        }
    }

    struct Waiting: Sendable {
        var currency: String
        /// "3 expenses".
        var count: String
        /// The earliest one's date, `4 Jan 2026`.
        var since: String
    }

    /// The form that sets one rate, with its errors.
    struct SetForm: Sendable {
        var currency = ""
        var date = ""
        var rate = ""
        var currencyError: String? = nil
        var dateError: String? = nil
        var rateError: String? = nil

        init(date: String) { self.date = date }

        init(_ form: WebRateController.RateForm) {
            currency = form.currency ?? ""
            date = form.date ?? ""
            rate = form.rate ?? ""
        }

        mutating func show(_ error: ValidationError) {
            currencyError = error.message(for: "currency")
            dateError = error.message(for: "date").map(PageFormat.dateMessage)
            rateError = error.message(for: "rate")
        }
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var base: String
    var canManage: Bool
    var newest: [Row]
    var recent: [Row]
    var waiting: [Waiting]
    /// Whether each list has rows (templates see stored values only).
    var hasNewest = false
    var hasRecent = false
    var hasWaiting = false
    var form: SetForm
    var fileError: String?
    var maxFile: String
    var currencies = ListOption.currencies

    /// "Imported 175,025 rates in 31 currencies for 4 Jan 1999 to 31 Dec 2025; 3 expenses
    /// converted. Left out: CYP, EEK (no longer currencies)."
    static func sentence(_ summary: RateService.ImportSummary) -> String {
        func count(_ value: Int, _ one: String, _ many: String) -> String {
            "\(value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) \(value == 1 ? one : many)"
        }
        var text =
            "Imported \(count(summary.rates, "rate", "rates")) in \(count(summary.currencies.count, "currency", "currencies")) "
            + "for \(PageFormat.day(summary.first)) to \(PageFormat.day(summary.last)); "
            + "\(count(summary.converted, "expense", "expenses")) converted."
        if !summary.skippedCodes.isEmpty {
            text += " Left out: \(summary.skippedCodes.joined(separator: ", ")) (no longer currencies)."
        }
        if summary.daysWithoutBase > 0 {
            text += " \(count(summary.daysWithoutBase, "day", "days")) did not quote the organization's currency."
        }
        return text
    }
}
