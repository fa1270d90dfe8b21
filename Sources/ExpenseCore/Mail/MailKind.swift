/// What caused an email; stored with the queued message, so the raw values stay as they are.
public enum MailKind: String, Sendable, CaseIterable {
    case welcome
    case emailVerification = "email_verification"
    case passwordReset = "password_reset"
    case passwordChanged = "password_changed"
    case invitation
    case claimSubmitted = "claim_submitted"
    case claimApproved = "claim_approved"
    case claimRejected = "claim_rejected"
    case claimReimbursed = "claim_reimbursed"
    case budgetAlert = "budget_alert"
}
