import Foundation

public enum ClaimTag {}
public typealias ClaimID = Identifier<ClaimTag>

/// Where a claim is on its way from its member to the money: `draft` → `submitted` →
/// `approved` → `reimbursed`, and `submitted` → `rejected` → (edited) → `submitted`.
public enum ClaimStatus: String, Sendable, CaseIterable, Codable {
    case draft, submitted, approved, rejected, reimbursed

    /// While a claim is here, its expenses and their receipts cannot be changed or deleted.
    public var locksExpenses: Bool { self == .submitted || self == .approved || self == .reimbursed }

    /// Only its member edits a draft or a rejected claim (its title, its expenses).
    public var isEditable: Bool { self == .draft || self == .rejected }
}

/// A member's out-of-pocket expenses gathered to be approved and paid back.
public struct Claim: Sendable, Equatable {
    public var id: ClaimID
    public var memberID: UserID
    public var memberName: String
    public var title: String
    public var status: ClaimStatus
    public var expenseIDs: [ExpenseID]
    /// Per currency, the currency's code order.
    public var totals: [MoneyTotal]
    /// The sum of its expenses' base amounts (minor units of the organization's currency), and
    /// how many of its expenses no rate converts yet (left out of that sum).
    public var baseMinorUnits: Int128 = 0
    public var unconverted = 0
    public var submittedAt: Date?
    public var decidedAt: Date?
    public var decidedBy: UserID?
    /// The approver's words (required to reject).
    public var comment: String
    /// Approved by its own member, the one owner able to approve.
    public var selfApproved: Bool
    public var paidOn: CalendarDate?
    public var reference: String
    public var sequence: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: ClaimID, memberID: UserID, memberName: String, title: String, status: ClaimStatus,
        expenseIDs: [ExpenseID], totals: [MoneyTotal], submittedAt: Date?, decidedAt: Date?, decidedBy: UserID?,
        comment: String, selfApproved: Bool, paidOn: CalendarDate?, reference: String, sequence: Int64,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.memberID = memberID
        self.memberName = memberName
        self.title = title
        self.status = status
        self.expenseIDs = expenseIDs
        self.totals = totals
        self.submittedAt = submittedAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.comment = comment
        self.selfApproved = selfApproved
        self.paidOn = paidOn
        self.reference = reference
        self.sequence = sequence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One reimbursed claim's payment in one currency: a row of the reimbursements export.
public struct ClaimPayment: Sendable, Equatable {
    public var claimID: ClaimID
    public var title: String
    public var memberName: String
    public var memberEmail: String
    public var paidOn: CalendarDate
    public var reference: String
    public var total: MoneyTotal

    public init(
        claimID: ClaimID, title: String, memberName: String, memberEmail: String, paidOn: CalendarDate,
        reference: String, total: MoneyTotal
    ) {
        self.claimID = claimID
        self.title = title
        self.memberName = memberName
        self.memberEmail = memberEmail
        self.paidOn = paidOn
        self.reference = reference
        self.total = total
    }
}

/// The moves between claim states and who may make them: decided here, in one place.
public enum ClaimTransition: String, Sendable, CaseIterable {
    case submit, approve, reject, reimburse

    /// The states it starts from.
    public var from: Set<ClaimStatus> {
        switch self {
        case .submit: [.draft, .rejected]
        case .approve, .reject: [.submitted]
        case .reimburse: [.approved]
        }
    }

    public var to: ClaimStatus {
        switch self {
        case .submit: .submitted
        case .approve: .approved
        case .reject: .rejected
        case .reimburse: .reimbursed
        }
    }

    /// Why `actor` in `role` may not make this move on a claim of `member` (nil when they may).
    /// `approvers` counts the organization's members whose role approves, the actor included:
    /// an owner who is the only one may approve their own claim, and it is marked so.
    public func refusal(role: Role, actor: UserID, member: UserID, approvers: Int) -> ClaimRefusal? {
        switch self {
        case .submit:
            return actor == member ? nil : .notYours
        case .approve, .reject:
            guard role.can(.approveClaims) else { return .notAllowed }
            if actor == member, !(role == .owner && approvers <= 1) { return .selfApproval }
            return nil
        case .reimburse:
            return role.can(.reimburseClaims) ? nil : .notAllowed
        }
    }
}

public enum ClaimRefusal: Error, Sendable, Equatable {
    /// The role does not allow the move.
    case notAllowed
    /// Only the claim's member submits and edits it.
    case notYours
    /// Nobody approves or rejects their own claim (but the only owner able to).
    case selfApproval
}
