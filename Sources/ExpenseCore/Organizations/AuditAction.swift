import Foundation

/// What an audit entry records; the raw values are stored and shown as they are.
public enum AuditAction: String, Sendable, CaseIterable {
    case organizationCreated = "organization.created"
    case organizationUpdated = "organization.updated"
    case organizationDeleted = "organization.deleted"
    case ownershipTransferred = "organization.ownership_transferred"
    case memberInvited = "member.invited"
    case invitationResent = "member.invitation_resent"
    case invitationRevoked = "member.invitation_revoked"
    case invitationRoleChanged = "member.invitation_role_changed"
    case memberJoined = "member.joined"
    case memberRoleChanged = "member.role_changed"
    case memberRemoved = "member.removed"
    case memberLeft = "member.left"
    case categoryCreated = "category.created"
    case categoryUpdated = "category.updated"
    case categoryDeleted = "category.deleted"
    case expenseCreated = "expense.created"
    case expenseUpdated = "expense.updated"
    case expenseDeleted = "expense.deleted"
    case receiptAdded = "receipt.added"
    case receiptRemoved = "receipt.removed"
    case claimCreated = "claim.created"
    case claimUpdated = "claim.updated"
    case claimDeleted = "claim.deleted"
    case claimSubmitted = "claim.submitted"
    case claimApproved = "claim.approved"
    case claimRejected = "claim.rejected"
    case claimReimbursed = "claim.reimbursed"
    case rateSet = "rate.set"
    case ratesImported = "rate.imported"
    case budgetCreated = "budget.created"
    case budgetUpdated = "budget.updated"
    case budgetDeleted = "budget.deleted"
    case recurringCreated = "recurring.created"
    case recurringUpdated = "recurring.updated"
    case recurringPaused = "recurring.paused"
    case recurringResumed = "recurring.resumed"
    case recurringDeleted = "recurring.deleted"
    case periodClosed = "period.closed"
    case periodReopened = "period.reopened"
    case expensesImported = "expenses.imported"
}

/// The kind of record an audit entry is about.
public enum AuditSubject: String, Sendable, CaseIterable {
    case organization, member, invitation, category, expense, receipt, claim, rate, budget, recurring, period
    /// An import of a file; the raw value is the word people read.
    case fileImport = "import"
}
