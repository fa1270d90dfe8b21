import NIOCore
import NIOPosix
import Synchronization

/// How many password hashes may be waiting or running at once, and how many have run.
///
/// Without a bound, a flood of sign-ins queues hashes without end: every caller is answered late
/// and memory grows. Past `capacity` a hash is refused at once with `ServerBusy` (503 with
/// `Retry-After`). The default lets each core's queue hold about four seconds of work at the
/// default cost.
///
/// A caller that writes something before it hashes (a login counts its attempt toward the
/// lockout first) takes its place with `holdingPlace` before writing, and hashes in that place:
/// once counted, an attempt is always checked, so load alone never locks an account.
public final class HashingQueue: Sendable {
    public let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var inQueue = 0
        var completed = 0
    }

    /// A place taken in the queue; hashes given it do not queue again.
    public struct Place: Sendable {
        fileprivate init() {}
    }

    public init(capacity: Int = System.coreCount * 16) {
        self.capacity = max(1, capacity)
    }

    /// Hashes run to the end so far (a test or a metric reads it).
    public var completed: Int { state.withLock { $0.completed } }

    /// Takes a place, or throws `ServerBusy` when there is none, and holds it while `body` runs.
    func holdingPlace<T>(_ body: (Place) async throws -> T) async throws -> T {
        try admit()
        defer { leave() }
        return try await body(Place())
    }

    /// Takes up to `count` places for as long as `body` runs (a test holds the queue full with it).
    func occupying<T>(_ count: Int, _ body: () async throws -> T) async rethrows -> T {
        state.withLock { $0.inQueue += count }
        defer { leave(count) }
        return try await body()
    }

    /// Runs `work` on `pool`, in `place` if the caller holds one, else in a place of its own.
    func run<T: Sendable>(on pool: NIOThreadPool, in place: Place?, _ work: @escaping @Sendable () -> T) async throws
        -> T
    {
        if place == nil { try admit() }
        defer { if place == nil { leave() } }
        let result = try await pool.runIfActive(work)
        state.withLock { $0.completed += 1 }
        return result
    }

    private func admit() throws {
        let admitted = state.withLock { state -> Bool in
            guard state.inQueue < capacity else { return false }
            state.inQueue += 1
            return true
        }
        guard admitted else { throw ServerBusy(retryAfter: 1) }
    }

    private func leave(_ count: Int = 1) {
        state.withLock { $0.inQueue -= count }
    }
}

/// The server has more of some bounded work than it takes on: 503 with `Retry-After`.
public struct ServerBusy: Error, Sendable {
    public var retryAfter: Int
}
