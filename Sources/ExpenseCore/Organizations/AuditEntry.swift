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
