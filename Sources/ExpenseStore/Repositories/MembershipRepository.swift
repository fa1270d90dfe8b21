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

    static func membership(from row: SQLRow) throws -> Membership {
        Membership(
            tenantID: try row.decode("tenant_id"),
            userID: try row.decode("user_id"),
            role: try row.decode("role"),
            createdAt: try row.decode("created_at")
        )
    }
}
