import ExpenseCore
import Foundation
import Logging

/// The storage entry point: a database plus the repositories that work on it.
///
/// Work for a tenant runs in `withTenant`, which scopes the transaction to that tenant (by
/// row-level security on PostgreSQL, by the repositories' filters everywhere):
///
/// ```swift
/// let members = try await store.withTenant(orgID, actor: userID) { tx in
///     try await store.memberships.list(tx)
/// }
/// ```
public struct Store: Sendable {
    public let database: any Database
    public let users = UserRepository()
    public let organizations = OrganizationRepository()
    public let memberships = MembershipRepository()
    public let credentials = CredentialRepository()
    public let sessions = SessionRepository()
    public let apiTokens = APITokenRepository()
    public let accountTokens = AccountTokenRepository()
    public let rateLimits = RateLimitRepository()
    public let outbox = OutboxRepository()
    public let invitations = InvitationRepository()
    public let audit = AuditRepository()
    public let categories = CategoryRepository()
    public let expenses = ExpenseRepository()

    public init(database: any Database) {
        self.database = database
    }

    /// Runs `body` in one transaction scoped to `tenant`.
    public func withTenant<T: Sendable>(
        _ tenant: TenantID,
        actor: UserID? = nil,
        _ body: @Sendable (TenantTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.tenant(tenant, actor: actor)) { executor in
            try await body(TenantTransaction(tenantID: tenant, actor: actor, executor: executor))
        }
    }

    /// Runs `body` in one transaction scoped to what `user` may see across tenants.
    public func withUser<T: Sendable>(
        _ user: UserID,
        _ body: @Sendable (UserTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.user(user)) { executor in
            try await body(UserTransaction(userID: user, executor: executor))
        }
    }

    /// Runs `body` in one transaction that can read the invitation a token belongs to.
    public func withInvitation<T: Sendable>(
        tokenHash: String,
        _ body: @Sendable (InvitationTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.invitation(tokenHash: tokenHash)) { executor in
            try await body(InvitationTransaction(tokenHash: tokenHash, executor: executor))
        }
    }

    /// Runs `body` over global rows without a transaction: each statement commits alone.
    public func withoutTransaction<T: Sendable>(_ body: @Sendable (SystemTransaction) async throws -> T) async throws
        -> T
    {
        try await database.autocommit { executor in try await body(SystemTransaction(executor: executor)) }
    }

    /// Runs `body` in one transaction over global rows (users, sessions, outbox).
    public func withSystem<T: Sendable>(_ body: @Sendable (SystemTransaction) async throws -> T) async throws -> T {
        try await database.transaction(.system) { executor in
            try await body(SystemTransaction(executor: executor))
        }
    }
}
