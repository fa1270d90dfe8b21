import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Recurring expenses: set up, change (future occurrences only), pause, resume, delete (what
/// was written stays). A schedule logs as its member; who may change a schedule is who may
/// change that member's expenses. Everyone in the organization sees them. Each change is audited.
public struct RecurringService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    let writer: OccurrenceWriter
    let logger: Logger

    /// What a request gives; nil fields keep the schedule's (all but end, count, category,
    /// merchant, note and tags are required to set one up). `*Given` tell "clear it" from "not sent".
    public struct Input: Sendable {
        public var amount: String?
        public var currency: String?
        public var categoryID: String?
        public var categoryGiven = false
        public var merchant: String?
        public var note: String?
        public var tags: [String]?
        public var reimbursable: Bool?
        public var frequency: String?
        public var interval: Int?
        public var startDate: String?
        public var endDate: String?
        public var endGiven = false
        public var count: Int?
        public var countGiven = false
        /// Pages send the amount as people type it.
        public var amountAsTyped = false

        public init() {}
    }

    public func list(_ access: TenantAccess) async throws -> [RecurringExpense] {
        try access.require(.viewOrganization)
        return try await store.recurring.list(access.transaction)
    }

    public func find(_ access: TenantAccess, id: RecurringID) async throws -> RecurringExpense {
        try access.require(.viewOrganization)
        guard let schedule = try await store.recurring.find(access.transaction, id: id) else {
            throw AppError.notFound
        }
        return schedule
    }

    /// Sets one up as the caller's. Occurrences start from today: a start in the past writes
    /// no backlog; today's, when due, is written at once.
    public func create(_ access: TenantAccess, _ input: Input) async throws -> RecurringExpense {
        try access.require(.createExpenses)
        let now = clock.now()
        let today = access.organization.today(at: now)
        var schedule = try await validated(input, onto: nil, access)
        if schedule.rule.start < today { schedule.createdThrough = today.adding(days: -1) }
        schedule.nextOn = schedule.rule.next(after: schedule.createdThrough)
        try await store.recurring.insert(access.transaction, schedule)
        try await audit(access, .recurringCreated, schedule, now)
        _ = try await writer.write(&schedule, in: access.transaction, at: now)
        return schedule
    }

    /// Changes the template and the rule for occurrences still to come; those written stay,
    /// and no date up to the last one written is written again.
    public func update(_ access: TenantAccess, id: RecurringID, _ input: Input) async throws -> RecurringExpense {
        var schedule = try await editable(access, id)
        let now = clock.now()
        schedule = try await validated(input, onto: schedule, access)
        // As when set up: a start moved into the past logs no backlog (nothing written yet).
        let today = access.organization.today(at: now)
        if schedule.createdThrough == nil, schedule.rule.start < today {
            schedule.createdThrough = today.adding(days: -1)
        }
        schedule.updatedAt = now
        schedule.nextOn = schedule.rule.next(after: schedule.createdThrough)
        try await store.recurring.update(access.transaction, schedule)
        try await audit(access, .recurringUpdated, schedule, now)
        _ = try await writer.write(&schedule, in: access.transaction, at: now)
        return schedule
    }

    /// Pausing stops it; resuming goes on from today, without the dates missed while paused.
    public func setPaused(_ access: TenantAccess, id: RecurringID, _ paused: Bool) async throws -> RecurringExpense {
        var schedule = try await editable(access, id)
        guard schedule.paused != paused else { return schedule }
        let now = clock.now()
        schedule.paused = paused
        schedule.updatedAt = now
        if !paused {
            let yesterday = access.organization.today(at: now).adding(days: -1)
            if schedule.createdThrough.map({ $0 < yesterday }) ?? (schedule.rule.start <= yesterday) {
                schedule.createdThrough = yesterday
            }
            schedule.nextOn = schedule.rule.next(after: schedule.createdThrough)
        }
        try await store.recurring.update(access.transaction, schedule)
        try await audit(access, paused ? .recurringPaused : .recurringResumed, schedule, now)
        if !paused { _ = try await writer.write(&schedule, in: access.transaction, at: now) }
        return schedule
    }

    public func delete(_ access: TenantAccess, id: RecurringID) async throws {
        let schedule = try await editable(access, id)
        _ = try await store.recurring.delete(access.transaction, id: id)
        try await audit(access, .recurringDeleted, schedule, clock.now())
    }

    /// How many expenses it wrote that still exist.
    public func occurrences(_ access: TenantAccess, id: RecurringID) async throws -> Int {
        try await store.recurring.occurrenceCount(access.transaction, schedule: id)
    }

    // MARK: Helpers

    private func editable(_ access: TenantAccess, _ id: RecurringID) async throws -> RecurringExpense {
        guard let schedule = try await store.recurring.find(access.transaction, id: id, lock: true) else {
            throw AppError.notFound
        }
        guard access.role.mayChange(expenseBy: schedule.memberID, actor: access.user.id) else {
            throw AppError.forbidden("Your role (\(access.role.rawValue)) does not allow changing this schedule.")
        }
        return schedule
    }

    /// The schedule with the input applied, every field checked at once.
    private func validated(_ input: Input, onto current: RecurringExpense?, _ access: TenantAccess) async throws
        -> RecurringExpense
    {
        var validator = Validator()
        let now = clock.now()
        let start = input.startDate ?? current?.rule.start.description
        var draft: ExpenseDraft?
        do {
            draft = try ExpenseDraft(
                amount: input.amount ?? current?.amount.decimalString,
                currency: input.currency ?? current?.amount.currency.code, date: start,
                categoryID: input.categoryGiven ? input.categoryID : current?.categoryID?.description,
                merchant: input.merchant ?? current?.merchant ?? "", note: input.note ?? current?.note ?? "",
                tags: input.tags ?? current?.tags ?? [], defaultCurrency: access.organization.currency,
                amountAsTyped: input.amountAsTyped)
        } catch let error as ValidationError {
            // The template's date is the schedule's start.
            for field in error.fields { validator.add(field.name == "date" ? "start_date" : field.name, field.message) }
        }
        // An active category of the organization (a schedule keeps its own if archived since).
        if let category = draft?.categoryID, category != current?.categoryID {
            let found = try await store.categories.find(access.transaction, id: category)
            if found == nil || found?.isArchived == true {
                validator.add("category_id", "Choose one of the organization's active categories, or none.")
            }
        }
        let frequency: Recurrence.Frequency? = {
            guard let raw = input.frequency else { return current?.rule.frequency }
            return Recurrence.Frequency(rawValue: raw.lowercased())
        }()
        if frequency == nil { validator.add("frequency", "Choose daily, weekly, monthly or yearly.") }
        let end = try (input.endGiven ? input.endDate : current?.rule.end?.description).flatMap { raw in
            raw.isEmpty ? nil : try validator.check { try CalendarDate(parsing: raw, field: "end_date") }
        }
        let rule = try validator.check { () throws -> Recurrence? in
            guard let draft, let frequency else { return nil }
            return try Recurrence(
                frequency: frequency, interval: input.interval ?? current?.rule.interval ?? 1, start: draft.date,
                end: end, count: input.countGiven ? input.count : current?.rule.count)
        }
        try validating { try validator.finish() }
        guard let draft, let rule = rule ?? nil else {
            throw AppError.validation(.init("frequency", "Check the rule."))
        }
        return RecurringExpense(
            id: current?.id ?? ids(), memberID: current?.memberID ?? access.user.id,
            memberName: current?.memberName ?? access.user.name, amount: draft.amount, categoryID: draft.categoryID,
            merchant: draft.merchant, note: draft.note, tags: draft.tags,
            reimbursable: input.reimbursable ?? current?.reimbursable ?? true, rule: rule,
            paused: current?.paused ?? false, createdThrough: current?.createdThrough,
            createdCount: current?.createdCount ?? 0, nextOn: current?.nextOn, createdAt: current?.createdAt ?? now,
            updatedAt: now)
    }

    private func audit(_ access: TenantAccess, _ action: AuditAction, _ schedule: RecurringExpense, _ now: Date)
        async throws
    {
        try await store.audit.append(
            access.transaction,
            AuditEntry(
                id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: action,
                subjectType: .recurring, subjectID: schedule.id.description,
                details: .facts([
                    "merchant": schedule.merchant, "amount": schedule.amount.decimalString,
                    "currency": schedule.amount.currency.code, "rule": Self.describe(schedule.rule),
                ]),
                createdAt: now))
    }

    /// "every 2 weeks from 2026-11-02, 10 times", "every month from 2026-01-31 until
    /// 2026-12-31"; pages give their own way of writing a day.
    static func describe(_ rule: Recurrence, day: (CalendarDate) -> String = \.description) -> String {
        let unit =
            switch rule.frequency {
            case .daily: "day"
            case .weekly: "week"
            case .monthly: "month"
            case .yearly: "year"
            }
        var text = rule.interval == 1 ? "every \(unit)" : "every \(rule.interval) \(unit)s"
        text += " from \(day(rule.start))"
        if let end = rule.end { text += " until \(day(end))" }
        if let count = rule.count { text += count == 1 ? ", once" : ", \(count) times" }
        return text
    }
}
