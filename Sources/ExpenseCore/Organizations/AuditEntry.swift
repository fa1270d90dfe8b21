import Foundation

/// One line of an organization's audit log: who did what to which record, and when.
public struct AuditEntry: Sendable, Equatable {
    public var id: UUID
    public var actorID: UserID?
    public var actorName: String?
    public var action: AuditAction
    /// The kind of record `subjectID` names.
    public var subjectType: AuditSubject
    public var subjectID: String?
    /// The values the change touched.
    public var details: AuditDetails?
    public var createdAt: Date

    public init(
        id: UUID,
        actorID: UserID?,
        actorName: String?,
        action: AuditAction,
        subjectType: AuditSubject,
        subjectID: String?,
        details: AuditDetails?,
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

/// What an audit entry records; the raw values are stored and shown as they are.
public enum AuditAction: String, Sendable, CaseIterable {
    case organizationCreated = "organization.created"
    case organizationUpdated = "organization.updated"
    case organizationDeleted = "organization.deleted"
    case ownershipTransferred = "organization.ownership_transferred"
    case memberInvited = "member.invited"
    case invitationResent = "member.invitation_resent"
    case invitationRevoked = "member.invitation_revoked"
    case memberJoined = "member.joined"
    case memberRoleChanged = "member.role_changed"
    case memberRemoved = "member.removed"
    case memberLeft = "member.left"
    case categoryCreated = "category.created"
    case categoryUpdated = "category.updated"
    case categoryDeleted = "category.deleted"
    case expenseCreated = "expense.created"
    case expenseUpdated = "expense.updated"
    case expenseDeleted = "expense.deleted"
}

/// The kind of record an audit entry is about.
public enum AuditSubject: String, Sendable, CaseIterable {
    case organization, member, invitation, category, expense
}
