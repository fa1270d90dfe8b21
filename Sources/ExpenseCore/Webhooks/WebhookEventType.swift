/// The changes an organization's webhook endpoints can be told of.
public enum WebhookEventType: String, Sendable, CaseIterable, Codable {
    case expenseCreated = "expense.created"
    case expenseUpdated = "expense.updated"
    case expenseDeleted = "expense.deleted"
    case claimSubmitted = "claim.submitted"
    case claimApproved = "claim.approved"
    case claimRejected = "claim.rejected"
    case claimReimbursed = "claim.reimbursed"
    case memberJoined = "member.joined"
    case memberRemoved = "member.removed"
    /// Sent only by "send a test event", to the one endpoint asked.
    case test = "webhook.test"

    /// The types an endpoint may subscribe to (the test event goes to whoever asks for it).
    public static let subscribable = allCases.filter { $0 != .test }
}
