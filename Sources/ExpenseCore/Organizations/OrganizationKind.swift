/// What sort of body an organization is. Every account also gets a `personal` one.
public enum OrganizationKind: String, Sendable, Codable, CaseIterable {
    case business
    case cooperative
    case agency
    case school
    case personal
}
