import ExpenseCore
import Foundation

/// Users are global rows: a person signs in once and may belong to many organizations.
public struct UserRepository: Sendable {
    public init() {}

    public func create(
        _ tx: some Transaction,
        id: UserID,
        email: String,
        name: String,
        passwordHash: String,
        at now: Date
    ) async throws -> User {
        let row = try await tx.executor.first(
            """
            INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
            VALUES (\(id), \(email), \(name), \(passwordHash), \(now), \(now))
            RETURNING \(unsafeRaw: Self.columns)
            """
        )
        return try Self.user(from: row!)
    }

    public func find(_ tx: some Transaction, id: UserID) async throws -> User? {
        try await tx.executor.first("SELECT \(unsafeRaw: Self.columns) FROM users WHERE id = \(id)").map(Self.user)
    }

    /// Looks a user up by normalized email.
    public func find(_ tx: some Transaction, email: String) async throws -> User? {
        try await tx.executor.first("SELECT \(unsafeRaw: Self.columns) FROM users WHERE email = \(email)")
            .map(Self.user)
    }

    /// The organization the user last worked in, if recorded: a hint, to check against their
    /// memberships before use.
    public func lastOrganization(_ tx: some Transaction, user: UserID) async throws -> OrganizationID? {
        try await tx.executor.first("SELECT last_organization_id FROM users WHERE id = \(user)")?
            .decode("last_organization_id")
    }

    /// Records the organization the user is working in now. The row is written only when it
    /// names another one, so opening page after page in one organization writes nothing.
    public func setLastOrganization(_ tx: some Transaction, user: UserID, organization: OrganizationID)
        async throws
    {
        let differs = tx.executor.dialect == .postgres ? "IS DISTINCT FROM" : "IS NOT"
        try await tx.executor.execute(
            """
            UPDATE users SET last_organization_id = \(organization)
            WHERE id = \(user) AND last_organization_id \(unsafeRaw: differs) \(organization)
            """)
    }

    static let columns = "id, email, name, email_verified_at, created_at, second_factor_enabled"

    static func user(from row: SQLRow) throws -> User {
        User(
            id: try row.decode("id"),
            email: try row.decode("email"),
            name: try row.decode("name"),
            emailVerifiedAt: try row.decode("email_verified_at"),
            createdAt: try row.decode("created_at"),
            secondFactorEnabled: try row.decode("second_factor_enabled")
        )
    }
}
