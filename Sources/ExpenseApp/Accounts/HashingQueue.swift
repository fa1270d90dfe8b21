import NIOCore
import NIOPosix
import Synchronization

/// How many password hashes may be waiting or running at once, and how many have run.
///
/// Without a bound, a flood of sign-ins queues hashes without end: every caller is answered late
/// and memory grows. Past `capacity` a hash is refused at once with `ServerBusy` (503 with
/// `Retry-After`), before anything is counted or written. The default lets each core's queue
/// hold about four seconds of work at the default cost.
public final class HashingQueue: Sendable {
    public let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var inQueue = 0
        var completed = 0
    }

    public init(capacity: Int = System.coreCount * 16) {
        self.capacity = max(1, capacity)
    }

    /// Hashes run to the end so far (a test or a metric reads it).
    public var completed: Int { state.withLock { $0.completed } }

    /// Whether another hash would be taken now. A caller that must not count an attempt it then
    /// cannot check asks first; `run` still enforces the bound.
    public var hasRoom: Bool { state.withLock { $0.inQueue < capacity } }

    /// Takes up to `count` places for as long as `body` runs (a test holds the queue full with it).
    func occupying<T>(_ count: Int, _ body: () async throws -> T) async rethrows -> T {
        state.withLock { $0.inQueue += count }
        defer { state.withLock { $0.inQueue -= count } }
        return try await body()
    }

    func run<T: Sendable>(on pool: NIOThreadPool, _ work: @escaping @Sendable () -> T) async throws -> T {
        let admitted = state.withLock { state -> Bool in
            guard state.inQueue < capacity else { return false }
            state.inQueue += 1
            return true
        }
        guard admitted else { throw ServerBusy(retryAfter: 1) }
        defer { state.withLock { $0.inQueue -= 1 } }
        let result = try await pool.runIfActive(work)
        state.withLock { $0.completed += 1 }
        return result
    }
}

/// The server has more of some bounded work than it takes on: 503 with `Retry-After`.
public struct ServerBusy: Error, Sendable {
    public var retryAfter: Int
}
