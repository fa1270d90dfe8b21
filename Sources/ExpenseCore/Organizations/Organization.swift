import Foundation

/// An organization: the tenant that owns members, categories and expenses.
public struct Organization: Sendable, Equatable, Codable {
    public var id: OrganizationID
    public var name: String
    public var kind: OrganizationKind
    /// ISO 4217 code of the default currency, e.g. "EUR".
    public var currency: String
    /// IANA time zone name, e.g. "Europe/Lisbon"; expense dates are calendar dates in this zone.
    public var timeZone: String
    public var weekStart: Weekday
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: OrganizationID,
        name: String,
        kind: OrganizationKind,
        currency: String,
        timeZone: String,
        weekStart: Weekday,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.currency = currency
        self.timeZone = timeZone
        self.weekStart = weekStart
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

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
