import ExpenseCore
import Foundation

/// A user's password hash and lockout state, read only by the login and password flows.
public struct Credentials: Sendable {
    public var user: User
    public var passwordHash: String
    public var failedLogins: Int
    public var lockedUntil: Date?
}

/// Passwords and lockout counters, kept apart from `UserRepository` so that the hash is read
/// only where a password is checked.
public struct CredentialRepository: Sendable {
    public init() {}

    public func find(_ tx: some Transaction, email: String) async throws -> Credentials? {
        try await tx.executor.first(
            """
            SELECT \(unsafeRaw: UserRepository.columns), password_hash, failed_logins, locked_until
            FROM users WHERE email = \(email)
            """
        ).map(Self.credentials)
    }

    public func find(_ tx: some Transaction, id: UserID) async throws -> Credentials? {
        try await tx.executor.first(
            """
            SELECT \(unsafeRaw: UserRepository.columns), password_hash, failed_logins, locked_until
            FROM users WHERE id = \(id)
            """
        ).map(Self.credentials)
    }

    /// Counts a login attempt as a failure before its password is checked, in one atomic
    /// statement: false (nothing counted) when the account is locked or `maxFailures` attempts are
    /// already counted, so a burst of parallel guesses never gets more than `maxFailures` checked.
    public func beginAttempt(_ tx: some Transaction, user: UserID, maxFailures: Int, now: Date) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE users SET failed_logins = failed_logins + 1
            WHERE id = \(user) AND failed_logins < \(maxFailures) AND (locked_until IS NULL OR locked_until <= \(now))
            RETURNING id
            """
        ).isEmpty
    }

    /// A counted attempt turned out wrong: at `maxFailures` the account locks until `lockUntil`
    /// and the count starts again. Returns whether this failure locked the account.
    public func recordFailure(
        _ tx: some Transaction,
        user: UserID,
        maxFailures: Int,
        lockUntil: Date
    ) async throws -> Bool {
        let row = try await tx.executor.first(
            """
            UPDATE users SET
                locked_until = CASE WHEN failed_logins >= \(maxFailures) THEN \(lockUntil) ELSE locked_until END,
                failed_logins = CASE WHEN failed_logins >= \(maxFailures) THEN 0 ELSE failed_logins END
            WHERE id = \(user)
            RETURNING failed_logins
            """
        )
        return try row?.decode("failed_logins", as: Int.self) == 0
    }

    /// A counted attempt turned out right: clears the count, unless the account was locked
    /// meanwhile (by other guesses in the same burst); then false, and the login is refused.
    public func recordSuccess(_ tx: some Transaction, user: UserID, now: Date) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE users SET failed_logins = 0, locked_until = NULL
            WHERE id = \(user) AND (locked_until IS NULL OR locked_until <= \(now))
            RETURNING id
            """
        ).isEmpty
    }

    /// Replaces the password; also lifts any lockout (a reset works for a locked account).
    public func setPassword(_ tx: some Transaction, user: UserID, hash: String, at now: Date) async throws {
        try await tx.executor.execute(
            """
            UPDATE users SET password_hash = \(hash), password_changed_at = \(now), updated_at = \(now),
                failed_logins = 0, locked_until = NULL
            WHERE id = \(user)
            """
        )
    }

    public func markEmailVerified(_ tx: some Transaction, user: UserID, at now: Date) async throws {
        try await tx.executor.execute(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, \(now)), updated_at = \(now) WHERE id = \(user)"
        )
    }

    static func credentials(from row: SQLRow) throws -> Credentials {
        Credentials(
            user: try UserRepository.user(from: row),
            passwordHash: try row.decode("password_hash"),
            failedLogins: try row.decode("failed_logins"),
            lockedUntil: try row.decode("locked_until")
        )
    }
}
