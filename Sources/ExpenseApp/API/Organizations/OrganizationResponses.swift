import ExpenseCore
import Foundation
import Hummingbird

/// An organization as the API shows it, with the caller's role.
struct OrganizationResponse: ResponseEncodable {
    var id: String
    var name: String
    var kind: OrganizationKind
    var currency: String
    var timezone: String
    var weekStart: String
    /// A decimal string, or null (written out) when there is no receipt rule.
    var receiptRequiredAbove: String?
    var requireSecondFactor: Bool
    var role: Role
    var createdAt: Date
    var updatedAt: Date

    init(_ organization: Organization, role: Role) {
        id = organization.id.description
        name = organization.name
        kind = organization.kind
        currency = organization.currency.code
        timezone = organization.timeZone.name
        weekStart = organization.weekStart.name
        receiptRequiredAbove = organization.receiptThreshold?.decimalString
        requireSecondFactor = organization.requireSecondFactor
        self.role = role
        createdAt = organization.createdAt
        updatedAt = organization.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, currency, timezone, role
        case weekStart = "week_start"
        case receiptRequiredAbove = "receipt_required_above"
        case requireSecondFactor = "require_second_factor"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(currency, forKey: .currency)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(weekStart, forKey: .weekStart)
        try container.encode(receiptRequiredAbove, forKey: .receiptRequiredAbove)
        try container.encode(requireSecondFactor, forKey: .requireSecondFactor)
        try container.encode(role, forKey: .role)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

struct MemberResponse: ResponseEncodable {
    var userID: String
    var name: String
    var email: String
    var role: Role
    var joinedAt: Date

    init(_ member: Member) {
        userID = member.userID.description
        name = member.name
        email = member.email
        role = member.role
        joinedAt = member.joinedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, email, role
        case userID = "user_id"
        case joinedAt = "joined_at"
    }
}

struct InvitationResponse: ResponseEncodable {
    var id: String
    var email: String
    var role: Role
    var invitedBy: String?
    var expiresAt: Date
    var createdAt: Date

    init(_ invitation: Invitation) {
        id = invitation.id.description
        email = invitation.email
        role = invitation.role
        invitedBy = invitation.invitedBy?.description
        expiresAt = invitation.expiresAt
        createdAt = invitation.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, role
        case invitedBy = "invited_by"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
    }
}

struct AuditEntryResponse: Encodable {
    var id: String
    var actorID: String?
    var actorName: String?
    var action: String
    var subjectType: String
    var subjectID: String?
    var details: [String: [String: String]]?
    var createdAt: Date

    init(_ entry: AuditEntry) {
        id = entry.id.uuidString.lowercased()
        actorID = entry.actorID?.description
        actorName = entry.actorName
        action = entry.action.rawValue
        subjectType = entry.subjectType.rawValue
        subjectID = entry.subjectID
        details = entry.details.map(Self.object)
        createdAt = entry.createdAt
    }

    /// `{"before": {...}, "after": {...}}` (a side with nothing in it left out) or `{"facts": {...}}`.
    static func object(_ details: AuditDetails) -> [String: [String: String]] {
        switch details {
        case .change(let before, let after): ["before": before, "after": after].filter { !$0.value.isEmpty }
        case .facts(let facts): ["facts": facts]
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, action, details
        case actorID = "actor_id"
        case actorName = "actor_name"
        case subjectType = "subject_type"
        case subjectID = "subject_id"
        case createdAt = "created_at"
    }
}

struct ItemList<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    var items: [Item]
}
