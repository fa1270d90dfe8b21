import Foundation

/// IANA time zone names from the tz database this build knows, e.g. `Europe/Lisbon`.
public enum TimeZoneName {
    /// The zone named `raw` (surrounding spaces ignored), or a `ValidationError` on `field`.
    /// Only names the tz database lists (and `UTC`) are accepted: Foundation also makes zones of
    /// abbreviations and offsets such as `EST` or `GMT+3`, which do not follow daylight saving.
    public static func parse(_ raw: String, field: String = "timezone") throws -> TimeZone {
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard name.count <= 64, name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name),
            let zone = TimeZone(identifier: name)
        else {
            throw ValidationError(field, "Use an IANA time zone name, such as Europe/Lisbon or America/New_York.")
        }
        return zone
    }
}

extension TimeZone {
    /// Coordinated Universal Time under its tz database name (`.gmt` is named "GMT"). Every
    /// Foundation knows this zone.
    public static let utc = TimeZone(identifier: "UTC")!
}
