import Foundation

/// A user's place in one organization.
public struct Membership: Sendable, Equatable, Codable {
    public var tenantID: OrganizationID
    public var userID: UserID
    public var role: Role
    public var createdAt: Date

    public init(tenantID: OrganizationID, userID: UserID, role: Role, createdAt: Date) {
        self.tenantID = tenantID
        self.userID = userID
        self.role = role
        self.createdAt = createdAt
    }
}
