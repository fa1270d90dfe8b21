import ExpenseCore
import ExpenseStore
import Foundation

/// Writes a schedule's due occurrences as ordinary expenses of its member, in its organization's
/// transaction with the schedule's row locked: of two workers on one schedule, the second waits,
/// then finds them written. Each is written at most once per schedule and date (also a unique
/// key), in the organization's time zone, catching up every date missed while no worker ran.
struct OccurrenceWriter: Sendable {
    let store: Store
    let ids: IDGenerator
    let alerts: BudgetAlerts

    /// Writes what is due of `id` by `now`; returns how many expenses it wrote.
    func writeDue(tenant: TenantID, id: RecurringID, at now: Date) async throws -> Int {
        let store = self.store
        return try await store.withTenant(tenant) { tx in
            guard var schedule = try await store.recurring.find(tx, id: id, lock: true) else { return 0 }
            return try await write(&schedule, in: tx, at: now)
        }
    }

    /// Writes the locked schedule's due occurrences and records how far it got.
    func write(_ schedule: inout RecurringExpense, in tx: TenantTransaction, at now: Date) async throws -> Int {
        guard !schedule.paused else { return 0 }
        // Logged as its member, who must still belong to the organization and log expenses;
        // otherwise the schedule pauses (its page says why) rather than write in their name.
        guard
            let (organization, role) = try await store.organizations.findWithRole(tx, user: schedule.memberID),
            role.can(.createExpenses), let user = try await store.users.find(tx, id: schedule.memberID)
        else {
            schedule.paused = true
            schedule.updatedAt = now
            try await store.recurring.update(tx, schedule)
            return 0
        }
        let today = organization.today(at: now)
        var access = TenantAccess(organization: organization, role: role, user: user, transaction: tx)
        // Read fresh: a close committed since the organization was read counts. (One that
        // commits while this writes is met by the expense trigger, and the next run skips.)
        access.organization.closedThrough = try await store.closes.closedThrough(tx)
        var written = 0
        for date in schedule.due(through: today)
        where try await !store.recurring.occurrenceExists(tx, schedule: schedule.id, date: date) {
            // The books are closed for that date: not written, counted for the schedule's page.
            if access.organization.isClosed(date) {
                schedule.skippedCount += 1
                schedule.lastSkippedOn = date
                continue
            }
            try await writeOccurrence(schedule, on: date, access: access, at: now)
            written += 1
        }
        if schedule.createdThrough.map({ $0 < today }) ?? true { schedule.createdThrough = today }
        schedule.createdCount += written
        schedule.nextOn = schedule.rule.next(after: schedule.createdThrough)
        try await store.recurring.update(tx, schedule)
        return written
    }

    private func writeOccurrence(
        _ schedule: RecurringExpense, on date: CalendarDate, access: TenantAccess, at now: Date
    )
        async throws
    {
        let tx = access.transaction
        func draft(category: CategoryID?) throws -> ExpenseDraft {
            try ExpenseDraft(
                amount: schedule.amount.decimalString, currency: schedule.amount.currency.code,
                date: date.description, categoryID: category?.description, merchant: schedule.merchant,
                note: schedule.note, tags: schedule.tags, defaultCurrency: schedule.amount.currency)
        }
        var draft = try draft(category: schedule.categoryID)
        draft.baseMinorUnits = try await BaseAmounts.of(draft, given: nil, in: access, store: store)
        let id: ExpenseID = ids()
        var snapshot = draft.auditSnapshot
        snapshot["recurring_id"] = schedule.id.description
        let author = ExpenseRepository.Author(id: access.user.id, name: access.user.name)
        func audit() -> AuditEntry {
            AuditEntry(
                id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .expenseCreated,
                subjectType: .expense, subjectID: id.description, details: AuditDetails.after(snapshot), createdAt: now)
        }
        var created = try await store.expenses.create(tx, id: id, draft, by: author, audit: audit(), at: now)
        if created == nil {
            // Its category was archived or deleted since: the occurrence is logged without one.
            draft.categoryID = nil
            snapshot = draft.auditSnapshot
            snapshot["recurring_id"] = schedule.id.description
            created = try await store.expenses.create(tx, id: id, draft, by: author, audit: audit(), at: now)
        }
        try await store.recurring.markOccurrence(tx, expense: id, schedule: schedule.id, date: date)
        if !schedule.reimbursable { _ = try await store.expenses.setReimbursable(tx, id: id, false) }
        try await alerts.check(access, touching: [.init(date: date, category: draft.categoryID)], at: now)
        if var created {
            created.reimbursable = schedule.reimbursable
            try await WebhookEvents.emit(
                .expenseCreated, ExpenseResponse(created, base: access.organization.currency), in: access,
                store: store, at: now)
        }
    }
}
