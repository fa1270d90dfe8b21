import Foundation

/// A normalized email address: trimmed and lowercased, so that one person has one account
/// whatever case they type. Addresses that could smuggle mail headers (CR, LF, any control
/// character) or that SMTP would refuse are rejected.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    public var description: String { value }

    /// Validates and normalizes `raw`; throws a `ValidationError` on the `field`.
    public init(_ raw: String, field: String = "email") throws {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ValidationError(field, "Enter your email address.") }
        guard trimmed.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value != 0x7F }) else {
            throw ValidationError(field, "An email address cannot contain spaces or control characters.")
        }
        let lowered = trimmed.lowercased()
        guard lowered.utf8.count <= 254 else { throw ValidationError(field, "That email address is too long.") }
        let parts = lowered.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
            !local.isEmpty, local.utf8.count <= 64,
            Self.isValidDomain(domain),
            !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
            !local.contains(where: { "<>()[]\\,;:\"".contains($0) })
        else {
            throw ValidationError(field, "Enter an email address like name@example.com.")
        }
        self.value = lowered
    }

    private static func isValidDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
