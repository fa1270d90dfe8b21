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
    public var description: String { Self.lowercaseText(rawValue) }

    /// `uuidString.lowercased()` without its two allocations and `sprintf`: exports write two
    /// per row.
    static func lowercaseText(_ uuid: UUID) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var out = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    buffer[out] = hex[Int(byte >> 4)]
                    buffer[out + 1] = hex[Int(byte & 0x0F)]
                    out += 2
                }
                return out
            }
        }
    }

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

public enum BudgetTag {}
public typealias BudgetID = Identifier<BudgetTag>

public enum RecurringTag {}
public typealias RecurringID = Identifier<RecurringTag>
