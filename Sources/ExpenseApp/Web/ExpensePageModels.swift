import ExpenseCore
import ExpenseStore
import Foundation

/// A horizontal bar chart drawn on the server: labels and values are text of the page, so they
/// keep their size on a phone, and each bar is a small SVG stretched to its row (no script, no
/// inline style). The same numbers are in a table beside it for copying.
struct BarChart: Sendable {
    struct Bar: Sendable {
        var label: String
        var value: String
        var width: Int
        /// The SVG's width, stretched to the row: templates read stored values only.
        var area = BarChart.barArea
    }

    var label: String
    var bars: [Bar]
    var isEmpty: Bool { bars.isEmpty }

    static let barArea = 360

    /// One chart per currency, the organization's first, then the others that have any
    /// spending, by code: amounts in different currencies are never added up or left out
    /// without a word (there are no exchange rates to convert them).
    static func perCurrency(
        base: Currency, present: some Sequence<Currency>, label: (Currency) -> String,
        items: (Currency) -> [(label: String, minorUnits: Int128, value: String)]
    ) -> [BarChart] {
        let others = Set(present).subtracting([base]).sorted { $0.code < $1.code }
        return ([base] + others).compactMap { currency in
            let rows = items(currency)
            guard currency == base || rows.contains(where: { $0.minorUnits != 0 }) else { return nil }
            return BarChart(label: label(currency), items: rows)
        }
    }

    /// One bar per item, scaled to the largest; amounts in minor units of one currency.
    init(label: String, items: [(label: String, minorUnits: Int128, value: String)]) {
        self.label = label
        let largest = items.map(\.minorUnits).max() ?? 0
        bars = items.map { item in
            let width = largest > 0 ? Int(item.minorUnits * Int128(Self.barArea) / largest) : 0
            return Bar(label: item.label, value: item.value, width: max(width, item.minorUnits > 0 ? 2 : 0))
        }
    }
}

/// An expense as a row of a page.
struct ExpenseRow: Sendable {
    var id: String
    /// `30 Nov 2026`, with the ISO date beside it for machines and on hover.
    var date: String
    var isoDate: String
    var amount: String
    var currency: String
    var category: String
    var merchant: String
    /// Nil when there is none: templates take an empty string as something to show.
    var note: String?
    /// Shown as chips, each its own word.
    var tags: [String]
    var member: String
    var editable: Bool
    /// The number of receipts, nil when there is none (the list says "missing").
    var receipts: Int?
    /// What the expense's page is headed, and its link in the list is called: the merchant, or
    /// the amount when there is none.
    var merchantOrAmount: String
    /// For an expense in another currency than the organization's: its base amount ("€11.30"),
    /// or that it waits for a rate. Nil in the organization's own currency.
    var inBase: String?
    /// Its date is in a closed period: "The books are closed through 30 Sep 2026".
    var closedNote: String?

    /// `locked`: its claim is submitted, approved or reimbursed, so nobody may change it.
    init(_ expense: Expense, access: TenantAccess, locked: Bool = false) {
        id = expense.id.description
        date = PageFormat.day(expense.date)
        isoDate = expense.date.description
        amount = expense.amount.text
        currency = expense.amount.currency.code
        category = expense.categoryName ?? "Uncategorized"
        merchant = PageFormat.excerpt(expense.merchant, limit: 80)
        note = expense.note.isEmpty ? nil : PageFormat.excerpt(expense.note, limit: 140)
        tags = expense.tags
        member = expense.memberName
        let closed = access.organization.isClosed(expense.date)
        editable = access.role.mayChange(expenseBy: expense.memberID, actor: access.user.id) && !locked && !closed
        closedNote = access.organization.closedThrough.flatMap {
            closed ? "The books are closed through \(PageFormat.day($0)), so this expense no longer changes." : nil
        }
        receipts = expense.receiptCount > 0 ? expense.receiptCount : nil
        merchantOrAmount =
            expense.merchant.isEmpty ? expense.amount.text : PageFormat.excerpt(expense.merchant, limit: 80)
        let base = access.organization.currency
        if expense.amount.currency != base {
            inBase =
                expense.baseMinorUnits.flatMap { Money(minorUnits: $0, currency: base)?.text }
                ?? "not yet in \(base.code): waiting for a rate"
        }
    }
}

