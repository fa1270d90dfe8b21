import Foundation
import HummingbirdOTP

/// Time-based one-time passwords as every authenticator app computes them by default (RFC 6238
/// over RFC 4226, HMAC-SHA1, six digits, a new code every thirty seconds). hummingbird-auth's OTP
/// computes the codes; this adds the rules sign-in holds them to.
///
/// A code is accepted for the step it belongs to and the one before and after (a phone clock a
/// little off, a code typed as it changes), and never for a step at or before the last one
/// accepted: a code seen once, by the user or by someone watching, cannot be used again.
public struct TOTPCode: Sendable {
    /// The secret the server and the authenticator app share: its bytes are the HMAC key. New
    /// secrets are 32 characters of the base32 alphabet (160 random bits).
    public let secret: String
    public var digits = 6
    public var period = 30

    public init(secret: String) {
        self.secret = secret
    }

    /// A new random secret.
    public static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// The time step `date` falls in.
    public func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code of `step`, zero-padded to `digits`.
    public func code(step: Int64) -> String {
        let totp = TOTP(secret: secret, length: digits, timeStep: period)
        let value = totp.compute(date: Date(timeIntervalSince1970: Double(step) * Double(period)))
        let text = String(value)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    public func code(at date: Date) -> String {
        code(step: step(at: date))
    }

    /// The step `candidate` is the code of, within one step of `date` and after `lastAccepted`;
    /// nil when it is none of them. Store the step returned as the new `lastAccepted`.
    public func accept(_ candidate: String, at date: Date, after lastAccepted: Int64?) -> Int64? {
        let typed = candidate.filter { !$0.isWhitespace }
        guard typed.count == digits, typed.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let now = step(at: date)
        for step in (now - 1)...(now + 1) where step > (lastAccepted ?? .min) {
            if CSRFProtection.constantTimeEquals(code(step: step), typed) { return step }
        }
        return nil
    }

    /// The `otpauth://` URI authenticator apps read from a QR code: `issuer:account` as its
    /// label, the secret in base32, and the issuer again as a parameter.
    public func provisioningURI(issuer: String, account: String) -> String {
        TOTP(secret: secret, length: digits, timeStep: period)
            .createAuthenticatorURL(label: "\(issuer):\(account)", issuer: issuer)
    }
}
