import Foundation

/// A person's or an organization's name as typed, trimmed; 1 to 200 characters, no control
/// characters anywhere, surrounding line breaks included (so a name can go into a mail header or
/// a log line unchanged, and the rule is one a JSON Schema pattern states exactly).
public enum DisplayName {
    public static let maximumLength = 200

    public static func validate(_ raw: String, field: String = "name") throws -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ValidationError(field, "Enter a name.") }
        // Counted in code points as typed, as the API's maxLength counts.
        guard raw.unicodeScalars.count <= maximumLength else {
            throw ValidationError(field, "Use at most \(maximumLength) characters.")
        }
        guard !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError(field, "A name cannot contain line breaks or control characters.")
        }
        return trimmed
    }
}