/// An amount per currency as pages show it.
struct AmountCell: Sendable {
    var amount: String
    var currency: String
    var count: Int
    /// "10 expenses", "1 expense".
    var expenses: String

    init(_ total: MoneyTotal) {
        amount = total.text
        currency = total.currency.code
        count = total.count
        expenses = total.count == 1 ? "1 expense" : "\(total.count) expenses"
    }
}

struct OrganizationDashboardPage: PageModel {
    var title: String
    /// Lists use a laptop's width (the layout reads it).
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var monthLabel: String
    /// The days of last month the comparison covers, e.g. `October 2026 1–30`.
    var lastMonthLabel: String
    var thisMonth: [AmountCell]
    var lastMonth: [AmountCell]
    /// "All in EUR: €1,234.56", when the month has spending in other currencies.
    var inBase: String?
    var change: String?
    /// One per currency, the organization's first.
    var charts: [BarChart]
    var categories: [CategoryTotalRow]
    var hasCategories: Bool
    var latest: [ExpenseRow]
    var hasLatest: Bool
    var claims: ClaimCounts
    /// Each budget's current period, as bars.
    var budgets: [BudgetRow]
    var hasBudgets: Bool
    /// "30 Sep 2026" when the books are closed through that date.
    var closedThrough: String? = nil
}

/// The dashboard's claim line: each part nil when it does not apply, the line absent when none does.
struct ClaimCounts: Sendable {
    /// "2 claims awaiting your approval".
    var awaiting: String?
    /// "1 approved claim to reimburse".
    var toReimburse: String?
    /// "Owed to you: 12.50 EUR".
    var owed: String?
    var any: Bool

    init(_ summary: ClaimService.Summary) {
        let awaiting = summary.awaitingApproval
        self.awaiting =
            awaiting == 0
            ? nil : awaiting == 1 ? "1 claim awaiting your approval" : "\(awaiting) claims awaiting your approval"
        let paying = summary.toReimburse
        toReimburse =
            paying == 0 ? nil : paying == 1 ? "1 approved claim to reimburse" : "\(paying) approved claims to reimburse"
        owed = summary.owed.isEmpty ? nil : "Owed to you: " + summary.owed.map(\.text).joined(separator: " · ")
        any = self.awaiting != nil || toReimburse != nil || owed != nil
    }
}

struct CategoryTotalRow: Sendable {
    var name: String
    var totals: [AmountCell]
    /// In the base currency: "2 wait for a rate", when some do.
    var unconverted: String? = nil
}

struct ExpenseListPage: PageModel {
    var title: String
    /// Lists use a laptop's width (the layout reads it).
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var filter: FilterForm
    var rows: [ExpenseRow]
    var hasRows: Bool
    /// "3 expenses match: €12.50, ¥3,200" over the whole filtered set, not just this page.
    var summary: String?
    var nextLink: String?
    var csvLink: String

    static func summary(_ totals: [MoneyTotal], filtered: Bool) -> String? {
        let count = totals.reduce(0) { $0 + $1.count }
        guard count > 0 else { return nil }
        let amounts = totals.map(\.text).joined(separator: ", ")
        let what = count == 1 ? "1 expense" : "\(count) expenses"
        return filtered ? "\(what) match: \(amounts)" : "\(what) in all: \(amounts)"
    }
}

/// The list's filter fields, as the query string gave them.
struct FilterForm: Sendable {
    var from = ""
    var to = ""
    var q = ""
    var tag = ""
    var minAmount = ""
    var maxAmount = ""
    var categories: [Choice] = []
    var members: [Choice] = []
    /// Any, with a receipt, or missing one (`has_receipt`).
    var receipts: [Choice] = []
    var errors: [String] = []
    /// The filter panel starts open when a filter is in force or needs correcting.
    var isOpen = false
}

