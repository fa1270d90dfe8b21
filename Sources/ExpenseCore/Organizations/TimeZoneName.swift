import Foundation

/// IANA time zone names from the tz database this build knows, e.g. `Europe/Lisbon`.
public enum TimeZoneName {
    /// The zone named `raw` (surrounding spaces ignored), or a `ValidationError` on `field`.
    /// Accepted: `UTC`, `GMT`, and the tz database's `Area/Location` names this system knows
    /// (`Asia/Kolkata` too, which Foundation's own older list lacks). Refused: abbreviations and
    /// offsets such as `EST`, `GMT+3` or `Etc/GMT+3`, which Foundation would also take but which
    /// do not follow daylight saving.
    public static func parse(_ raw: String, field: String = "timezone") throws -> TimeZone {
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard name.count <= 64,
            name == "UTC" || name == "GMT" || TimeZone.knownTimeZoneIdentifiers.contains(name)
                || (name.contains("/") && !name.hasPrefix("Etc/") && TimeZone(identifier: name)?.identifier == name),
            let zone = TimeZone(identifier: name)
        else {
            throw ValidationError(field, "Use an IANA time zone name, such as Europe/Lisbon or America/New_York.")
        }
        return zone
    }

    /// Every name `parse` accepts that a person would choose, sorted: `UTC` and the tz
    /// database's `Area/Location` names, without the `Etc/` offsets.
    public static let known: [String] = {
        let names = TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") }
        return ["UTC"] + Set(names + ["Asia/Kolkata"]).filter { (try? parse($0)) != nil }.sorted()
    }()
}

extension TimeZone {
    /// Coordinated Universal Time. Every Foundation knows this zone.
    public static let utc = TimeZone(identifier: "UTC")!

    /// The zone's name as stored and shown: its tz database name, and `UTC` for the zone
    /// Foundation calls "GMT" (it names UTC that way too; the two are the same zone).
    public var name: String { identifier == "GMT" ? "UTC" : identifier }
}
