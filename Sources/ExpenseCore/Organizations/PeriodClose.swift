import Foundation

/// One close or reopen of an organization's books. The newest one's `through` is the
/// closed-through date: expenses dated on or before it are not added, changed or deleted.
public struct PeriodClose: Sendable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// Closed the books through `through` (later than before).
        case close
        /// Moved the closed-through date back to `through` (nil: nothing is closed any more).
        case reopen
    }

    /// Its number among the organization's closes and reopens, from 1.
    public var seq: Int64
    public var action: Action
    public var through: CalendarDate?
    /// Why a reopen was needed (required for a reopen; nil for a close).
    public var reason: String?
    public var actorID: UserID?
    public var actorName: String?
    /// The audit chain's head once the change was logged: a figure finance can keep elsewhere
    /// and compare with a later `audit verify`.
    public var auditSeq: Int64
    public var auditHash: String
    public var createdAt: Date

    public init(
        seq: Int64, action: Action, through: CalendarDate?, reason: String?, actorID: UserID?, actorName: String?,
        auditSeq: Int64, auditHash: String, createdAt: Date
    ) {
        self.seq = seq
        self.action = action
        self.through = through
        self.reason = reason
        self.actorID = actorID
        self.actorName = actorName
        self.auditSeq = auditSeq
        self.auditHash = auditHash
        self.createdAt = createdAt
    }

    /// The longest reason a reopen may give.
    public static let reasonLimit = 500
}
