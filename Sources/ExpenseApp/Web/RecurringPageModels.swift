import ExpenseCore
import Foundation

/// A recurring expense as a line of the list.
struct RecurringRow: Sendable {
    var id: String
    var link: String
    var merchant: String
    var amount: String
    /// "Every month from 31 Dec 2026, 12 times".
    var rule: String
    /// "Next on 31 Dec 2026", "Paused", "Ended".
    var state: String
    var member: String
    var paused: Bool
    var editable: Bool

    init(_ schedule: RecurringExpense, access: TenantAccess) {
        id = schedule.id.description
        link = "/orgs/\(access.tenantID)/recurring/\(schedule.id)"
        merchant = schedule.merchant.isEmpty ? "(no merchant)" : schedule.merchant
        amount = schedule.amount.text
        rule = Self.describe(schedule.rule)
        state =
            schedule.paused ? "Paused" : schedule.nextOn.map { "Next on \(PageFormat.day($0))" } ?? "Ended"
        member = schedule.memberName
        paused = schedule.paused
        editable = access.role.mayChange(expenseBy: schedule.memberID, actor: access.user.id)
    }

    /// "Every 2 weeks from 1 Dec 2026 until 1 Mar 2027", "Every month from 31 Dec 2026, 12 times".
    static func describe(_ rule: Recurrence) -> String {
        let text = RecurringService.describe(rule, day: PageFormat.day)
        return text.prefix(1).uppercased() + text.dropFirst()
    }
}

/// The recurring-expense form's fields and errors.
struct RecurringForm: Sendable, Decodable {
    var amount: String?
    var currency: String?
    var merchant: String?
    var categoryID: String?
    var note: String?
    var tags: String?
    var frequency: String?
    var interval: String?
    var startDate: String?
    var endDate: String?
    var count: String?

    var frequencies: [Choice] = []
    var categories: [Choice] = []
    var currencies = ListOption.currencies
    var amountError: String? = nil
    var currencyError: String? = nil
    var merchantError: String? = nil
    var categoryError: String? = nil
    var noteError: String? = nil
    var tagsError: String? = nil
    var frequencyError: String? = nil
    var intervalError: String? = nil
    var startError: String? = nil
    var endError: String? = nil
    var countError: String? = nil

    enum CodingKeys: String, CodingKey {
        case amount, currency, merchant, note, tags, frequency, interval, count
        case categoryID = "category_id"
        case startDate = "start_date"
        case endDate = "end_date"
    }

    init(currency: String, today: CalendarDate) {
        self.currency = currency
        frequency = "monthly"
        interval = "1"
        startDate = today.description
    }

    init(_ schedule: RecurringExpense) {
        amount = schedule.amount.decimalString
        currency = schedule.amount.currency.code
        merchant = schedule.merchant
        categoryID = schedule.categoryID?.description
        note = schedule.note
        tags = Tags.display(schedule.tags)
        frequency = schedule.rule.frequency.rawValue
        interval = String(schedule.rule.interval)
        startDate = schedule.rule.start.description
        endDate = schedule.rule.end?.description
        count = schedule.rule.count.map(String.init)
    }

    /// The service's input: every field stated, as a form sends them all.
    func input() throws -> RecurringService.Input {
        var validator = Validator()
        func whole(_ raw: String?, _ field: String) -> Int? {
            let trimmed = (raw ?? "").trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let value = Int(trimmed) else {
                validator.add(field, "Give a whole number.")
                return nil
            }
            return value
        }
        var input = RecurringService.Input()
        input.amount = amount ?? ""
        input.amountAsTyped = true
        input.currency = currency ?? ""
        input.merchant = merchant ?? ""
        input.categoryGiven = true
        input.categoryID = (categoryID ?? "").isEmpty ? nil : categoryID
        input.note = note ?? ""
        input.tags = Tags.words(tags ?? "")
        input.frequency = frequency ?? ""
        input.interval = whole(interval, "interval") ?? 1
        input.startDate = startDate ?? ""
        input.endGiven = true
        input.endDate = (endDate ?? "").isEmpty ? nil : endDate
        input.countGiven = true
        input.count = whole(count, "count")
        try validator.finish()
        return input
    }

    mutating func show(_ error: ValidationError) {
        amountError = error.message(for: "amount")
        currencyError = error.message(for: "currency")
        merchantError = error.message(for: "merchant")
        categoryError = error.message(for: "category_id")
        noteError = error.message(for: "note")
        tagsError = error.message(for: "tags")
        frequencyError = error.message(for: "frequency")
        intervalError = error.message(for: "interval")
        startError = (error.message(for: "start_date") ?? error.message(for: "date")).map(PageFormat.dateMessage)
        endError = error.message(for: "end_date").map(PageFormat.dateMessage)
        countError = error.message(for: "count")
    }

    mutating func offer(_ categories: [Category]) {
        frequencies = Recurrence.Frequency.allCases.map {
            Choice(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == frequency)
        }
        self.categories =
            [Choice(value: "", label: "No category", selected: (categoryID ?? "").isEmpty)]
            + categories.filter { !$0.isArchived || $0.id.description == categoryID }.map {
                Choice(value: $0.id.description, label: $0.name, selected: $0.id.description == categoryID)
            }
    }
}

struct RecurringListPage: PageModel {
    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var schedules: [RecurringRow]
    var hasSchedules: Bool
    var form: RecurringForm
}

struct RecurringPage: PageModel {
    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var schedule: RecurringRow
    /// "12 expenses written so far".
    var written: String
    var form: RecurringForm
    /// "2 occurrences fell in a closed period and were not logged, the last on 1 Dec 2026."
    var skipped: String? = nil
}
