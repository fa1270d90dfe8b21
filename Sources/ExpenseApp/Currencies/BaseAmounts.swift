import ExpenseCore
import ExpenseStore
import Foundation

/// Converts expenses into their organization's currency: once, when an expense is written, and
/// when a rate arrives for the expenses still waiting for one.
enum BaseAmounts {
    /// The base amount of a draft about to be written: its own amount in the organization's
    /// currency; converted at `given` (a rate sent with the expense) or at the latest rate on or
    /// before its date; nil when there is none yet.
    static func of(_ draft: ExpenseDraft, given: String?, in access: TenantAccess, store: Store) async throws
        -> Int64?
    {
        let base = access.organization.currency
        let given = try given.flatMap { raw -> ExchangeRate? in
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard draft.amount.currency != base else {
                throw AppError.validation(
                    .init("rate", "The expense is in \(base.code), the organization's own currency: it needs no rate."))
            }
            return try validating { try ExchangeRate(parsing: trimmed) }
        }
        if draft.amount.currency == base { return draft.amount.minorUnits }
        var rate = given
        if rate == nil {
            rate = try await store.rates.latest(
                access.transaction, currency: draft.amount.currency, onOrBefore: draft.date)?.rate
        }
        guard let rate else { return nil }
        guard let converted = rate.convert(draft.amount, to: base) else {
            throw AppError.validation(.init("amount", "In \(base.code) at that rate, the amount is too large."))
        }
        return converted.minorUnits
    }

    /// Fills in the expenses a new rate is now the latest for: its currency's unconverted
    /// expenses dated on or after it and before the currency's next rate. Same transaction as
    /// the rate. Returns how many were converted.
    static func fill(_ rate: DatedRate, in access: TenantAccess, store: Store) async throws -> Int {
        let tx = access.transaction
        let waiting = try await store.expenses.unconverted(tx, currency: rate.currency, from: rate.date)
        let next = try await store.rates.next(tx, currency: rate.currency, after: rate.date)
        var converted = 0
        for (id, amount, date) in waiting where next.map({ date < $0 }) ?? true {
            // An amount too large for the base currency at this rate stays unconverted.
            guard let base = rate.rate.convert(amount, to: access.organization.currency) else { continue }
            if try await store.expenses.setBaseAmount(tx, id: id, base.minorUnits) { converted += 1 }
        }
        return converted
    }

    /// Fills in every expense still waiting that now has a rate on or before its date: after an
    /// import, when many rates arrive at once. Returns how many were converted.
    static func fillAll(in access: TenantAccess, store: Store) async throws -> Int {
        let tx = access.transaction
        var converted = 0
        for (id, amount, rate) in try await store.expenses.unconvertedWithLatestRates(tx) {
            guard let base = rate?.convert(amount, to: access.organization.currency) else { continue }
            if try await store.expenses.setBaseAmount(tx, id: id, base.minorUnits) { converted += 1 }
        }
        return converted
    }
}
