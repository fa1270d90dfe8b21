import ExpenseCore
import Foundation

/// A signed-in browser session, as stored (the cookie's id only as its hash).
public struct StoredSession: Sendable, Equatable {
    public var idHash: String
    public var userID: UserID
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date
    public var expiresAt: Date

    public init(idHash: String, userID: UserID, csrfToken: String, createdAt: Date, lastSeenAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.userID = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
    }
}

public struct SessionRepository: Sendable {
    public init() {}

    public func create(_ tx: some Transaction, _ session: StoredSession) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
            VALUES (\(session.idHash), \(session.userID), \(session.csrfToken), \(session.createdAt),
                    \(session.lastSeenAt), \(session.expiresAt))
            """
        )
    }

    public func find(_ tx: some Transaction, idHash: String) async throws -> StoredSession? {
        try await tx.executor.first(
            """
            SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at
            FROM sessions WHERE id_hash = \(idHash)
            """
        ).map { row in
            StoredSession(
                idHash: try row.decode("id_hash"),
                userID: try row.decode("user_id"),
                csrfToken: try row.decode("csrf_token"),
                createdAt: try row.decode("created_at"),
                lastSeenAt: try row.decode("last_seen_at"),
                expiresAt: try row.decode("expires_at")
            )
        }
    }

    /// The session with this id hash and its user, in one statement.
    public func findWithUser(_ tx: some Transaction, idHash: String) async throws -> (StoredSession, User)? {
        guard
            let row = try await tx.executor.first(
                """
                SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
                       u.email, u.name, u.email_verified_at, u.created_at AS user_created_at,
                       u.second_factor_enabled
                FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = \(idHash)
                """)
        else { return nil }
        let session = StoredSession(
            idHash: try row.decode("id_hash"), userID: try row.decode("user_id"),
            csrfToken: try row.decode("csrf_token"),
            createdAt: try row.decode("created_at"), lastSeenAt: try row.decode("last_seen_at"),
            expiresAt: try row.decode("expires_at"))
        let user = User(
            id: session.userID, email: try row.decode("email"), name: try row.decode("name"),
            emailVerifiedAt: try row.decode("email_verified_at"), createdAt: try row.decode("user_created_at"),
            secondFactorEnabled: try row.decode("second_factor_enabled"))
        return (session, user)
    }

    public func touch(_ tx: some Transaction, idHash: String, at now: Date) async throws {
        try await tx.executor.execute("UPDATE sessions SET last_seen_at = \(now) WHERE id_hash = \(idHash)")
    }

    public func delete(_ tx: some Transaction, idHash: String) async throws {
        try await tx.executor.execute("DELETE FROM sessions WHERE id_hash = \(idHash)")
    }

    /// Ends every session of the user except, when given, the one making the change.
    public func deleteAll(_ tx: some Transaction, user: UserID, except keep: String? = nil) async throws {
        try await tx.executor.execute(
            "DELETE FROM sessions WHERE user_id = \(user) AND id_hash <> \(keep ?? "")"
        )
    }

    /// Removes sessions past either limit; returns how many.
    @discardableResult
    public func deleteExpired(_ tx: some Transaction, now: Date, idleSince: Date) async throws -> Int {
        try await tx.executor.query(
            "DELETE FROM sessions WHERE expires_at <= \(now) OR last_seen_at <= \(idleSince) RETURNING id_hash"
        ).count
    }
}
