import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Closing the books: finance or an owner closes them through a date, and only an owner moves
/// that date back, saying why. The database refuses writes to closed expenses too; this service
/// checks first so that people read why, and records each close and reopen in the audit log.
public struct PeriodCloseService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    let logger: Logger

    /// The closes and reopens shown, newest first.
    public static let historyLimit = 100

    /// Where the books stand: the closed-through date and the newest closes and reopens.
    public struct State: Sendable {
        public var closedThrough: CalendarDate?
        public var history: [PeriodClose]
    }

    public func state(_ access: TenantAccess) async throws -> State {
        try access.require(.viewOrganization)
        let history = try await store.closes.list(access.transaction, limit: Self.historyLimit)
        return State(closedThrough: access.organization.closedThrough, history: history)
    }

    /// Closes the books through `through` (a `YYYY-MM-DD` date): later than the current
    /// closed-through date, and not after today in the organization's zone.
    public func close(_ access: TenantAccess, through raw: String?) async throws -> PeriodClose {
        try access.require(.closeBooks)
        let through = try Self.date(raw, field: "through", required: true)!
        let today = access.organization.today(at: clock.now())
        guard through <= today else {
            throw AppError.validation(
                .init("through", "Choose today (\(today)) or an earlier date: days still to come cannot be closed."))
        }
        let tx = access.transaction
        let current = try await store.closes.closedThrough(tx, lock: true)
        if let current, through <= current {
            throw AppError.conflict(
                "The books are already closed through \(current). Choose a later date, or ask an owner to reopen.")
        }
        return try await record(access, .close, through: through, reason: nil, before: current)
    }

    /// Moves the closed-through date back to `through` (nil or empty: nothing stays closed).
    /// Owners only, with a reason the audit log keeps.
    public func reopen(_ access: TenantAccess, through raw: String?, reason rawReason: String?) async throws
        -> PeriodClose
    {
        try access.require(.reopenBooks)
        let through = try Self.date(raw, field: "through", required: false)
        let reason = try Self.reason(rawReason ?? "")
        let tx = access.transaction
        guard let current = try await store.closes.closedThrough(tx, lock: true) else {
            throw AppError.conflict("The books are not closed, so there is nothing to reopen.")
        }
        if let through, through >= current {
            throw AppError.validation(
                .init("through", "Choose a date before \(current), the date the books are closed through now."))
        }
        return try await record(access, .reopen, through: through, reason: reason, before: current)
    }

    /// Checks the organization's audit chain entry by entry.
    public func verify(_ access: TenantAccess) async throws -> AuditVerification {
        try access.require(.verifyAuditLog)
        return try await store.audit.verify(access.transaction)
    }

    private func record(
        _ access: TenantAccess, _ action: PeriodClose.Action, through: CalendarDate?, reason: String?,
        before: CalendarDate?
    ) async throws -> PeriodClose {
        let now = clock.now()
        var after = ["closed_through": through?.description ?? ""]
        if let reason { after["reason"] = reason }
        try await store.audit.append(
            access.transaction,
            AuditEntry(
                id: ids.uuid(), actorID: access.user.id, actorName: access.user.name,
                action: action == .close ? .periodClosed : .periodReopened, subjectType: .period,
                subjectID: through?.description,
                details: .change(before: ["closed_through": before?.description ?? ""], after: after), createdAt: now))
        // The head now includes this change's own entry.
        let head = try await store.audit.head(access.transaction)
        let entry = try await store.closes.add(
            access.transaction, action: action, through: through, reason: reason, actor: access.user.id,
            actorName: access.user.name, head: head, at: now)
        logger.info(
            "books \(action == .close ? "closed" : "reopened")",
            metadata: [
                "organization_id": "\(access.tenantID)", "through": "\(through?.description ?? "-")",
                "user_id": "\(access.user.id)",
            ])
        return entry
    }

    static func date(_ raw: String?, field: String, required: Bool) throws -> CalendarDate? {
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        if text.isEmpty {
            guard !required else { throw AppError.validation(.init(field, "Give the date, as YYYY-MM-DD.")) }
            return nil
        }
        return try validating { try CalendarDate(parsing: text, field: field) }
    }

    static func reason(_ raw: String) throws -> String {
        if ClaimService.hasControlCharacters(raw, allowingLineBreaks: true) {
            throw AppError.validation(.init("reason", "The reason contains control characters."))
        }
        let reason = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw AppError.validation(.init("reason", "Say why the books are reopened: the audit log keeps it."))
        }
        guard reason.unicodeScalars.count <= PeriodClose.reasonLimit else {
            throw AppError.validation(.init("reason", "Keep the reason to 500 characters."))
        }
        return reason
    }
}
