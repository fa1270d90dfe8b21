import Foundation

/// An IANA time zone name from the tz database this build knows, e.g. `Europe/Lisbon`.
public enum TimeZoneName {
    public static func validate(_ raw: String, field: String = "timezone") throws -> String {
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard name.count <= 64, TimeZone(identifier: name) != nil,
            name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name)
        else {
            throw ValidationError(field, "Use an IANA time zone name, such as Europe/Lisbon or America/New_York.")
        }
        return name
    }
}
