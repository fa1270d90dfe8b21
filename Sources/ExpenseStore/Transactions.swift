import ExpenseCore

/// A transaction scoped to one tenant. Tenant-owned repositories take one as their first
/// argument and filter by `tenantID`; on PostgreSQL the row-level security policies bind the
/// same transaction to the same tenant.
public struct TenantTransaction: Sendable {
    public let tenantID: TenantID
    public let actor: UserID?
    public let executor: any SQLExecutor
}

/// A transaction scoped to one user: their memberships and organizations across tenants.
public struct UserTransaction: Sendable {
    public let userID: UserID
    public let executor: any SQLExecutor
}

/// A transaction over global rows only: users, sessions, the outbox.
public struct SystemTransaction: Sendable {
    public let executor: any SQLExecutor
}
