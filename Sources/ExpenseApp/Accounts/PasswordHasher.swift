import Crypto
import ExpenseCore
import Foundation
import HummingbirdBcrypt
import NIOCore
import NIOPosix

/// bcrypt (hummingbird-auth) over a SHA-256 pre-hash, run on threads of its own.
///
/// bcrypt reads at most 72 bytes, and a 128-character password can be 512 bytes of UTF-8. So
/// the password (Unicode-normalized to NFC, so the same characters typed on different systems
/// match) is first hashed with SHA-256 and base64-encoded (44 bytes, no NUL): every byte of the
/// password counts and nothing is truncated.
///
/// Each hash is a quarter of a second or so of CPU. It runs on `threadPool`, never on an event
/// loop nor on the shared pool whose threads the SMTP transport blocks in, so a burst of sign-ins
/// cannot hold up mail; and it waits in a `HashingQueue` that refuses work past its bound.
public struct PasswordHasher: Sendable {
    public let cost: Int
    let queue: HashingQueue
    /// A hash of a random password, verified against when the email is unknown so that the
    /// answer takes as long as for a known one.
    let dummyHash: String

    /// One thread per core, for the whole process: hashing is the work that keeps cores busy.
    static let threadPool = NIOThreadPool._makePerpetualStartedPool(
        numberOfThreads: System.coreCount, threadNamePrefix: "bcrypt")

    public init(cost: Int, queue: HashingQueue = HashingQueue()) {
        self.cost = cost
        self.queue = queue
        self.dummyHash = Bcrypt.hash(Self.prehash(TokenGenerator.secure()), cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await queue.run(on: Self.threadPool, in: nil) { Bcrypt.hash(Self.prehash(password), cost: cost) }
    }

    /// Checks a password, in `place` when the caller already holds one in the queue.
    public func verify(_ password: String, against hash: String, in place: HashingQueue.Place? = nil) async throws
        -> Bool
    {
        try await queue.run(on: Self.threadPool, in: place) { Bcrypt.verify(Self.prehash(password), hash: hash) }
    }

    /// Spends the time of one verification and answers false.
    public func verifyDummy(_ password: String, in place: HashingQueue.Place? = nil) async throws -> Bool {
        _ = try await verify(password, against: dummyHash, in: place)
        return false
    }

    static func prehash(_ password: String) -> String {
        let normalized = password.precomposedStringWithCanonicalMapping
        return Data(SHA256.hash(data: Data(normalized.utf8))).base64EncodedString()
    }
}
