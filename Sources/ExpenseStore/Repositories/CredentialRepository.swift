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

    /// Counts a failed login; at `maxFailures` the account locks until `lockUntil` and the
    /// count starts again. Returns whether this failure locked the account.
    public func recordFailure(
        _ tx: some Transaction,
        user: UserID,
        maxFailures: Int,
        lockUntil: Date
    ) async throws -> Bool {
        let row = try await tx.executor.first(
            """
            UPDATE users SET
                failed_logins = CASE WHEN failed_logins + 1 >= \(maxFailures) THEN 0 ELSE failed_logins + 1 END,
                locked_until = CASE WHEN failed_logins + 1 >= \(maxFailures) THEN \(lockUntil) ELSE locked_until END
            WHERE id = \(user)
            RETURNING failed_logins
            """
        )
        return try row?.decode("failed_logins", as: Int.self) == 0
    }

    /// Clears the failure count and any expired lock after a successful login.
    public func recordSuccess(_ tx: some Transaction, user: UserID) async throws {
        try await tx.executor.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = \(user)")
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
