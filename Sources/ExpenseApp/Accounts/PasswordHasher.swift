import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt (hummingbird-auth) over a SHA-256 pre-hash, run off the event loops.
///
/// bcrypt reads at most 72 bytes, and a 128-character password can be 512 bytes of UTF-8. So
/// the password (Unicode-normalized to NFC, so the same characters typed on different systems
/// match) is first hashed with SHA-256 and base64-encoded (44 bytes, no NUL): every byte of the
/// password counts and nothing is truncated.
public struct PasswordHasher: Sendable {
    public let cost: Int
    /// A hash of a random password, verified against when the email is unknown so that the
    /// answer takes as long as for a known one.
    let dummyHash: String

    public init(cost: Int) {
        self.cost = cost
        self.dummyHash = Bcrypt.hash(Self.prehash(SecretToken.generate()), cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.hash(Self.prehash(password), cost: cost)
        }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(Self.prehash(password), hash: hash)
        }
    }

    /// Spends the time of one verification and answers false.
    public func verifyDummy(_ password: String) async throws -> Bool {
        _ = try await verify(password, against: dummyHash)
        return false
    }

    static func prehash(_ password: String) -> String {
        let normalized = password.precomposedStringWithCanonicalMapping
        return Data(SHA256.hash(data: Data(normalized.utf8))).base64EncodedString()
    }
}
