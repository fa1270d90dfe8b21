/// A day of the week, numbered as ISO 8601 does (Monday 1 ... Sunday 7).
/// Organizations choose the one their weeks start on.
public enum Weekday: Int, Sendable, Codable, CaseIterable {
    case monday = 1
    case tuesday, wednesday, thursday, friday, saturday, sunday

    public var name: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    public init?(name: String) {
        guard let day = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = day
    }
}
