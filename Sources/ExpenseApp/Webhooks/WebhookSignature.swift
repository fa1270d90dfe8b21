import Crypto
import Foundation

/// Signs deliveries as the Standard Webhooks specification says: the secret is `whsec_` and
/// base64 of random bytes; `webhook-signature` is `v1,` and base64 of HMAC-SHA256 over
/// `{webhook-id}.{webhook-timestamp}.{body}` keyed with the decoded bytes.
public struct WebhookSignature: Sendable {
    public let secret: String

    public init(secret: String) {
        self.secret = secret
    }

    /// A new secret: 24 random bytes (192 bits).
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_"
            + Data((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// The headers of one attempt.
    public func headers(messageID: String, timestamp: Int, body: [UInt8]) -> [(String, String)] {
        [
            ("webhook-id", messageID), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(messageID: messageID, timestamp: timestamp, body: body)),
        ]
    }

    public func signature(messageID: String, timestamp: Int, body: [UInt8]) -> String {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        let key = SymmetricKey(data: Data(base64Encoded: encoded) ?? Data(encoded.utf8))
        var content = Array("\(messageID).\(timestamp).".utf8)
        content += body
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
