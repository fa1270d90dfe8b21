import ExpenseCore

/// Names of the records an organization's audit entries name by id.
public struct AuditNames: Sendable {
    public var people: [UserID: String]
    public var categories: [CategoryID: String]
}
