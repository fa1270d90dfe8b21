/// Failures the store reports in its own terms, so services never see driver types.
public enum StoreError: Error, Sendable, Equatable {
    /// A unique constraint refused the write; `constraint` names it when the database says.
    case uniqueViolation(constraint: String?)
    /// A foreign key refused the write.
    case foreignKeyViolation(constraint: String?)
    /// A CHECK or NOT NULL constraint refused the write.
    case constraintViolation(constraint: String?)
    /// Row-level security refused the write (PostgreSQL SQLSTATE 42501).
    case rowSecurityViolation
    /// The role lacks a privilege (SQLSTATE 42501 for a grant, e.g. CREATE on the schema).
    case permissionDenied(String)
    /// The database is busy or the transaction lost a race; the caller may retry.
    case retryable
    /// A trigger refused a write to an expense or receipt dated in a closed period.
    case periodClosed
    /// A transaction was started while the task already held one: a programming error, since
    /// one request runs in one transaction.
    case nestedTransaction
    /// The database cannot be reached for now (refused or dropped connections, a pool that gave
    /// up connecting or is shut down, a server starting or stopping); the caller may retry later.
    /// `reason` is for logs only.
    case unavailable(reason: String)
    /// A migration that was already applied has been edited since.
    case migrationEdited(names: [String])
    /// The schema is older than this build expects.
    case schemaBehind(pending: [String])
    /// The configured database role is not allowed to run the server.
    case unsafeDatabaseRole(String)
    /// A `DATABASE_URL` the store cannot use.
    case invalidDatabaseURL(String)
    /// The migration files shipped with the binary could not be read.
    case migrationFilesMissing(String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .uniqueViolation(let name): "unique constraint violated (\(name ?? "unknown"))"
        case .foreignKeyViolation(let name): "foreign key violated (\(name ?? "unknown"))"
        case .constraintViolation(let name): "constraint violated (\(name ?? "unknown"))"
        case .rowSecurityViolation: "row-level security refused the write"
        case .permissionDenied(let message):
            "the database refused: \(message). Check the role's grants (README, Running on PostgreSQL)."
        case .retryable: "the database was busy; try again"
        case .periodClosed: "the books are closed for that date"
        case .nestedTransaction: "a transaction was started inside another; pass the open one instead"
        case .unavailable(let reason): "the database is unavailable (\(reason)); try again later"
        case .migrationEdited(let names):
            "applied migrations were edited after they ran: \(names.joined(separator: ", ")). "
                + "Migrations are forward only: restore the original files and add a new migration."
        case .schemaBehind(let pending):
            "the database schema is behind this build: \(pending.count) pending migration(s) "
                + "(\(pending.joined(separator: ", "))). Run `expense-tracker migrate` or start with `--migrate`."
        case .unsafeDatabaseRole(let message): message
        case .invalidDatabaseURL(let message): "DATABASE_URL: \(message)"
        case .migrationFilesMissing(let message): "migration files missing: \(message)"
        }
    }
}
