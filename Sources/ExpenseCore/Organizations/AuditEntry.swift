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
