import Foundation

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
