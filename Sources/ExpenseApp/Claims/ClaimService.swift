import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging

/// Claims: a member gathers their own reimbursable expenses, submits them, an approver decides,
/// finance records the payment. Every move is one conditional write and an audit entry in the
/// request's transaction; the rules of who may move what are `ClaimTransition`'s.
public struct ClaimService: Sendable {
    let store: Store
    let settings: AccountSettings
    let clock: AppClock
    let ids: IDGenerator
    let logger: Logger

    public static let titleLimit = 200
    public static let commentLimit = 2000
    public static let defaultPageSize = 50
    /// The most expenses one claim gathers (a claim is a month's or a trip's, not a ledger).
    public static let expenseLimit = 500

    /// A new draft of the caller's, with the given expenses.
    public func create(_ access: TenantAccess, title: String, expenseIDs: [ExpenseID]) async throws -> Claim {
        try access.require(.submitClaims)
        let title = try Self.checkedTitle(title)
        let tx = access.transaction
        try await checkJoinable(tx, claim: nil, expenseIDs, member: access.user.id)
        let id: ClaimID = ids()
        let now = clock.now()
        try await store.claims.create(tx, id: id, member: access.user.id, title: title, at: now)
        try await attach(tx, id, expenseIDs, member: access.user.id)
        let claim = try await found(tx, id)
        try await store.audit.append(tx, audit(access, .claimCreated, claim, [:], now))
        return claim
    }

    public func find(_ access: TenantAccess, id: ClaimID) async throws -> Claim {
        let claim = try await found(access.transaction, id)
        try mayRead(access, claim)
        return claim
    }

    /// Newest first; a member who does not approve sees their own only.
    public func list(
        _ access: TenantAccess, status: ClaimStatus?, member: UserID?, before: Int64?, limit: Int
    ) async throws -> [Claim] {
        try access.require(.viewOrganization)
        let member = access.role.can(.approveClaims) || access.role.can(.reimburseClaims) ? member : access.user.id
        return try await store.claims.list(
            access.transaction, status: status, member: member, before: before, limit: limit)
    }

    /// Renames the claim and/or sets its expenses; only its member, while draft or rejected.
    public func update(_ access: TenantAccess, id: ClaimID, title: String?, expenseIDs: [ExpenseID]?) async throws
        -> Claim
    {
        let tx = access.transaction
        let claim = try await editable(access, id)
        let now = clock.now()
        // Everything checked before the first write: a page showing the refusal shows nothing changed.
        let title = try title.map(Self.checkedTitle)
        if let expenseIDs { try await checkJoinable(tx, claim: id, expenseIDs, member: claim.memberID) }
        if let title { try await store.claims.rename(tx, id: id, title: title, at: now) }
        if let expenseIDs { try await attach(tx, id, expenseIDs, member: claim.memberID) }
        let changed = try await found(tx, id)
        try await store.audit.append(tx, audit(access, .claimUpdated, changed, [:], now))
        return changed
    }

    /// Deletes a draft; its expenses become unclaimed.
    public func delete(_ access: TenantAccess, id: ClaimID) async throws {
        let claim = try await editable(access, id)
        guard claim.status == .draft, try await store.claims.deleteDraft(access.transaction, id: id) else {
            throw AppError.claimState("Only a draft can be deleted; this claim is \(claim.status.rawValue).")
        }
        try await store.audit.append(access.transaction, audit(access, .claimDeleted, claim, [:], clock.now()))
    }

    public func submit(_ access: TenantAccess, id: ClaimID) async throws -> Claim {
        let now = clock.now()
        let claim = try await found(access.transaction, id, lock: true)
        // Who may, and from which state, before what the claim holds.
        try check(access, claim, .submit, approvers: 0)
        guard !claim.expenseIDs.isEmpty else {
            throw AppError.validation(.init("expense_ids", "Add at least one expense before submitting."))
        }
        let missing = try await missingReceipts(access, claim)
        guard missing.isEmpty else { throw AppError.receiptRequired(missing) }
        var change = ClaimRepository.Change()
        change.submittedAt = now
        change.comment = ""
        change.clearDecision = true
        return try await move(access, claim, .submit, change, facts: ["totals": Self.totalsText(claim)], at: now)
    }

    public func approve(_ access: TenantAccess, id: ClaimID, comment: String?) async throws -> Claim {
        try await decide(access, id, .approve, comment: comment)
    }

    /// Rejects the claim; the comment, which its member reads, is required.
    public func reject(_ access: TenantAccess, id: ClaimID, comment: String?) async throws -> Claim {
        try await decide(access, id, .reject, comment: comment)
    }

    /// An approver's decision: who decided and when, their comment, and whether they decided
    /// their own claim (allowed to the only owner who approves, and recorded).
    private func decide(_ access: TenantAccess, _ id: ClaimID, _ transition: ClaimTransition, comment: String?)
        async throws -> Claim
    {
        let now = clock.now()
        let claim = try await found(access.transaction, id, lock: true)
        try mayRead(access, claim)
        let approvers = try await store.claims.approverCount(access.transaction)
        var change = ClaimRepository.Change()
        change.decidedAt = now
        change.decidedBy = access.user.id
        change.comment = try Self.checkedComment(comment ?? "", required: transition == .reject)
        var facts: [String: String] = [:]
        if transition == .approve {
            change.selfApproved = claim.memberID == access.user.id
            facts["self_approved"] = String(claim.memberID == access.user.id)
        } else {
            facts["comment"] = change.comment ?? ""
        }
        return try await move(access, claim, transition, change, facts: facts, approvers: approvers, at: now)
    }