struct ExpenseFormPage: PageModel {
    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var action: String
    var submitLabel: String
    /// The add form offers "Save and add another" for entering several in a row.
    var isNew: Bool
    var form: ExpenseForm
    var deleteLink: String?
}

/// The add and edit form's fields and their errors.
struct ExpenseForm: Sendable, Decodable {
    var amount: String?
    var currency: String?
    var date: String?
    var categoryID: String?
    var merchant: String?
    var note: String?
    var tags: String?
    var version: String?
    /// `another` from the add form's "Save and add another" button.
    var then: String?
    /// Ticked ("on") when the company paid: the expense is not reimbursable, so no claim takes it.
    var companyCard: String?
    /// A rate for this expense alone, in units of the organization's currency per unit of the
    /// expense's; empty for the organization's rate for its date.
    var rate: String?

    var categories: [Choice] = []
    /// Merchants paid before (most used first, with their usual category) and the currencies,
    /// offered as the person types.
    var merchants: [ListOption] = []
    var currencies = ListOption.currencies
    var amountError: String? = nil
    var currencyError: String? = nil
    var dateError: String? = nil
    var categoryError: String? = nil
    var merchantError: String? = nil
    var noteError: String? = nil
    var tagsError: String? = nil
    var rateError: String? = nil
    /// The organization's currency, named by the rate field.
    var baseCurrency = ""
    /// The rate field starts open when the expense is in another currency, or the field has
    /// something to show.
    var rateOpen = false
    /// The receipt file field and a refused file's message.
    var upload: ReceiptUploadField? = nil
    var fileError: String? = nil

    enum CodingKeys: String, CodingKey {
        case amount, currency, date, merchant, note, tags, version, then, rate
        case categoryID = "category_id"
        case companyCard = "company_card"
    }

    init(
        amount: String? = nil, currency: String? = nil, date: String? = nil, categoryID: String? = nil,
        merchant: String? = nil, note: String? = nil, tags: String? = nil, version: String? = nil
    ) {
        self.amount = amount
        self.currency = currency
        self.date = date
        self.categoryID = categoryID
        self.merchant = merchant
        self.note = note
        self.tags = tags
        self.version = version
    }

    init(_ expense: Expense) {
        self.init(
            amount: expense.amount.decimalString, currency: expense.amount.currency.code,
            date: expense.date.description, categoryID: expense.categoryID?.description, merchant: expense.merchant,
            note: expense.note, tags: Tags.display(expense.tags), version: String(expense.version))
        companyCard = expense.reimbursable ? nil : "on"
    }

    mutating func show(_ error: ValidationError) {
        amountError = error.message(for: "amount")
        currencyError = error.message(for: "currency")
        dateError = error.message(for: "date").map(PageFormat.dateMessage)
        categoryError = error.message(for: "category_id")
        merchantError = error.message(for: "merchant")
        noteError = error.message(for: "note")
        tagsError = error.message(for: "tags")
        rateError = error.message(for: "rate")
    }

    /// Names the organization's currency in the rate field, opened when it matters.
    mutating func offerRate(base: Currency) {
        baseCurrency = base.code
        let currency = (currency ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        rateOpen =
            (!currency.isEmpty && currency != base.code) || rateError != nil
            || !(rate ?? "").trimmingCharacters(in: .whitespaces).isEmpty
    }
}

struct ExpenseDeletePage: PageModel {
    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var expense: ExpenseRow
    var version: Int
}

struct CategoriesPage: PageModel {
    struct Row: Sendable {
        var id: String
        var name: String
        var archived: Bool
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var active: [Row]
    var archived: [Row]
    var hasArchived: Bool
    var newName = ""
    var nameError: String? = nil
}
