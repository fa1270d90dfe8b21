import Foundation

/// Where new secrets come from (session ids, API tokens, emailed links), injected like the
/// clock: the system's CSPRNG in production, a known sequence where a test compares output that
/// shows them.
public struct TokenGenerator: Sendable {
    public var next: @Sendable () -> String

    public init(next: @escaping @Sendable () -> String) {
        self.next = next
    }

    /// 256 bits from the system CSPRNG, base64url without padding (43 characters).
    public static let secure = TokenGenerator {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public func callAsFunction() -> String { next() }
}
