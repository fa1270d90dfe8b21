import Foundation
import Testing

@testable import ExpenseApp

/// The one-time password arithmetic against the published test vectors, and the acceptance
/// rules sign-in holds codes to.
struct TOTPTests {
    /// RFC 6238, appendix B: SHA-1, the ASCII secret "12345678901234567890", eight digits.
    @Test(arguments: [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func rfc6238Vectors(seconds: Int, expected: String) {
        var totp = TOTPCode(secret: "12345678901234567890")
        totp.digits = 8
        #expect(totp.code(at: Date(timeIntervalSince1970: TimeInterval(seconds))) == expected)
    }

    /// RFC 4226, appendix D: the HOTP values of counters 0 to 9, six digits.
    @Test func rfc4226Vectors() {
        let totp = TOTPCode(secret: "12345678901234567890")
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
        ]
        #expect((0..<10).map { totp.code(step: Int64($0)) } == expected)
    }

    @Test func aCodeIsAcceptedWithinOneStepAndNeverTwice() {
        let totp = TOTPCode(secret: "12345678901234567890")
        let now = Date(timeIntervalSince1970: 1_111_111_111)
        let step = totp.step(at: now)
        #expect(totp.accept(totp.code(step: step), at: now, after: nil) == step)
        #expect(totp.accept(totp.code(step: step - 1), at: now, after: nil) == step - 1)
        #expect(totp.accept(totp.code(step: step + 1), at: now, after: nil) == step + 1)
        #expect(totp.accept(totp.code(step: step - 2), at: now, after: nil) == nil)
        // Replayed, or older than one already used: refused.
        #expect(totp.accept(totp.code(step: step), at: now, after: step) == nil)
        #expect(totp.accept(totp.code(step: step - 1), at: now, after: step) == nil)
        #expect(totp.accept(totp.code(step: step + 1), at: now, after: step) == step + 1)
        // Spaces are forgiven; anything else that is not six digits is refused.
        let code = totp.code(step: step)
        #expect(totp.accept(code.prefix(3) + " " + code.dropFirst(3), at: now, after: nil) == step)
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            #expect(totp.accept(bad, at: now, after: nil) == nil, "\(bad)")
        }
    }

    /// The URI carries the secret's bytes in base32 (RFC 4648: "foobar" is MZXW6YTBOI) and the
    /// issuer both in the label and as a parameter, as authenticator apps expect.
    @Test func provisioningURI() {
        let uri = TOTPCode(secret: "foobar").provisioningURI(issuer: "ExpenseTracker", account: "ana@example.org")
        #expect(uri.hasPrefix("otpauth://totp/ExpenseTracker"))
        #expect(uri.contains("secret=MZXW6YTBOI"))
        #expect(uri.contains("issuer=ExpenseTracker"))
        let secret = TOTPCode.newSecret()
        #expect(secret.count == 32 && secret.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        #expect(secret != TOTPCode.newSecret())
    }
}
