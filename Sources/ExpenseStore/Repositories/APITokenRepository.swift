import ExpenseCore
import Foundation

/// A bearer token of the JSON API, as its owner sees it (never the secret itself).
public struct APIToken: Sendable, Equatable, Codable {
    /// Where a token came from, which decides its limits.
    public enum Kind: String, Sendable, Codable {
        /// Issued by a login: limited like a browser session (idle and absolute).
        case session
        /// Created for an integration: no idle limit, its own expiry, and possibly limited to
        /// reading and to one organization.
        case personal
    }

    public var id: UUID
    public var userID: UserID
    public var name: String
    public var createdAt: Date
    public var lastUsedAt: Date
    public var expiresAt: Date
    public var kind: Kind
    /// False for a token that may only read (`GET` and `HEAD`).
    public var canWrite: Bool
    /// The one organization a limited token may reach; nil reaches all the user's.
    public var organizationID: OrganizationID?

    public init(
        id: UUID, userID: UserID, name: String, createdAt: Date, lastUsedAt: Date, expiresAt: Date,
        kind: Kind = .session, canWrite: Bool = true, organizationID: OrganizationID? = nil
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.kind = kind
        self.canWrite = canWrite
        self.organizationID = organizationID
    }
}

public struct APITokenRepository: Sendable {
    public init() {}

    public func create(_ tx: some Transaction, _ token: APIToken, hash: String) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO api_tokens (id, user_id, token_hash, name, created_at, last_used_at, expires_at,
                                    kind, can_write, organization_id)
            VALUES (\(token.id), \(token.userID), \(hash), \(token.name), \(token.createdAt),
                    \(token.lastUsedAt), \(token.expiresAt), \(token.kind.rawValue), \(token.canWrite),
                    \(token.organizationID))
            """
        )
    }

    public func find(_ tx: some Transaction, hash: String) async throws -> APIToken? {
        try await tx.executor.first("SELECT \(unsafeRaw: Self.columns) FROM api_tokens WHERE token_hash = \(hash)")
            .map(Self.token)
    }

    /// The token with this hash and its user, in one statement. Given a tenant, on PostgreSQL the
    /// same statement scopes its transaction to that tenant and the token's user (the `deferred`
    /// scope's first statement); nothing is scoped when no token matches.
    public func findWithUser(_ executor: any SQLExecutor, hash: String, scopingTo tenant: TenantID? = nil)
        async throws -> (APIToken, User)?
    {
        let sql =
            if let tenant, executor.dialect == .postgres {
                Self.withUserScoping(hash: hash, tenant: tenant.description).prepared(as: WithUserScoping.self)
            } else {
                Self.withUser(hash: hash)
            }
        guard let row = try await executor.first(sql) else { return nil }
        let token = try Self.token(from: row)
        let user = User(
            id: token.userID, email: try row.decode("user_email"), name: try row.decode("user_name"),
            emailVerifiedAt: try row.decode("user_email_verified_at"), createdAt: try row.decode("user_created_at"),
            secondFactorEnabled: try row.decode("user_second_factor_enabled"))
        return (token, user)
    }

    static let withUserColumns = """
        t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.expires_at, t.kind, t.can_write,
        t.organization_id, u.email AS user_email,
        u.name AS user_name, u.email_verified_at AS user_email_verified_at, u.created_at AS user_created_at,
        u.second_factor_enabled AS user_second_factor_enabled
        """

    static func withUser(hash: String) -> SQL {
        """
        SELECT \(unsafeRaw: withUserColumns)
        FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = \(hash)
        """
    }

    static func withUserScoping(hash: String, tenant: String) -> SQL {
        """
        SELECT \(unsafeRaw: withUserColumns),
               set_config('app.tenant_id', \(tenant), true), set_config('app.user_id', t.user_id::text, true),
               set_config('app.invitation_token_hash', '', true)
        FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = \(hash)
        """
    }

    enum WithUserScoping: PreparedStatementKey {
        static let text = APITokenRepository.withUserScoping(hash: "", tenant: "").text(for: .postgres)
    }

    /// Records a use. On PostgreSQL a row another request is already touching is skipped, not
    /// waited for: the write runs inside the request's transaction, and concurrent requests with
    /// one token must not queue behind each other for a timestamp.
    public func touch(_ tx: some Transaction, id: UUID, at now: Date) async throws {
        switch tx.executor.dialect {
        case .postgres:
            try await tx.executor.execute(
                """
                UPDATE api_tokens SET last_used_at = \(now)
                WHERE id = (SELECT id FROM api_tokens WHERE id = \(id) FOR UPDATE SKIP LOCKED)
                """)
        case .sqlite:
            try await tx.executor.execute("UPDATE api_tokens SET last_used_at = \(now) WHERE id = \(id)")
        }
    }

    /// The user's tokens that have not expired, newest first.
    public func list(_ tx: some Transaction, user: UserID, now: Date) async throws -> [APIToken] {
        try await tx.executor.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM api_tokens
            WHERE user_id = \(user) AND expires_at > \(now)
            ORDER BY created_at DESC, id
            """
        ).map(Self.token)
    }

    /// Deletes one of the user's tokens; `false` when the user has no such token.
    public func revoke(_ tx: some Transaction, id: UUID, user: UserID) async throws -> Bool {
        try await !tx.executor.query(
            "DELETE FROM api_tokens WHERE id = \(id) AND user_id = \(user) RETURNING id"
        ).isEmpty
    }

    /// Revokes every token of the user except, when given, the one making the change.
    public func revokeAll(_ tx: some Transaction, user: UserID, except keep: UUID? = nil) async throws {
        if let keep {
            try await tx.executor.execute("DELETE FROM api_tokens WHERE user_id = \(user) AND id <> \(keep)")
        } else {
            try await tx.executor.execute("DELETE FROM api_tokens WHERE user_id = \(user)")
        }
    }

    /// Removes tokens past their limits (a login's token also past the idle limit); returns how many.
    @discardableResult
    public func deleteExpired(_ tx: some Transaction, now: Date, idleSince: Date) async throws -> Int {
        try await tx.executor.query(
            """
            DELETE FROM api_tokens
            WHERE expires_at <= \(now) OR (kind = 'session' AND last_used_at <= \(idleSince)) RETURNING id
            """
        ).count
    }

    /// How many personal tokens the user holds that have not expired.
    public func personalCount(_ tx: some Transaction, user: UserID, now: Date) async throws -> Int {
        let row = try await tx.executor.first(
            """
            SELECT count(*) AS n FROM api_tokens
            WHERE user_id = \(user) AND kind = 'personal' AND expires_at > \(now)
            """)
        return try row?.decode("n", as: Int.self) ?? 0
    }

    static let columns = "id, user_id, name, created_at, last_used_at, expires_at, kind, can_write, organization_id"

    static func token(from row: SQLRow) throws -> APIToken {
        APIToken(
            id: try row.decode("id"),
            userID: try row.decode("user_id"),
            name: try row.decode("name"),
            createdAt: try row.decode("created_at"),
            lastUsedAt: try row.decode("last_used_at"),
            expiresAt: try row.decode("expires_at"),
            kind: APIToken.Kind(rawValue: try row.decode("kind")) ?? .session,
            canWrite: try row.decode("can_write"),
            organizationID: try row.decode("organization_id")
        )
    }
}
