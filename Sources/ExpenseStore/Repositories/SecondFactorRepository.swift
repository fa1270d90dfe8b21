import ExpenseCore
import Foundation

/// An account's authenticator secret (sealed: the repository never sees it in the clear) and
/// where its enrolment stands.
public struct StoredSecondFactor: Sendable, Equatable {
    public var userID: UserID
    public var secretSealed: String
    public var createdAt: Date
    public var confirmedAt: Date?
    public var lastStep: Int64?
}

/// The sign-in step between a right password and the second factor.
public struct LoginChallenge: Sendable, Equatable {
    public var userID: UserID
    public var expiresAt: Date
    public var failures: Int
}

/// Two-factor sign-in's rows: the secret, the recovery codes (hashes only) and the challenges
/// (hashes only). Every change that decides a sign-in is one conditional statement, so two
/// requests racing with the same code or recovery code cannot both succeed.
public struct SecondFactorRepository: Sendable {
    public init() {}

    /// Starts (or restarts) an enrolment with a new secret; a confirmed factor is left alone.
    /// Returns false when the account already has a confirmed one.
    public func begin(_ tx: some Transaction, user: UserID, sealed: String, at now: Date) async throws -> Bool {
        try await tx.executor.execute("DELETE FROM second_factors WHERE user_id = \(user) AND confirmed_at IS NULL")
        return try await !tx.executor.query(
            """
            INSERT INTO second_factors (user_id, secret_sealed, created_at) VALUES (\(user), \(sealed), \(now))
            ON CONFLICT (user_id) DO NOTHING RETURNING user_id
            """
        ).isEmpty
    }

    public func find(_ tx: some Transaction, user: UserID) async throws -> StoredSecondFactor? {
        try await tx.executor.first(
            "SELECT user_id, secret_sealed, created_at, confirmed_at, last_step FROM second_factors WHERE user_id = \(user)"
        ).map { row in
            StoredSecondFactor(
                userID: try row.decode("user_id"), secretSealed: try row.decode("secret_sealed"),
                createdAt: try row.decode("created_at"), confirmedAt: try row.decode("confirmed_at"),
                lastStep: try row.decode("last_step"))
        }
    }

    /// Records `step` as used if it is newer than every step used before; false when another
    /// request used it (or a later one) first: the code is then a replay.
    public func useStep(_ tx: some Transaction, user: UserID, step: Int64) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE second_factors SET last_step = \(step)
            WHERE user_id = \(user) AND (last_step IS NULL OR last_step < \(step)) RETURNING user_id
            """
        ).isEmpty
    }

    /// Confirms a pending enrolment with the `sealed` secret (its first code used `step`), stores
    /// the recovery codes' hashes in place of any earlier ones and marks the account; false when
    /// there was no such enrolment pending.
    public func confirm(
        _ tx: some Transaction, user: UserID, sealed: String, step: Int64, recoveryHashes: [String], at now: Date
    ) async throws -> Bool {
        // Only the secret the code was checked against: an enrolment restarted meanwhile is not.
        let confirmed = try await !tx.executor.query(
            """
            UPDATE second_factors SET confirmed_at = \(now), last_step = \(step)
            WHERE user_id = \(user) AND confirmed_at IS NULL AND secret_sealed = \(sealed) RETURNING user_id
            """
        ).isEmpty
        guard confirmed else { return false }
        try await replaceRecoveryCodes(tx, user: user, hashes: recoveryHashes)
        try await tx.executor.execute("UPDATE users SET second_factor_enabled = \(true) WHERE id = \(user)")
        return true
    }

    public func replaceRecoveryCodes(_ tx: some Transaction, user: UserID, hashes: [String]) async throws {
        try await tx.executor.execute("DELETE FROM recovery_codes WHERE user_id = \(user)")
        for hash in hashes {
            try await tx.executor.execute("INSERT INTO recovery_codes (user_id, code_hash) VALUES (\(user), \(hash))")
        }
    }

    /// Spends one recovery code; false when it is not one of the account's or was spent before.
    public func useRecoveryCode(_ tx: some Transaction, user: UserID, hash: String, at now: Date) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE recovery_codes SET used_at = \(now)
            WHERE user_id = \(user) AND code_hash = \(hash) AND used_at IS NULL RETURNING user_id
            """
        ).isEmpty
    }

    public func unusedRecoveryCodes(_ tx: some Transaction, user: UserID) async throws -> Int {
        try await tx.executor.first(
            "SELECT count(*) AS n FROM recovery_codes WHERE user_id = \(user) AND used_at IS NULL"
        )?.decode("n") ?? 0
    }

    /// Turns two-factor sign-in off: the secret, the recovery codes and open challenges go.
    public func remove(_ tx: some Transaction, user: UserID) async throws {
        try await tx.executor.execute("DELETE FROM second_factors WHERE user_id = \(user)")
        try await tx.executor.execute("DELETE FROM recovery_codes WHERE user_id = \(user)")
        try await tx.executor.execute("DELETE FROM login_challenges WHERE user_id = \(user)")
        try await tx.executor.execute("UPDATE users SET second_factor_enabled = \(false) WHERE id = \(user)")
    }

    public func createChallenge(_ tx: some Transaction, hash: String, user: UserID, at now: Date, expiresAt: Date)
        async throws
    {
        try await tx.executor.execute(
            """
            INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at)
            VALUES (\(hash), \(user), \(now), \(expiresAt))
            """)
    }

    public func findChallenge(_ tx: some Transaction, hash: String) async throws -> LoginChallenge? {
        try await tx.executor.first(
            "SELECT user_id, expires_at, failures FROM login_challenges WHERE token_hash = \(hash)"
        ).map { row in
            LoginChallenge(
                userID: try row.decode("user_id"), expiresAt: try row.decode("expires_at"),
                failures: try row.decode("failures"))
        }
    }

    /// Counts a wrong code against the challenge; at `maxFailures` the challenge is gone and the
    /// password must be given again. Returns whether it still stands.
    public func recordChallengeFailure(_ tx: some Transaction, hash: String, maxFailures: Int) async throws -> Bool {
        try await tx.executor.execute(
            "UPDATE login_challenges SET failures = failures + 1 WHERE token_hash = \(hash)")
        let removed = try await tx.executor.query(
            "DELETE FROM login_challenges WHERE token_hash = \(hash) AND failures >= \(maxFailures) RETURNING user_id")
        return removed.isEmpty
    }

    /// Ends a challenge; false when it was already ended (by a racing request, or spent).
    public func deleteChallenge(_ tx: some Transaction, hash: String) async throws -> Bool {
        try await !tx.executor.query("DELETE FROM login_challenges WHERE token_hash = \(hash) RETURNING user_id")
            .isEmpty
    }

    @discardableResult
    public func deleteExpiredChallenges(_ tx: some Transaction, now: Date) async throws -> Int {
        try await tx.executor.query("DELETE FROM login_challenges WHERE expires_at <= \(now) RETURNING user_id").count
    }
}
