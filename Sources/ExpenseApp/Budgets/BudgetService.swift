import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// An organization's budgets and how each stands. Everyone in the organization sees them;
/// owners, admins and finance set them up, change and delete them. Each change is audited, and
/// a new or changed budget already past an alert percent sends that alert at once.
public struct BudgetService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    let alerts: BudgetAlerts
    let logger: Logger

    /// What a request gives; nil fields keep what a budget has (all but `categoryID` are
    /// required to create one). `categoryGiven` tells "no category" from "not sent".
    public struct Input: Sendable {
        public var name: String?
        public var amount: String?
        public var period: String?
        public var categoryID: String?
        public var categoryGiven = false
        public var alertPercents: [Int]?
        /// Pages send the amount as people type it (`1,200.00`, `€50`).
        public var amountAsTyped = false

        public init(
            name: String? = nil, amount: String? = nil, period: String? = nil, categoryID: String? = nil,
            categoryGiven: Bool = false, alertPercents: [Int]? = nil
        ) {
            self.name = name
            self.amount = amount
            self.period = period
            self.categoryID = categoryID
            self.categoryGiven = categoryGiven || categoryID != nil
            self.alertPercents = alertPercents
        }
    }

    /// A budget and its current period.
    public struct View: Sendable {
        public var budget: Budget
        public var current: BudgetStatus
        public var categoryName: String?
    }

    public func list(_ access: TenantAccess) async throws -> [View] {
        try access.require(.viewOrganization)
        let budgets = try await store.budgets.list(access.transaction, base: access.organization.currency)
        let names = try await categoryNames(access)
        var views: [View] = []
        for budget in budgets {
            views.append(try await view(budget, access, names: names))
        }
        return views
    }

    public func find(_ access: TenantAccess, id: BudgetID) async throws -> View {
        try access.require(.viewOrganization)
        return try await view(try await found(access, id), access, names: try await categoryNames(access))
    }

    /// The budget's last `count` periods, oldest first, the current one last.
    public func history(_ access: TenantAccess, _ budget: Budget, count: Int = 12) async throws -> [BudgetStatus] {
        try access.require(.viewOrganization)
        let today = access.organization.today(at: clock.now())
        var statuses: [BudgetStatus] = []
        for span in budget.period.spans(count: count, upTo: today) {
            let (spent, waiting) = try await store.budgets.spent(
                access.transaction, from: span.start, to: span.end, category: budget.categoryID)
            statuses.append(
                BudgetStatus(
                    start: span.start, end: span.end, budget: budget.amount, spent: spent, unconverted: waiting))
        }
        return statuses
    }

    public func create(_ access: TenantAccess, _ input: Input) async throws -> View {
        try access.require(.manageBudgets)
        let now = clock.now()
        var budget = Budget(
            id: ids(), name: "", amount: Money(minorUnits: 1, currency: access.organization.currency)!,
            period: .month, categoryID: nil, alertPercents: Budget.defaultAlertPercents, createdAt: now,
            updatedAt: now)
        try await apply(input, to: &budget, access, creating: true)
        try await store.budgets.insert(access.transaction, budget)
        try await audit(access, .budgetCreated, budget, now)
        try await alerts.check(access, touching: nil, at: now, only: budget.id)
        return try await view(budget, access, names: try await categoryNames(access))
    }

    public func update(_ access: TenantAccess, id: BudgetID, _ input: Input) async throws -> View {
        try access.require(.manageBudgets)
        var budget = try await found(access, id, lock: true)
        let now = clock.now()
        try await apply(input, to: &budget, access, creating: false)
        budget.updatedAt = now
        try await store.budgets.update(access.transaction, budget)
        try await audit(access, .budgetUpdated, budget, now)
        try await alerts.check(access, touching: nil, at: now, only: budget.id)
        return try await view(budget, access, names: try await categoryNames(access))
    }

    public func delete(_ access: TenantAccess, id: BudgetID) async throws {
        try access.require(.manageBudgets)
        let budget = try await found(access, id, lock: true)
        _ = try await store.budgets.delete(access.transaction, id: id)
        try await audit(access, .budgetDeleted, budget, clock.now())
    }

    // MARK: Helpers

    private func found(_ access: TenantAccess, _ id: BudgetID, lock: Bool = false) async throws -> Budget {
        guard
            let budget = try await store.budgets.find(
                access.transaction, id: id, base: access.organization.currency, lock: lock)
        else { throw AppError.notFound }
        return budget
    }

    private func view(_ budget: Budget, _ access: TenantAccess, names: [CategoryID: String]) async throws -> View {
        let today = access.organization.today(at: clock.now())
        let span = budget.period.span(of: today)
        let (spent, waiting) = try await store.budgets.spent(
            access.transaction, from: span.start, to: span.end, category: budget.categoryID)
        return View(
            budget: budget,
            current: BudgetStatus(
                start: span.start, end: span.end, budget: budget.amount, spent: spent, unconverted: waiting),
            categoryName: budget.categoryID.map { names[$0] ?? "Unknown" })
    }

    private func categoryNames(_ access: TenantAccess) async throws -> [CategoryID: String] {
        let categories = try await store.categories.list(access.transaction)
        return Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Applies and checks every given field, reporting all problems at once.
    private func apply(_ input: Input, to budget: inout Budget, _ access: TenantAccess, creating: Bool) async throws {
        var validator = Validator()
        let base = access.organization.currency
        if creating || input.name != nil || input.alertPercents != nil {
            let checked = try validator.check {
                try Budget.validated(
                    name: input.name ?? (creating ? "" : budget.name),
                    alertPercents: input.alertPercents ?? (creating ? nil : budget.alertPercents))
            }
            if let (name, percents) = checked {
                budget.name = name
                budget.alertPercents = percents
            }
        }
        if creating || input.amount != nil {
            let raw = (input.amount ?? "").trimmingCharacters(in: .whitespaces)
            if let amount = try validator.check({ () throws -> Money in
                let amount =
                    input.amountAsTyped
                    ? try AmountEntry.money(typed: raw, currency: base) : try Money(parsing: raw, currency: base)
                guard amount.minorUnits > 0 else { throw ValidationError("amount", "A budget is more than zero.") }
                return amount
            }) {
                budget.amount = amount
            }
        }
        if creating || input.period != nil {
            if let period = Budget.Period(rawValue: (input.period ?? "").lowercased()) {
                budget.period = period
            } else {
                validator.add("period", "Choose month, quarter or year.")
            }
        }
        if input.categoryGiven {
            let raw = (input.categoryID ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty {
                budget.categoryID = nil
            } else if let id = CategoryID(uuidString: raw),
                let category = try await store.categories.find(access.transaction, id: id),
                !category.isArchived || category.id == budget.categoryID
            {
                budget.categoryID = category.id
            } else {
                validator.add("category_id", "Choose one of the organization's active categories, or none.")
            }
        }
        try validating { try validator.finish() }
    }

    private func audit(_ access: TenantAccess, _ action: AuditAction, _ budget: Budget, _ now: Date) async throws {
        var facts = [
            "name": budget.name, "amount": budget.amount.decimalString, "currency": budget.amount.currency.code,
            "period": budget.period.rawValue,
            "alert_percents": budget.alertPercents.map(String.init).joined(separator: ","),
        ]
        if let category = budget.categoryID { facts["category_id"] = category.description }
        try await store.audit.append(
            access.transaction,
            AuditEntry(
                id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: action,
                subjectType: .budget, subjectID: budget.id.description, details: .facts(facts), createdAt: now))
    }
}