    public func reimburse(_ access: TenantAccess, id: ClaimID, paidOn: CalendarDate, reference: String?) async throws
        -> Claim
    {
        let now = clock.now()
        let claim = try await found(access.transaction, id, lock: true)
        try mayRead(access, claim)
        let reference = try Self.checkedReference(reference)
        var change = ClaimRepository.Change()
        change.paidOn = paidOn
        change.reference = reference
        change.reimbursedBy = access.user.id
        return try await move(access, claim, .reimburse, change, facts: ["paid_on": paidOn.description], at: now)
    }

    /// The claims paid back in the period, for the bank or the accountant (who may export).
    public func payments(_ access: TenantAccess, from: CalendarDate, to: CalendarDate) async throws
        -> [ClaimPayment]
    {
        try access.require(.exportCSV)
        return try await store.claims.payments(access.transaction, from: from, to: to)
    }

    /// The claim's expenses and, under the organization's receipt rule, which of them break it.
    public func expenses(_ access: TenantAccess, _ claim: Claim) async throws -> [(Expense, missesReceipt: Bool)] {
        try mayRead(access, claim)
        let expenses = try await store.expenses.list(
            access.transaction, ExpenseFilter(claimID: claim.id), after: nil, limit: Self.expenseLimit)
        let rule = access.organization.receiptThreshold.map(ReceiptRule.init)
        return expenses.map { ($0, rule?.isBroken(by: $0) ?? false) }
    }

    // MARK: Rules

    /// Each expense of the claim the receipt rule asks a receipt of, saying why.
    private func missingReceipts(_ access: TenantAccess, _ claim: Claim) async throws -> [AppError.MissingReceipt] {
        guard let threshold = access.organization.receiptThreshold else { return [] }
        return try await expenses(access, claim).filter(\.missesReceipt).map { expense, _ in
            let which =
                "The expense of \(expense.date.description)"
                + (expense.merchant.isEmpty ? "" : " at \(expense.merchant)") + " (\(expense.amount.decimalString) "
                + "\(expense.amount.currency.code)) needs a receipt: "
            let why =
                expense.amount.currency == threshold.currency || expense.baseMinorUnits != nil
                ? "the organization asks for one above \(threshold.decimalString) \(threshold.currency.code)."
                : "it is in \(expense.amount.currency.code), which cannot be compared with the "
                    + "\(threshold.decimalString) \(threshold.currency.code) threshold until a rate converts it."
            return AppError.MissingReceipt(expenseID: expense.id, message: which + why)
        }
    }

    /// Whether the caller may make the move on this claim now: 404, 403 or 409 when not.
    private func check(_ access: TenantAccess, _ claim: Claim, _ transition: ClaimTransition, approvers: Int) throws {
        try mayRead(access, claim)
        if let refusal = transition.refusal(
            role: access.role, actor: access.user.id, member: claim.memberID, approvers: approvers)
        {
            throw Self.error(refusal, access)
        }
        guard transition.from.contains(claim.status) else { throw Self.stateError(claim, transition) }
    }

    static func stateError(_ claim: Claim, _ transition: ClaimTransition) -> AppError {
        AppError.claimState(
            "The claim is \(claim.status.rawValue); it can be \(transition.to.rawValue) only from "
                + transition.from.map(\.rawValue).sorted().joined(separator: " or ") + ".")
    }

    private func move(
        _ access: TenantAccess, _ claim: Claim, _ transition: ClaimTransition, _ change: ClaimRepository.Change,
        facts: [String: String], approvers: Int = 0, at now: Date
    ) async throws -> Claim {
        try check(access, claim, transition, approvers: approvers)
        let tx = access.transaction
        guard
            try await store.claims.transition(
                tx, id: claim.id, from: transition.from, to: transition.to, change, at: now)
        else { throw Self.stateError(claim, transition) }
        let moved = try await found(tx, claim.id)
        let action: AuditAction =
            switch transition {
            case .submit: .claimSubmitted
            case .approve: .claimApproved
            case .reject: .claimRejected
            case .reimburse: .claimReimbursed
            }
        try await store.audit.append(tx, audit(access, action, moved, facts, now))
        try await notify(access, moved, transition, at: now)
        let event: WebhookEventType =
            switch transition {
            case .submit: .claimSubmitted
            case .approve: .claimApproved
            case .reject: .claimRejected
            case .reimburse: .claimReimbursed
            }
        try await WebhookEvents.emit(
            event, ClaimResponse(moved, base: access.organization.currency), in: access, store: store, at: now)
        return moved
    }

