import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation

/// Tells owners, admins and finance when a budget's spending in its current period reaches one
/// of its alert percents: once per budget, period and percent, in the transaction of the change
/// that reached it.
///
/// Once is kept by the database: a row per budget, period and percent reached, inserted only if
/// absent. And no crossing is missed when expenses land at once on several servers: the budgets
/// concerned are locked (in id order) after the expense is written and before the sum is read,
/// so the second transaction sums after the first commits, its expense included. Spending that
/// falls back under a percent sends nothing, and reaching it again in the same period neither.
/// Only the current period alerts (in the organization's time zone): an expense dated in a past
/// period changes that period's figures but tells nobody.
struct BudgetAlerts: Sendable {
    let store: Store
    let settings: AccountSettings
    let ids: IDGenerator

    /// An expense of `category` dated `date` written or changed (its new date and category: a
    /// change can only raise spending where the expense now is).
    struct Touch: Sendable {
        var date: CalendarDate
        var category: CategoryID?
    }

    /// Checks the budgets whose current period the touches fall in (all budgets for `nil`, when
    /// rates converted expenses of any date), and queues the alerts they reach.
    func check(_ access: TenantAccess, touching: [Touch]?, at now: Date, only: BudgetID? = nil) async throws {
        // Read with the organization: most have none, and then this costs no statement.
        guard access.organization.hasBudgets || only != nil else { return }
        let tx = access.transaction
        let base = access.organization.currency
        let today = access.organization.today(at: now)
        let due = try await store.budgets.list(tx, base: base).filter { budget in
            if let only, budget.id != only { return false }
            guard let touching else { return true }
            let span = budget.period.span(of: today)
            return touching.contains { touch in
                touch.date >= span.start && touch.date <= span.end
                    && (budget.categoryID == nil || budget.categoryID == touch.category)
            }
        }
        guard !due.isEmpty else { return }
        try await store.budgets.lock(tx, ids: due.map(\.id))
        var recipients: [Member]?
        for budget in due {
            let span = budget.period.span(of: today)
            let (spent, _) = try await store.budgets.spent(
                tx, from: span.start, to: span.end, category: budget.categoryID)
            var reached: [Int] = []
            for percent in budget.reached(spent: spent) {
                if try await store.budgets.recordAlert(
                    tx, budget: budget.id, periodStart: span.start, percent: percent, spent: spent, at: now)
                {
                    reached.append(percent)
                }
            }
            // Several percents reached at once make one message, about the highest.
            guard let highest = reached.max() else { continue }
            if recipients == nil {
                recipients = try await store.memberships.listMembers(tx).filter { $0.role.can(.manageBudgets) }
            }
            let facts = BudgetMessages.Facts(
                organization: access.organization.name, budget: budget.name, percent: String(highest),
                spent: "\(MoneyTotal(currency: base, minorUnits: spent, count: 0).text) of \(budget.amount.text)",
                period: Self.label(budget.period, start: span.start),
                link: settings.publicBaseURL + "/orgs/\(access.tenantID)/budgets/\(budget.id)")
            for member in recipients ?? [] {
                try await Mailer.enqueue(
                    try BudgetMessages.alert(to: member.email, name: member.name, facts), in: tx, store: store,
                    settings: settings, ids: ids, at: now)
            }
        }
    }

    /// "November 2026", "Q4 2026", "2026".
    static func label(_ period: Budget.Period, start: CalendarDate) -> String {
        switch period {
        case .month: PageFormat.month(start)
        case .quarter: "Q\((start.month - 1) / 3 + 1) \(start.year)"
        case .year: String(start.year)
        }
    }
}
