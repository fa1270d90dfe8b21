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
    public let receipts = ReceiptRepository()
    public let claims = ClaimRepository()
    public let rates = RateRepository()
    public let budgets = BudgetRepository()
    public let recurring = RecurringRepository()
    public let closes = PeriodCloseRepository()
    public let imports = ImportRepository()
    public let secondFactors = SecondFactorRepository()
    public let webhooks = WebhookRepository()
    public let webhookDeliveries = WebhookDeliveryRepository()

    public init(database: any Database) {
        self.database = database
    }

    /// Runs `body` in one transaction scoped to `tenant`.
    public func withTenant<T: Sendable>(
        _ tenant: TenantID,
        actor: UserID? = nil,
        _ body: (TenantTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.tenant(tenant, actor: actor)) { executor in
            try await body(TenantTransaction(tenantID: tenant, actor: actor, executor: executor))
        }
    }

    /// Runs an API request to `tenant` in one transaction whose first statement finds the bearer
    /// token and its user and, on PostgreSQL, scopes the transaction to the tenant and that user:
    /// a round trip saved on every request. `body` gets nil (and a transaction that sees no
    /// tenant rows) when no token has this hash.
    public func withTenant<T: Sendable>(
        _ tenant: TenantID,
        bearerTokenHash: String,
        _ body: ((token: APIToken, user: User)?, TenantTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.deferred) { executor in
            let found = try await apiTokens.findWithUser(executor, hash: bearerTokenHash, scopingTo: tenant)
            let tx = TenantTransaction(tenantID: tenant, actor: found?.1.id, executor: executor)
            return try await body(found.map { (token: $0.0, user: $0.1) }, tx)
        }
    }

    /// Runs `body` in one transaction scoped to what `user` may see across tenants.
    public func withUser<T: Sendable>(
        _ user: UserID,
        _ body: (UserTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.user(user)) { executor in
            try await body(UserTransaction(userID: user, executor: executor))
        }
    }

    /// A system transaction marked with `app.scope` (transaction-local, like every setting the
    /// policies read): the policies written for that scope, and no others, show it rows across
    /// tenants. SQLite has no row security; its repositories filter as always.
    private func inScope<T: Sendable>(_ scope: String, _ body: (any SQLExecutor) async throws -> T)
        async throws -> T
    {
        try await database.transaction(.system) { executor in
            if executor.dialect == .postgres {
                try await executor.execute("SELECT set_config('app.scope', \(scope), true)")
            }
            return try await body(executor)
        }
    }

    /// The scheduler's scope: it reads the unpaused recurring schedules of every tenant that
    /// have a next date, and nothing else of theirs.
    public func withScheduler<T: Sendable>(_ body: (SchedulerTransaction) async throws -> T) async throws -> T {
        try await inScope("scheduler") { try await body(SchedulerTransaction(executor: $0)) }
    }

    /// The webhook log's maintenance pass: it sees and deletes, across tenants, finished
    /// deliveries, and nothing else of theirs.
    public func withWebhookPurge<T: Sendable>(_ body: (SystemTransaction) async throws -> T) async throws -> T {
        try await inScope("webhook-purge") { try await body(SystemTransaction(executor: $0)) }
    }

    /// The webhook worker's scope: it reads, across tenants, the deliveries still to make, and
    /// nothing else of theirs.
    public func withWebhookWorker<T: Sendable>(_ body: (SystemTransaction) async throws -> T) async throws -> T {
        try await inScope("webhook-worker") { try await body(SystemTransaction(executor: $0)) }
    }

    /// Every organization's id, deleted ones too (their audit log stays), for `audit verify`,
    /// in the auditor's scope, which row security lets read the ids.
    public func allOrganizationIDs() async throws -> [TenantID] {
        try await inScope("auditor") { executor in
            try await executor.query("SELECT id FROM organizations ORDER BY created_at, id").map {
                try $0.decode("id")
            }
        }
    }

    /// Runs `body` in one transaction that can read the invitation a token belongs to.
    public func withInvitation<T: Sendable>(
        tokenHash: String,
        _ body: (InvitationTransaction) async throws -> T
    ) async throws -> T {
        try await database.transaction(.invitation(tokenHash: tokenHash)) { executor in
            try await body(InvitationTransaction(tokenHash: tokenHash, executor: executor))
        }
    }

    /// Runs `body` over global rows without a transaction: each statement commits alone.
    public func withoutTransaction<T: Sendable>(_ body: (SystemTransaction) async throws -> T) async throws
        -> T
    {
        try await database.autocommit { executor in try await body(SystemTransaction(executor: executor)) }
    }

    /// Runs `body` in one transaction over global rows (users, sessions, outbox).
    public func withSystem<T: Sendable>(_ body: (SystemTransaction) async throws -> T) async throws -> T {
        try await database.transaction(.system) { executor in
            try await body(SystemTransaction(executor: executor))
        }
    }
}
