import ExpenseCore
import Foundation

/// What a single-use emailed token is for.
public enum AccountTokenPurpose: String, Sendable, SQLCodable {
    case passwordReset = "password_reset"
    case emailVerification = "email_verification"
}

/// Single-use tokens sent by email, stored only as hashes.
public struct AccountTokenRepository: Sendable {
    public init() {}

    public func create(
        _ tx: some Transaction,
        hash: String,
        user: UserID,
        purpose: AccountTokenPurpose,
        at now: Date,
        expiresAt: Date
    ) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at)
            VALUES (\(hash), \(user), \(purpose), \(now), \(expiresAt))
            """
        )
    }

    /// Whether the token exists for this purpose, unused and unexpired (without using it).
    public func isLive(_ tx: some Transaction, hash: String, purpose: AccountTokenPurpose, at now: Date) async throws
        -> Bool
    {
        try await tx.executor.first(
            """
            SELECT 1 AS live FROM account_tokens
            WHERE token_hash = \(hash) AND purpose = \(purpose) AND used_at IS NULL AND expires_at > \(now)
            """
        ) != nil
    }

    /// Marks the token used and returns its user, if it exists for this purpose, is unused and
    /// has not expired. One statement, so two requests racing with one token cannot both win.
    public func consume(
        _ tx: some Transaction,
        hash: String,
        purpose: AccountTokenPurpose,
        at now: Date
    ) async throws -> UserID? {
        try await tx.executor.first(
            """
            UPDATE account_tokens SET used_at = \(now)
            WHERE token_hash = \(hash) AND purpose = \(purpose) AND used_at IS NULL AND expires_at > \(now)
            RETURNING user_id
            """
        )?.decode("user_id")
    }

    /// Voids every unused token of the purpose (a newer one replaces them, or the password changed).
    public func invalidateAll(_ tx: some Transaction, user: UserID, purpose: AccountTokenPurpose, at now: Date)
        async throws
    {
        try await tx.executor.execute(
            """
            UPDATE account_tokens SET used_at = \(now)
            WHERE user_id = \(user) AND purpose = \(purpose) AND used_at IS NULL
            """
        )
    }

    /// Removes tokens used or expired before `cutoff`; returns how many.
    @discardableResult
    public func deleteSpent(_ tx: some Transaction, before cutoff: Date) async throws -> Int {
        try await tx.executor.query(
            "DELETE FROM account_tokens WHERE used_at < \(cutoff) OR expires_at < \(cutoff) RETURNING token_hash"
        ).count
    }
}
