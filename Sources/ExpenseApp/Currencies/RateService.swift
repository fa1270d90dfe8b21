import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// An organization's exchange rates: units of its base currency per unit of another, one per
/// currency and day. Setting one writes the audit log in the same transaction.
public struct RateService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    /// Expenses a rate converts count toward their budgets from then on.
    let alerts: BudgetAlerts
    let logger: Logger

    public static let defaultPageSize = 100
    public static let maximumPageSize = 1000

    /// What a request gives: the other currency, the first day it applies, the rate as text.
    public struct Input: Sendable {
        public var currency: String
        public var date: String
        public var rate: String

        public init(currency: String, date: String, rate: String) {
            self.currency = currency
            self.date = date
            self.rate = rate
        }
    }

    /// Sets the rate (replacing that day's); returns it and whether it is new.
    public func set(_ access: TenantAccess, _ input: Input) async throws -> (DatedRate, created: Bool) {
        try access.require(.manageRates)
        let base = access.organization.currency
        let (currency, date, rate) = try validating {
            var validator = Validator()
            let currency = try validator.check { () throws -> Currency in
                let currency = try Currency(code: input.currency)
                guard currency != base else {
                    throw ValidationError("currency", "\(base.code) is the organization's own currency: its rate is 1.")
                }
                return currency
            }
            let date = try validator.check { try CalendarDate(parsing: input.date, field: "date") }
            let rate = try validator.check { try ExchangeRate(parsing: input.rate) }
            try validator.finish()
            return (currency!, date!, rate!)
        }
        let now = clock.now()
        let dated = DatedRate(currency: currency, date: date, rate: rate, updatedAt: now)
        let created = try await store.rates.set(access.transaction, dated)
        // The expenses waiting for this rate are converted with it, in the same transaction.
        let converted = try await BaseAmounts.fill(dated, in: access, store: store)
        if converted > 0 { try await alerts.check(access, touching: nil, at: now) }
        try await store.audit.append(
            access.transaction,
            AuditEntry(
                id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .rateSet,
                subjectType: .rate, subjectID: "\(currency.code) \(date)",
                details: .facts([
                    "currency": currency.code, "date": date.description, "rate": rate.decimalString,
                    "base": base.code, "converted": String(converted),
                ]),
                createdAt: now))
        return (dated, created)
    }

    /// What the rates page shows: each currency's newest rate, the newest 100 rates, and the
    /// expenses waiting for one (per currency, with the earliest date).
    public struct Overview: Sendable {
        public var newest: [DatedRate]
        public var recent: [DatedRate]
        public var waiting: [(currency: Currency, count: Int, first: CalendarDate)]
    }

    public func overview(_ access: TenantAccess) async throws -> Overview {
        try access.require(.viewOrganization)
        let tx = access.transaction
        return Overview(
            newest: try await store.rates.newestPerCurrency(tx),
            recent: try await store.rates.list(tx, currency: nil, from: nil, to: nil, limit: 100),
            waiting: try await store.expenses.waitingForRates(tx).map { ($0.0, $0.1, $0.2) })
    }

    /// Newest day first; everyone in the organization may read them.
    public func list(
        _ access: TenantAccess, currency: Currency?, from: CalendarDate?, to: CalendarDate?, limit: Int?
    ) async throws -> [DatedRate] {
        try access.require(.viewOrganization)
        let size = limit ?? Self.defaultPageSize
        guard (1...Self.maximumPageSize).contains(size) else {
            throw AppError.validation(.init("limit", "Ask for 1 to \(Self.maximumPageSize) rates."))
        }
        return try await store.rates.list(access.transaction, currency: currency, from: from, to: to, limit: size)
    }
}
