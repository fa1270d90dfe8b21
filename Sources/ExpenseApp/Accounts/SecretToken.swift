import Crypto
import Foundation

/// The hashes stored in place of the secrets handed out (session ids, API tokens, emailed
/// links; `TokenGenerator` makes them), and the shape a secret must have to be looked up.
public struct SecretToken: Sendable {
    /// SHA-256 of the token, hex: what the database keeps.
    public static func hash(_ token: String) -> String {
        let digest = SHA256.hash(data: Array(token.utf8))
        // Every request hashes its token: hex by table, not through String(format:) per byte.
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether `token` has the shape `TokenGenerator.secure` produces; anything else is not looked up.
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F
            }
    }
}
