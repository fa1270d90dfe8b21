import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Logging, reading, changing and deleting expenses. Every change writes the audit log in its
/// own transaction; changes carry the version they were based on, so a stale one is refused.
public struct ExpenseService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    /// Budgets whose current period an expense falls in are checked after it is written.
    let alerts: BudgetAlerts
    let logger: Logger

    /// A page of the newest-first list and where the next one starts (nil on the last page).
    public struct Page: Sendable {
        public var items: [Expense]
        public var nextCursor: ExpenseCursor?
    }

    public static let defaultPageSize = 50
    public static let maximumPageSize = 200

    /// Logs an expense with its audit entry; the category, if given, must be an active one.
    public func create(_ access: TenantAccess, _ input: ExpenseInput) async throws -> Expense {
        try access.require(.createExpenses)
        var draft = try validating { try input.draft(defaultCurrency: access.organization.currency) }
        try Self.open(draft.date, in: access)
        draft.baseMinorUnits = try await BaseAmounts.of(draft, given: input.rate, in: access, store: store)
        let now = clock.now()
        let id: ExpenseID = ids()
        var snapshot = draft.auditSnapshot
        if input.reimbursable == false { snapshot["paid_by"] = Self.payer(reimbursable: false) }
        let audit = auditEntry(access, .expenseCreated, id, AuditDetails.after(snapshot), now)
        let author = ExpenseRepository.Author(id: access.user.id, name: access.user.name)
        guard
            var expense = try await store.expenses.create(
                access.transaction, id: id, draft, by: author, audit: audit, at: now)
        else { throw Self.unknownCategory }
        if input.reimbursable == false {
            _ = try await store.expenses.setReimbursable(access.transaction, id: id, false)
            expense.reimbursable = false
        }
        try await alerts.check(access, touching: [.init(date: draft.date, category: draft.categoryID)], at: now)
        try await WebhookEvents.emit(
            .expenseCreated, ExpenseResponse(expense, base: access.organization.currency), in: access, store: store,
            at: now)
        return expense
    }

    /// Who paid, as the audit log says it: the member (to be paid back) or the company.
    static func payer(reimbursable: Bool) -> String { reimbursable ? "member" : "company" }

    /// Merchants paid before, most used first, with the category each was last filed under.
    public func merchantSuggestions(_ access: TenantAccess) async throws -> [ExpenseRepository.MerchantSuggestion] {
        try access.require(.viewOrganization)
        let store = self.store
        return try await access.inTransaction { tx in try await store.expenses.merchantSuggestions(tx) }
    }

    public func find(_ access: TenantAccess, id: ExpenseID) async throws -> Expense {
        try access.require(.viewOrganization)
        let store = self.store
        let expense = try await access.inTransaction { tx in
            try await store.expenses.find(tx, id: id)
        }
        guard let expense else { throw AppError.notFound }
        return expense
    }

    /// A new expense as its form starts: in the organization's currency, dated today there. Only
    /// for a role that may add expenses (403 otherwise, as `create` would answer).
    public func newExpense(_ access: TenantAccess) throws -> ExpenseInput {
        try access.require(.createExpenses)
        let today = access.organization.today(at: clock.now())
        return ExpenseInput(currency: access.organization.currency.code, date: today.description)
    }

    /// The expense a form is about to change or delete: 404 if there is none, 403 unless the
    /// caller may change it (`update` and `delete` decide the same when the form is sent).
    public func findEditable(_ access: TenantAccess, id: ExpenseID) async throws -> Expense {
        try await Self.editable(id, access, in: access.transaction, store: store)
    }

    /// Applies the input's fields. `ifMatch` is the version the caller last saw; a different
    /// current version (someone changed it since) is `AppError.preconditionFailed`.
    public func update(_ access: TenantAccess, id: ExpenseID, _ input: ExpenseInput, ifMatch: Int?) async throws
        -> Expense
    {
        let now = clock.now()
        let store = self.store
        return try await access.inTransaction { tx in
            let current = try await Self.editable(id, access, in: tx, store: store)
            if let ifMatch, ifMatch != current.version { throw AppError.preconditionFailed }
            var draft = try validating { try input.draft(applyingTo: current) }
            // Converted again only when what it converts changes (or with a rate sent along);
            // otherwise the stored base amount stays, whatever rates came since.
            // (An empty rate field, as a form sends it, is no rate.)
            let converts = draft.amount != current.amount || draft.date != current.date
            let sendsRate = input.rate.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
            draft.baseMinorUnits =
                converts || sendsRate
                ? try await BaseAmounts.of(draft, given: input.rate, in: access, store: store) : current.baseMinorUnits
            _ = try await Self.category(draft.categoryID, current: current.categoryID, in: tx, store: store)
            // The stored values become the draft's, so the entry is known before the write; who
            // paid is in it when that changes (a refused change rolls the entry back with it).
            var before = current.auditSnapshot
            var after = draft.auditSnapshot
            if let reimbursable = input.reimbursable, reimbursable != current.reimbursable {
                before["paid_by"] = Self.payer(reimbursable: current.reimbursable)
                after["paid_by"] = Self.payer(reimbursable: reimbursable)
            }
            let audit =
                before == after
                ? nil
                : auditEntry(access, .expenseUpdated, id, AuditDetails.change(before: before, after: after), now)
            // A closed expense changes nothing that counts, and none moves into a closed period.
            if audit != nil {
                try Self.open(current.date, in: access)
                try Self.open(draft.date, in: access)
            }
            guard
                var updated = try await store.expenses.update(
                    tx, id: id, version: current.version, draft, audit: audit, at: now)
            else { throw AppError.preconditionFailed }
            if let reimbursable = input.reimbursable, reimbursable != current.reimbursable {
                guard try await store.expenses.setReimbursable(tx, id: id, reimbursable) else {
                    throw AppError.conflict("Take the expense out of its claim before marking it paid by the company.")
                }
                updated.reimbursable = reimbursable
            }
            // What counts toward a budget moved: its current period may have reached a percent.
            if updated.baseMinorUnits != current.baseMinorUnits || updated.date != current.date
                || updated.categoryID != current.categoryID
            {
                try await alerts.check(
                    access, touching: [.init(date: updated.date, category: updated.categoryID)], at: now)
            }
            try await WebhookEvents.emit(
                .expenseUpdated, ExpenseResponse(updated, base: access.organization.currency), in: access,
                store: store, at: now)
            return updated
        }
    }

    /// Deletes the expense, keeping its last values in the audit log.
    public func delete(_ access: TenantAccess, id: ExpenseID, ifMatch: Int?) async throws {
        let now = clock.now()
        let store = self.store
        try await access.inTransaction { tx in
            let current = try await Self.editable(id, access, in: tx, store: store)
            if let ifMatch, ifMatch != current.version { throw AppError.preconditionFailed }
            try Self.open(current.date, in: access)
            var snapshot = current.auditSnapshot
            snapshot["member_id"] = current.memberID.description
            let audit = auditEntry(access, .expenseDeleted, id, AuditDetails.before(snapshot), now)
            guard try await store.expenses.delete(tx, id: id, version: current.version, audit: audit) else {
                throw AppError.preconditionFailed
            }
            try await WebhookEvents.emit(
                .expenseDeleted, ExpenseResponse(current, base: access.organization.currency), in: access,
                store: store, at: now)
        }
    }

    /// What the filter selects, in all: a total and a count per currency.
    public func totals(_ access: TenantAccess, _ filter: ExpenseFilter) async throws -> [MoneyTotal] {
        try access.require(.viewOrganization)
        let store = self.store
        return try await access.reading { tx in try await store.expenses.filteredTotals(tx, filter) }
    }

    /// Newest first, after `cursor`, at most `limit` (1 to 200; 50 when nil).
    public func list(_ access: TenantAccess, _ filter: ExpenseFilter, cursor: ExpenseCursor?, limit: Int?)
        async throws -> Page
    {
        try access.require(.viewOrganization)
        let size = limit ?? Self.defaultPageSize
        guard (1...Self.maximumPageSize).contains(size) else {
            throw AppError.validation(.init("limit", "Ask for 1 to \(Self.maximumPageSize) items."))
        }
        let store = self.store
        let rows = try await access.reading { tx in
            try await store.expenses.list(tx, filter, after: cursor, limit: size + 1)
        }
        let items = Array(rows.prefix(size))
        return Page(items: items, nextCursor: rows.count > size ? items.last.map(ExpenseCursor.init(after:)) : nil)
    }

    /// The expense if it exists and the caller may change it: anyone's with `editAnyExpenses`,
    /// their own with `editOwnExpenses`. Others' answer 403; a missing one 404.
    static func editable(_ id: ExpenseID, _ access: TenantAccess, in tx: TenantTransaction, store: Store)
        async throws -> Expense
    {
        try access.require(.viewOrganization)
        guard let expense = try await store.expenses.find(tx, id: id) else { throw AppError.notFound }
        guard access.role.mayChange(expenseBy: expense.memberID, actor: access.user.id) else {
            throw notYours(access)
        }
        // In a claim on its way to the money, it is locked, whoever asks; the claim's row stays
        // locked against a change of state until this change commits.
        if let claim = expense.claimID, try await store.claims.lockedStatus(tx, id: claim)?.locksExpenses == true {
            throw AppError.expenseLocked
        }
        return expense
    }

    /// Refuses a date in a closed period (409) before anything is written; the database refuses
    /// it too, for a close that commits after this request read its organization.
    static func open(_ date: CalendarDate, in access: TenantAccess) throws {
        if access.organization.isClosed(date) {
            throw AppError.periodClosed(through: access.organization.closedThrough)
        }
    }

    /// The 403 for changing an expense the role does not allow changing.
    static func notYours(_ access: TenantAccess) -> AppError {
        .forbidden("Your role (\(access.role.rawValue)) allows changing only your own expenses.")
    }

    /// The category an expense is filed under: it must exist in this tenant, and be active
    /// unless the expense already had it.
    static func category(_ id: CategoryID?, current: CategoryID?, in tx: TenantTransaction, store: Store)
        async throws -> Category?
    {
        guard let id else { return nil }
        guard let category = try await store.categories.find(tx, id: id), !category.isArchived || id == current else {
            throw unknownCategory
        }
        return category
    }

    static let unknownCategory = AppError.validation(
        .init("category_id", "Choose one of the organization's active categories."))

    func auditEntry(
        _ access: TenantAccess, _ action: AuditAction, _ id: ExpenseID, _ details: AuditDetails, _ now: Date
    )
        -> AuditEntry
    {
        AuditEntry(
            id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: action, subjectType: .expense,
            subjectID: id.description, details: details, createdAt: now)
    }
}
