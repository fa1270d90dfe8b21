/// A member's role inside one organization, from most to least powerful. What each may do is
/// the permission table (`Permission`); the stored names below are checked by the schema.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case owner
    case admin
    case finance
    case member
    case viewer

    /// Lower rank is more powerful.
    public var rank: Int {
        switch self {
        case .owner: 0
        case .admin: 1
        case .finance: 2
        case .member: 3
        case .viewer: 4
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank > rhs.rank }

    /// The role named `raw`, or a `ValidationError` on `field`.
    public static func parse(_ raw: String, field: String = "role") throws -> Role {
        guard let role = Role(rawValue: raw) else {
            throw ValidationError(field, "Choose owner, admin, finance, member or viewer.")
        }
        return role
    }
}
