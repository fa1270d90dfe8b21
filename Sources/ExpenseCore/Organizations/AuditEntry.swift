import Foundation

/// One line of an organization's audit log: who did what to which record, and when.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: UUID
    public var actorID: UserID?
    public var actorName: String?
    /// What happened, e.g. `member.invited`, `member.role_changed`, `organization.updated`.
    public var action: String
    /// The kind of record: `organization`, `member`, `invitation`, later `expense`.
    public var subjectType: String
    public var subjectID: String?
    /// Facts of the change as a JSON object (before/after values).
    public var details: String?
    public var createdAt: Date

    public init(
        id: UUID = UUID(),
        actorID: UserID?,
        actorName: String?,
        action: String,
        subjectType: String,
        subjectID: String?,
        details: String?,
        createdAt: Date
    ) {
        self.id = id
        self.actorID = actorID
        self.actorName = actorName
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.details = details
        self.createdAt = createdAt
    }
}

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

/// A member as the members page lists them.
public struct Member: Sendable, Equatable {
    public var userID: UserID
    public var name: String
    public var email: String
    public var role: Role
    public var joinedAt: Date

    public init(userID: UserID, name: String, email: String, role: Role, joinedAt: Date) {
        self.userID = userID
        self.name = name
        self.email = email
        self.role = role
        self.joinedAt = joinedAt
    }
}
