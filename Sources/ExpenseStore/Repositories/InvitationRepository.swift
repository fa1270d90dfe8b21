import ExpenseCore
import Foundation

/// Invitations to join a tenant. Read by token only in an invitation transaction, whose
/// row-level security shows the one invitation that token belongs to.
public struct InvitationRepository: Sendable {
    public init() {}

    public func create(_ tx: TenantTransaction, _ invitation: Invitation, tokenHash: String) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at, created_at)
            VALUES (\(tx.tenantID), \(invitation.id), \(invitation.email), \(invitation.role), \(tokenHash),
                    \(invitation.invitedBy), \(invitation.expiresAt), \(invitation.createdAt))
            """
        )
    }

    public func find(_ tx: TenantTransaction, id: InvitationID) async throws -> Invitation? {
        try await tx.executor.first(
            "SELECT \(unsafeRaw: Self.columns) FROM invitations WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
        ).map(Self.invitation)
    }

    /// The open (not accepted, not revoked) invitation for an address, expired or not.
    public func findOpen(_ tx: TenantTransaction, email: String) async throws -> Invitation? {
        try await tx.executor.first(
            """
            SELECT \(unsafeRaw: Self.columns) FROM invitations
            WHERE tenant_id = \(tx.tenantID) AND email = \(email) AND accepted_at IS NULL AND revoked_at IS NULL
            """
        ).map(Self.invitation)
    }

    /// The invitation whose token hashes to `tokenHash`, whatever its state.
    public func find(_ tx: InvitationTransaction) async throws -> Invitation? {
        try await tx.executor.first(
            "SELECT \(unsafeRaw: Self.columns) FROM invitations WHERE token_hash = \(tx.tokenHash)"
        ).map(Self.invitation)
    }

    /// Open invitations that have not expired, newest first.
    public func listPending(_ tx: TenantTransaction, now: Date) async throws -> [Invitation] {
        try await tx.executor.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM invitations
            WHERE tenant_id = \(tx.tenantID) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(now)
            ORDER BY created_at DESC, id
            """
        ).map(Self.invitation)
    }

    /// Revokes an open invitation; `false` when there is no open one with this id.
    public func revoke(_ tx: TenantTransaction, id: InvitationID, at now: Date) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE invitations SET revoked_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """
        ).isEmpty
    }

    /// Gives an open invitation another role; `false` when there is no open one with this id.
    public func changeRole(_ tx: TenantTransaction, id: InvitationID, to role: Role) async throws -> Bool {
        try await !tx.executor.query(
            """
            UPDATE invitations SET role = \(role.rawValue)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """
        ).isEmpty
    }

    /// Gives an open invitation a new token and expiry (a resend); `false` when not open.
    public func renew(_ tx: TenantTransaction, id: InvitationID, tokenHash: String, expiresAt: Date) async throws
        -> Bool
    {
        try await !tx.executor.query(
            """
            UPDATE invitations SET token_hash = \(tokenHash), expires_at = \(expiresAt)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """
        ).isEmpty
    }

    /// Marks the invitation accepted, in one statement that holds every condition: the token
    /// is still this invitation's (a resend replaces it), it is open at `now`, and its inviter is
    /// still a member whose role is one of `inviterRoles` (an invitation never carries more
    /// authority than its inviter has now). A token used twice at once joins once. Returns the
    /// invitation as accepted, or nil when any condition fails.
    public func accept(
        _ tx: TenantTransaction, tokenHash: String, by user: UserID, at now: Date, inviterRoles: [Role]
    ) async throws -> Invitation? {
        let roles = inviterRoles.map(\.rawValue).map { "'\($0)'" }.joined(separator: ", ")
        return try await tx.executor.first(
            """
            UPDATE invitations SET accepted_at = \(now), accepted_by = \(user)
            WHERE tenant_id = \(tx.tenantID) AND token_hash = \(tokenHash)
              AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(now)
              AND EXISTS (
                SELECT 1 FROM memberships m
                WHERE m.tenant_id = invitations.tenant_id AND m.user_id = invitations.invited_by
                  AND m.role IN (\(unsafeRaw: roles))
              )
            RETURNING \(unsafeRaw: Self.columns)
            """
        ).map(Self.invitation)
    }

    /// Withdraws every open invitation `inviter` sent (they can no longer invite); returns how many.
    @discardableResult
    public func revokeAll(_ tx: TenantTransaction, sentBy inviter: UserID, at now: Date) async throws -> Int {
        try await tx.executor.query(
            """
            UPDATE invitations SET revoked_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND invited_by = \(inviter) AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """
        ).count
    }

    static let columns = "id, tenant_id, email, role, invited_by, expires_at, accepted_at, revoked_at, created_at"

    static func invitation(from row: SQLRow) throws -> Invitation {
        Invitation(
            id: try row.decode("id"),
            tenantID: try row.decode("tenant_id"),
            email: try row.decode("email"),
            role: try row.decode("role"),
            invitedBy: try row.decode("invited_by"),
            expiresAt: try row.decode("expires_at"),
            acceptedAt: try row.decode("accepted_at"),
            revokedAt: try row.decode("revoked_at"),
            createdAt: try row.decode("created_at")
        )
    }
}
