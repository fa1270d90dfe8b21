/// A member's role inside one organization, from most to least powerful.
///
/// The permission table that decides what each role may do arrives with the organizations work;
/// the stored names below are fixed now because the schema checks them.
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
}
