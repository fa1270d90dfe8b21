import ExpenseCore
import ServiceLifecycle

/// Whose rows a transaction may see.
///
/// On PostgreSQL the scope becomes transaction-local settings that the row-level security
/// policies read (`app.tenant_id`, `app.user_id`, `app.invitation_token_hash`); on SQLite the
/// repositories' own `WHERE tenant_id = ...` clauses are the only guard.
public enum TransactionScope: Sendable, Equatable {
    /// Global rows only (users, sessions, outbox, migrations). Tenant tables show nothing.
    case system
    /// What one user may see across tenants: their own memberships and the organizations they belong to.
    case user(UserID)
    /// One tenant's rows, on behalf of an acting user when there is one.
    case tenant(TenantID, actor: UserID?)
    /// The one invitation whose token hashes to this value, whichever tenant it belongs to.
    case invitation(tokenHash: String)
    /// No settings yet: the body's first statement sets them, saving a round trip (a request's
    /// credential lookup does, see `Store.withTenant(_:bearerTokenHash:_:)`). Until it does, tenant tables
    /// show nothing, as in `system`.
    case deferred
}

/// A database the store can run transactions on: PostgreSQL or SQLite.
///
/// A `Database` is also a `Service`: run it (in the application's service group, or a task
/// group in a command) for as long as it is used.
public protocol Database: Service, Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in one transaction with the scope's settings; commits when it returns and
    /// rolls back when it throws.
    func transaction<T: Sendable>(
        _ scope: TransactionScope,
        _ body: (any SQLExecutor) async throws -> T
    ) async throws -> T

    /// Runs `body` over global rows with each statement committing on its own: for lookups
    /// that need no atomicity (who is behind a token), one round trip each instead of three.
    func autocommit<T: Sendable>(_ body: (any SQLExecutor) async throws -> T) async throws -> T

    /// Answers whether the database can be reached.
    func ping() async throws

    /// Facts about the connected role; `nil` where the database has no roles (SQLite).
    func connectedRole() async throws -> DatabaseRole?

    /// Releases what the database holds beyond `run()`, once its work is done: SQLite's file
    /// and thread. A PostgreSQL pool closes its connections when `run()` ends, so there it does
    /// nothing.
    func close() async throws
}

/// The role a PostgreSQL connection runs as.
public struct DatabaseRole: Sendable, Equatable {
    public var name: String
    public var isSuperuser: Bool
    public var bypassesRowSecurity: Bool

    /// Whether row-level security binds this role, so the database itself enforces tenant isolation.
    public var isBoundByRowSecurity: Bool { !isSuperuser && !bypassesRowSecurity }
}
