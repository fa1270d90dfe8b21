import ExpenseCore
import Foundation

/// A budget's period as a bar: `<meter>` of the share spent (held at 100 when over).
struct BudgetBar: Sendable {
    /// "November 2026".
    var label: String
    var start: String
    var end: String
    /// "€85.00 of €100.00".
    var spent: String
    /// "€15.00 left", or "€5.00 over".
    var remaining: String
    var percent: Int
    var meter: Int
    var over: Bool
    /// "1 expense waits for a rate", when some do.
    var unconverted: String?

    init(_ status: BudgetStatus, period: Budget.Period) {
        let base = status.budget.currency
        label = BudgetAlerts.label(period, start: status.start)
        start = status.start.description
        end = status.end.description
        spent = "\(MoneyTotal(currency: base, minorUnits: status.spent, count: 0).text) of \(status.budget.text)"
        let left = status.remaining
        remaining =
            left >= 0
            ? "\(MoneyTotal(currency: base, minorUnits: left, count: 0).text) left"
            : "\(MoneyTotal(currency: base, minorUnits: -left, count: 0).text) over"
        percent = status.percent
        meter = min(max(status.percent, 0), 100)
        over = left < 0
        unconverted =
            status.unconverted == 0
            ? nil
            : status.unconverted == 1
                ? "1 expense waits for a rate" : "\(status.unconverted) expenses wait for a rate"
    }
}

/// A budget as a line of the list and the dashboard.
struct BudgetRow: Sendable {
    var id: String
    var link: String
    var name: String
    /// "Monthly, all expenses", "Quarterly, Travel".
    var scope: String
    var alerts: String
    var current: BudgetBar

    init(_ view: BudgetService.View, organization: OrganizationID) {
        id = view.budget.id.description
        link = "/orgs/\(organization)/budgets/\(view.budget.id)"
        name = view.budget.name
        let every =
            switch view.budget.period {
            case .month: "Monthly"
            case .quarter: "Quarterly"
            case .year: "Yearly"
            }
        scope = "\(every), \(view.categoryName ?? "all expenses")"
        alerts = "Alerts at " + view.budget.alertPercents.map { "\($0)%" }.joined(separator: ", ")
        current = BudgetBar(view.current, period: view.budget.period)
    }
}

/// The fields of the budget form, with their errors.
struct BudgetForm: Sendable, Decodable {
    var name: String?
    var amount: String?
    var period: String?
    var categoryID: String?
    /// "80, 100".
    var alerts: String?

    var periods: [Choice] = []
    var categories: [Choice] = []
    var nameError: String? = nil
    var amountError: String? = nil
    var periodError: String? = nil
    var categoryError: String? = nil
    var alertsError: String? = nil

    enum CodingKeys: String, CodingKey {
        case name, amount, period, alerts
        case categoryID = "category_id"
    }

    init(
        name: String? = nil, amount: String? = nil, period: String? = "month", categoryID: String? = nil,
        alerts: String? = "80, 100"
    ) {
        self.name = name
        self.amount = amount
        self.period = period
        self.categoryID = categoryID
        self.alerts = alerts
    }

    init(_ budget: Budget) {
        self.init(
            name: budget.name, amount: budget.amount.decimalString, period: budget.period.rawValue,
            categoryID: budget.categoryID?.description,
            alerts: budget.alertPercents.map(String.init).joined(separator: ", "))
    }

    /// The service's input; a percent list that is not whole numbers is an error of its own.
    func input() throws -> BudgetService.Input {
        var percents: [Int] = []
        for word in (alerts ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            guard let percent = Int(word.trimmingCharacters(in: CharacterSet(charactersIn: "%"))) else {
                throw ValidationError("alert_percents", "Give whole percents separated by commas, such as 80, 100.")
            }
            percents.append(percent)
        }
        var input = BudgetService.Input(
            name: name ?? "", amount: amount ?? "", period: period ?? "", categoryID: categoryID ?? "",
            categoryGiven: true, alertPercents: percents)
        input.amountAsTyped = true
        return input
    }

    mutating func show(_ error: ValidationError) {
        nameError = error.message(for: "name")
        amountError = error.message(for: "amount")
        periodError = error.message(for: "period")
        categoryError = error.message(for: "category_id")
        alertsError = error.message(for: "alert_percents")
    }

    /// Fills the choices, the current values selected.
    mutating func offer(_ categories: [Category], base: Currency) {
        periods = Budget.Period.allCases.map {
            Choice(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == period)
        }
        self.categories =
            [Choice(value: "", label: "All expenses", selected: (categoryID ?? "").isEmpty)]
            + categories.filter { !$0.isArchived || $0.id.description == categoryID }.map {
                Choice(value: $0.id.description, label: $0.name, selected: $0.id.description == categoryID)
            }
    }
}

struct BudgetsPage: PageModel {
    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var base: String
    var budgets: [BudgetRow]
    var hasBudgets: Bool
    var canManage: Bool
    var form: BudgetForm
}

struct BudgetPage: PageModel {
    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var base: String
    var budget: BudgetRow
    /// The last twelve periods, newest first.
    var periods: [BudgetBar]
    var canManage: Bool
    var form: BudgetForm
}
