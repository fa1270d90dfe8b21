import Foundation

/// A person who can sign in. Users are global; what they may see is decided by their memberships.
public struct User: Sendable, Equatable, Codable {
    public var id: UserID
    /// Normalized (trimmed, lowercased) email address; unique.
    public var email: String
    public var name: String
    public var emailVerifiedAt: Date?
    public var createdAt: Date

    public init(id: UserID, email: String, name: String, emailVerifiedAt: Date?, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.emailVerifiedAt = emailVerifiedAt
        self.createdAt = createdAt
    }
}
