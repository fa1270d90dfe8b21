import Foundation

/// A typed UUID, so a user id can never be passed where an organization id is expected.
///
/// `Tag` is a phantom type: `Identifier<UserTag>` and `Identifier<OrganizationTag>` are different types.
public struct Identifier<Tag>: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: UUID

    public init(_ rawValue: UUID) { self.rawValue = rawValue }

    public init() { self.rawValue = UUID() }

    /// Parses a UUID in any letter case; `nil` for anything else.
    public init?(uuidString: String) {
        guard let uuid = UUID(uuidString: uuidString) else { return nil }
        self.rawValue = uuid
    }

    /// The canonical lowercase text form (RFC 9562), as stored and as sent over HTTP.
    public var description: String { rawValue.uuidString.lowercased() }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try UUID(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

public enum UserTag {}
public enum OrganizationTag {}
public enum MembershipTag {}
public enum InvitationTag {}

public typealias UserID = Identifier<UserTag>
public typealias OrganizationID = Identifier<OrganizationTag>
public typealias InvitationID = Identifier<InvitationTag>

/// An organization is the tenant: every tenant-owned row carries its id as `tenant_id`.
public typealias TenantID = OrganizationID

public enum ExpenseTag {}
public enum CategoryTag {}

public typealias ExpenseID = Identifier<ExpenseTag>
public typealias CategoryID = Identifier<CategoryTag>