    /// The mail of a move, queued in the same transaction: a submitted claim to every other
    /// member who approves, a decision or a payment to the claim's member. Nobody is mailed
    /// about their own act, and a member who has left is not mailed.
    private func notify(_ access: TenantAccess, _ claim: Claim, _ transition: ClaimTransition, at now: Date)
        async throws
    {
        let members = try await store.memberships.listMembers(access.transaction)
        let count = claim.totals.reduce(0) { $0 + $1.count }
        let facts = ClaimMessages.Facts(
            organization: access.organization.name, title: claim.title, totals: Self.totalsText(claim),
            count: count == 1 ? "1 expense" : "\(count) expenses",
            link: settings.publicBaseURL + "/orgs/\(access.tenantID)/claims/\(claim.id)")
        var messages: [MailMessage] = []
        let actor = access.user.name
        if transition == .submit {
            for approver in members where approver.role.can(.approveClaims) && approver.userID != claim.memberID {
                messages.append(
                    try ClaimMessages.submitted(to: approver.email, name: approver.name, member: actor, facts))
            }
        } else if let member = members.first(where: { $0.userID == claim.memberID }), member.userID != access.user.id {
            switch transition {
            case .approve:
                messages.append(
                    try ClaimMessages.approved(
                        to: member.email, name: member.name, approver: actor, comment: claim.comment, facts))
            case .reject:
                messages.append(
                    try ClaimMessages.rejected(
                        to: member.email, name: member.name, approver: actor, comment: claim.comment, facts))
            case .reimburse:
                messages.append(
                    try ClaimMessages.reimbursed(
                        to: member.email, name: member.name, paidOn: claim.paidOn.map(PageFormat.day) ?? "",
                        reference: claim.reference, facts))
            case .submit:
                break
            }
        }
        for message in messages {
            try await Mailer.enqueue(
                message, in: access.transaction, store: store, settings: settings, ids: ids, at: now)
        }
    }

    /// The claim its member may edit: theirs, draft or rejected.
    private func editable(_ access: TenantAccess, _ id: ClaimID) async throws -> Claim {
        let claim = try await found(access.transaction, id, lock: true)
        try mayRead(access, claim)
        guard claim.memberID == access.user.id else { throw Self.error(.notYours, access) }
        guard claim.status.isEditable else {
            throw AppError.claimState(
                "The claim is \(claim.status.rawValue); only a draft or a rejected claim changes.")
        }
        return claim
    }

    /// Members see their own claims; approvers and finance see all (others' are 404 to the rest).
    func mayRead(_ access: TenantAccess, _ claim: Claim) throws {
        try access.require(.viewOrganization)
        let seesAll = access.role.can(.approveClaims) || access.role.can(.reimburseClaims)
        guard seesAll || claim.memberID == access.user.id else { throw AppError.notFound }
    }

    private func found(_ tx: TenantTransaction, _ id: ClaimID, lock: Bool = false) async throws -> Claim {
        guard let claim = try await store.claims.find(tx, id: id, lock: lock) else { throw AppError.notFound }
        return claim
    }

    /// Refuses, before anything is written, expenses that could not join the claim.
    private func checkJoinable(_ tx: TenantTransaction, claim: ClaimID?, _ expenseIDs: [ExpenseID], member: UserID)
        async throws
    {
        let expenseIDs = Array(Set(expenseIDs))
        guard expenseIDs.count <= Self.expenseLimit else {
            throw AppError.validation(
                .init("expense_ids", "A claim gathers at most \(Self.expenseLimit) expenses; split it in two."))
        }
        try Self.refuse(try await store.claims.refused(tx, claim: claim, member: member, expenseIDs))
    }

    private func attach(_ tx: TenantTransaction, _ id: ClaimID, _ expenseIDs: [ExpenseID], member: UserID)
        async throws
    {
        // Checked already; an expense claimed by another request meanwhile is refused here.
        try Self.refuse(try await store.claims.setExpenses(tx, claim: id, member: member, Array(Set(expenseIDs))))
    }

    private static func refuse(_ refused: [ExpenseID]) throws {
        guard refused.isEmpty else {
            throw AppError.validation(
                ValidationError(
                    refused.map {
                        .init("expense_ids", "Expense \($0) is not an unclaimed, reimbursable expense of yours.")
                    }
                ))
        }
    }

    static func error(_ refusal: ClaimRefusal, _ access: TenantAccess) -> AppError {
        switch refusal {
        case .notAllowed: .forbidden("Your role (\(access.role.rawValue)) does not allow this.")
        case .notYours: .forbidden("Only the claim's member submits and changes it.")
        case .selfApproval: .selfApproval
        }
    }

    static func totalsText(_ claim: Claim) -> String {
        claim.totals.map { "\($0.text)" }.joined(separator: ", ")
    }

    func audit(_ access: TenantAccess, _ action: AuditAction, _ claim: Claim, _ facts: [String: String], _ now: Date)
        -> AuditEntry
    {
        var facts = facts
        facts["title"] = claim.title
        facts["member_id"] = claim.memberID.description
        return AuditEntry(
            id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: action, subjectType: .claim,
            subjectID: claim.id.description, details: .facts(facts), createdAt: now)
    }
}
