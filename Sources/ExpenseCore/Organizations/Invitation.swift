import Foundation

/// An invitation to join an organization with a role.
public struct Invitation: Sendable, Equatable {
    public var id: InvitationID
    public var tenantID: OrganizationID
    public var email: String
    public var role: Role
    public var invitedBy: UserID?
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var revokedAt: Date?
    public var createdAt: Date

    public init(
        id: InvitationID, tenantID: OrganizationID, email: String, role: Role, invitedBy: UserID?,
        expiresAt: Date, acceptedAt: Date?, revokedAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.role = role
        self.invitedBy = invitedBy
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.revokedAt = revokedAt
        self.createdAt = createdAt
    }

    /// Whether it can still be accepted at `now`.
    public func isOpen(at now: Date) -> Bool {
        acceptedAt == nil && revokedAt == nil && expiresAt > now
    }
}
