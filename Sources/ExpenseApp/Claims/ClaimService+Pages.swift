import ExpenseCore
import ExpenseStore
import Foundation

/// What the claim pages read beside the claims themselves: the expenses a claim can still
/// gather, a claim's history, and the dashboard's two counts.
extension ClaimService {
    /// The caller's reimbursable expenses in no claim, newest first: what a claim can gather.
    public func claimable(_ access: TenantAccess, limit: Int = 200) async throws -> [Expense] {
        try access.require(.submitClaims)
        return try await store.expenses.list(
            access.transaction, ExpenseFilter(memberID: access.user.id, claimable: true), after: nil, limit: limit)
    }

    /// The receipts of the claim's expenses, by expense.
    public func receipts(_ access: TenantAccess, _ claim: Claim) async throws -> [ExpenseID: [Receipt]] {
        try mayRead(access, claim)
        return Dictionary(
            grouping: try await store.receipts.list(access.transaction, claim: claim.id), by: \.expenseID)
    }

    /// The claim an expense is in, for the expense's page: whether it locks the expense, and its
    /// title and status for who may read the claim (nil for the others, and for no claim).
    public func holding(_ access: TenantAccess, _ expense: Expense) async throws -> (Claim?, locks: Bool) {
        guard let id = expense.claimID, let claim = try await store.claims.find(access.transaction, id: id) else {
            return (nil, false)
        }
        let readable =
            access.role.can(.approveClaims) || access.role.can(.reimburseClaims)
            || claim.memberID == access.user.id
        return (readable ? claim : nil, claim.status.locksExpenses)
    }

    /// Of the expenses, those a claim locks: a list offers them no Edit or Delete.
    public func locked(_ access: TenantAccess, among expenses: [Expense]) async throws -> Set<ExpenseID> {
        let claims = Set(expenses.compactMap(\.claimID))
        let locking = try await store.claims.locking(access.transaction, among: Array(claims))
        return Set(expenses.filter { $0.claimID.map(locking.contains) ?? false }.map(\.id))
    }

    /// The claim's audit entries, oldest first: who moved it when, and the comments.
    public func history(_ access: TenantAccess, _ claim: Claim) async throws -> [AuditEntry] {
        try mayRead(access, claim)
        return try await store.audit.history(access.transaction, of: .claim, id: claim.id.description, limit: 200)
    }

    /// Whether the caller may approve or reject this claim, as the move itself would decide.
    public func mayDecide(_ access: TenantAccess, _ claim: Claim) async throws -> Bool {
        guard claim.status == .submitted, access.role.can(.approveClaims) else { return false }
        let approvers = try await store.claims.approverCount(access.transaction)
        return ClaimTransition.approve.refusal(
            role: access.role, actor: access.user.id, member: claim.memberID, approvers: approvers) == nil
    }

    /// Whether the caller decides their own claims too: the only owner who approves.
    public func decidesOwnClaims(_ access: TenantAccess) async throws -> Bool {
        guard access.role == .owner else { return false }
        let approvers = try await store.claims.approverCount(access.transaction)
        return ClaimTransition.approve.refusal(
            role: access.role, actor: access.user.id, member: access.user.id, approvers: approvers) == nil
    }

    /// The dashboard's claim line: claims of others awaiting the caller's decision (for who
    /// approves), and what approved claims of the caller's still owe them, per currency.
    public struct Summary: Sendable, Equatable {
        public var awaitingApproval: Int
        public var toReimburse: Int
        public var owed: [MoneyTotal]
    }

    public func summary(_ access: TenantAccess) async throws -> Summary {
        let tx = access.transaction
        var summary = Summary(awaitingApproval: 0, toReimburse: 0, owed: [])
        if access.role.can(.approveClaims) {
            let own = try await decidesOwnClaims(access) ? nil : access.user.id
            summary.awaitingApproval = try await store.claims.count(tx, status: .submitted, excluding: own)
        }
        if access.role.can(.reimburseClaims) {
            summary.toReimburse = try await store.claims.count(tx, status: .approved, excluding: nil)
        }
        if access.role.can(.submitClaims) {
            summary.owed = try await store.claims.owed(tx, to: access.user.id)
        }
        return summary
    }
}
