import ExpenseCore
import Foundation

/// Who belongs to a tenant, and with which role.
public struct MembershipRepository: Sendable {
    public init() {}

    public func add(_ tx: TenantTransaction, user: UserID, role: Role, at now: Date) async throws -> Membership {
        let row = try await tx.executor.first(
            """
            INSERT INTO memberships (tenant_id, user_id, role, created_at, updated_at)
            VALUES (\(tx.tenantID), \(user), \(role), \(now), \(now))
            RETURNING tenant_id, user_id, role, created_at
            """
        )
        return try Self.membership(from: row!)
    }

    /// The user's membership in the transaction's tenant, if any.
    public func find(_ tx: TenantTransaction, user: UserID) async throws -> Membership? {
        try await tx.executor.first(
            """
            SELECT tenant_id, user_id, role, created_at FROM memberships
            WHERE tenant_id = \(tx.tenantID) AND user_id = \(user)
            """
        ).map(Self.membership)
    }

    /// Every membership of the transaction's tenant, oldest first.
    public func list(_ tx: TenantTransaction) async throws -> [Membership] {
        try await tx.executor.query(
            """
            SELECT tenant_id, user_id, role, created_at FROM memberships
            WHERE tenant_id = \(tx.tenantID)
            ORDER BY created_at, user_id
            """
        ).map(Self.membership)
    }

    /// Members with their names and emails, owners first, then by name.
    public func listMembers(_ tx: TenantTransaction) async throws -> [Member] {
        try await tx.executor.query(
            """
            SELECT m.user_id, u.name, u.email, m.role, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.tenant_id = \(tx.tenantID)
            ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'finance' THEN 2
                                 WHEN 'member' THEN 3 ELSE 4 END, u.name, u.email
            """
        ).map { row in
            Member(
                userID: try row.decode("user_id"),
                name: try row.decode("name"),
                email: try row.decode("email"),
                role: try row.decode("role"),
                joinedAt: try row.decode("created_at")
            )
        }
    }

    public func changeRole(_ tx: TenantTransaction, user: UserID, to role: Role, at now: Date) async throws {
        try await tx.executor.execute(
            """
            UPDATE memberships SET role = \(role), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND user_id = \(user)
            """
        )
    }

    public func remove(_ tx: TenantTransaction, user: UserID) async throws {
        try await tx.executor.execute("DELETE FROM memberships WHERE tenant_id = \(tx.tenantID) AND user_id = \(user)")
    }

    /// How many owners the tenant has. Read inside the transaction that changes roles, with
    /// the rows locked on PostgreSQL, so two demotions at once cannot both pass the last-owner check.
    public func countOwners(_ tx: TenantTransaction) async throws -> Int {
        let lock = tx.executor.dialect == .postgres ? " FOR UPDATE" : ""
        return try await tx.executor.query(
            "SELECT user_id FROM memberships WHERE tenant_id = \(tx.tenantID) AND role = 'owner'\(unsafeRaw: lock)"
        ).count
    }

    static func membership(from row: SQLRow) throws -> Membership {
        Membership(
            tenantID: try row.decode("tenant_id"),
            userID: try row.decode("user_id"),
            role: try row.decode("role"),
            createdAt: try row.decode("created_at")
        )
    }
}
