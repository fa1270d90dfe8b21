import ExpenseCore

/// Any open transaction. Repositories of global rows (users, sessions, tokens, outbox) accept
/// every kind, so a change and what it causes (an outbox row, say) commit together whatever
/// the scope; tenant-owned repositories accept only a `TenantTransaction`.
public protocol Transaction: Sendable {
    var executor: any SQLExecutor { get }
}

/// A transaction scoped to one tenant. Tenant-owned repositories take one as their first
/// argument and filter by `tenantID`; on PostgreSQL the row-level security policies bind the
/// same transaction to the same tenant.
public struct TenantTransaction: Transaction {
    public let tenantID: TenantID
    public let actor: UserID?
    public let executor: any SQLExecutor
}

/// A transaction scoped to one user: their memberships and organizations across tenants.
public struct UserTransaction: Transaction {
    public let userID: UserID
    public let executor: any SQLExecutor
}

/// A transaction over global rows only: users, sessions, the outbox.
public struct SystemTransaction: Transaction {
    public let executor: any SQLExecutor
}

/// The recurring-expense worker's scan: a system transaction that also sees, read-only, the
/// schedules of every tenant that are due (their own row-security policy says so).
public struct SchedulerTransaction: Transaction {
    public let executor: any SQLExecutor
}

/// A transaction that may read the one invitation whose token hashes to `tokenHash`.
public struct InvitationTransaction: Transaction {
    public let tokenHash: String
    public let executor: any SQLExecutor
}

extension Transaction {
    /// Runs `body` behind a savepoint: when it throws, only its own statements are undone and the
    /// transaction stays usable. Needed where a caller turns a store error (a taken name, say)
    /// into an answer and the request goes on, since PostgreSQL refuses every later statement of
    /// a transaction that met an error. Costs two statements, so only such writes use it.
    public func savepoint<T>(_ body: () async throws -> T) async throws -> T {
        try await executor.execute("SAVEPOINT attempt")
        do {
            let result = try await body()
            try await executor.execute("RELEASE SAVEPOINT attempt")
            return result
        } catch {
            try await executor.execute("ROLLBACK TO SAVEPOINT attempt")
            throw error
        }
    }
}
