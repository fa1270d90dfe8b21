import ExpenseCore
import ExpenseStore
import Foundation

extension RateService {
    /// The largest rate file taken: the ECB's whole history as XML is under 10 MB.
    public static let maximumFileBytes = 32 * 1024 * 1024

    /// What an import did.
    public struct ImportSummary: Sendable, Equatable {
        public var days: Int
        public var first: CalendarDate
        public var last: CalendarDate
        /// Rates written, and how many of them were new (the rest replaced that day's).
        public var rates: Int
        public var created: Int
        /// Expenses that were waiting for a rate and now have a base amount.
        public var converted: Int
        public var currencies: [String]
        /// Codes the file quotes that could not be taken (see `ReferenceRateFile.Restated`).
        public var skippedCodes: [String]
        /// Days the file does not quote the organization's currency on.
        public var daysWithoutBase: Int
    }

    /// Imports the ECB's reference rates (`eurofxref` CSV or XML, daily or historical) in the
    /// organization's currency: every quoted day's rates are set, replacing those of the same
    /// day, then every expense still waiting for a rate gets one; all in one transaction.
    func importFile(_ access: TenantAccess, bytes: [UInt8], filename: String) async throws -> ImportSummary {
        try access.require(.manageRates)
        let base = access.organization.currency
        let file = try validating { try ReferenceRateFile(parsing: bytes) }
        let restated = file.restated(in: base)
        // One rate per currency and day, the file's last word winning.
        var latest: [String: DatedRate] = [:]
        let now = clock.now()
        for (currency, date, rate) in restated.rates {
            latest["\(currency.code) \(date)"] = DatedRate(currency: currency, date: date, rate: rate, updatedAt: now)
        }
        let rates = latest.values.sorted { ($0.date, $0.currency.code) < ($1.date, $1.currency.code) }
        guard let first = rates.first?.date, let last = rates.last?.date else {
            throw AppError.validation(
                .init(
                    "file",
                    "The file quotes no rate against \(base.code), the organization's currency, so there is nothing to import."
                ))
        }
        let created = try await store.rates.setMany(access.transaction, rates)
        let converted = try await BaseAmounts.fillAll(in: access, store: store)
        if converted > 0 { try await alerts.check(access, touching: nil, at: now) }
        let summary = ImportSummary(
            days: Set(rates.map(\.date)).count, first: first, last: last, rates: rates.count, created: created,
            converted: converted, currencies: Set(rates.map(\.currency.code)).sorted(),
            skippedCodes: restated.skippedCodes, daysWithoutBase: restated.daysWithoutBase.count)
        try await store.audit.append(
            access.transaction,
            AuditEntry(
                id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .ratesImported,
                subjectType: .rate, subjectID: "\(first) \(last)",
                details: .facts([
                    "filename": String(filename.prefix(200)), "rates": String(summary.rates),
                    "created": String(created), "first": first.description, "last": last.description,
                    "base": base.code, "converted": String(converted),
                ]),
                createdAt: now))
        return summary
    }
}
