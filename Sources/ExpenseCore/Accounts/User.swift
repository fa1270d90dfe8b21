import Foundation

/// A person who can sign in. Users are global; what they may see is decided by their memberships.
public struct User: Sendable, Equatable, Codable {
    public var id: UserID
    /// Normalized (trimmed, lowercased) email address; unique.
    public var email: String
    public var name: String
    public var emailVerifiedAt: Date?
    public var createdAt: Date
    /// Whether signing in also takes a code from an authenticator app (or a recovery code).
    public var secondFactorEnabled: Bool

    public init(
        id: UserID, email: String, name: String, emailVerifiedAt: Date?, createdAt: Date,
        secondFactorEnabled: Bool = false
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.emailVerifiedAt = emailVerifiedAt
        self.createdAt = createdAt
        self.secondFactorEnabled = secondFactorEnabled
    }
}
