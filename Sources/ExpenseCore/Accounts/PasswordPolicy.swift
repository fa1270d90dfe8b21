import Foundation

/// What a new password must be (after NIST SP 800-63B): 12 to 128 characters of
/// any Unicode, no composition rules, and not one of the most common passwords.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 12
    public static let maximumLength = 128

    /// Lowercased common passwords to refuse.
    let commonPasswords: Set<String>

    public init(commonPasswords: Set<String>) {
        self.commonPasswords = Set(commonPasswords.map { $0.lowercased() })
    }

    /// Throws a `ValidationError` on `field` when `password` may not be used.
    /// Length counts code points (not bytes), as the API's minLength and maxLength do.
    public func validate(_ password: String, field: String = "password") throws {
        let length = password.unicodeScalars.count
        if length < Self.minimumLength {
            throw ValidationError(
                field, "Use at least \(Self.minimumLength) characters; a few words together work well.")
        }
        if length > Self.maximumLength {
            throw ValidationError(field, "Use at most \(Self.maximumLength) characters.")
        }
        if password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ValidationError(field, "A password cannot contain control characters.")
        }
        if commonPasswords.contains(password.lowercased()) {
            throw ValidationError(field, "That password is one of the most common ones; choose another.")
        }
    }
}
