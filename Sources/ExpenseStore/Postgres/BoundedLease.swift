import Foundation
import PostgresNIO
import Synchronization

/// Bounds how long a caller waits for a pooled connection.
///
/// postgres-nio's pool queues a lease until a connection frees up, and while the database cannot
/// be reached it keeps queueing for up to a minute (until its circuit breaker trips), so a request
/// would hang instead of answering 503. The only way to stop waiting for a lease is to cancel the
/// task that asked for it, so the lease is taken in a task of its own that lends the connection
/// to the caller: the caller waits for the hand-over, not for the pool, and gives up at its
/// deadline (`LeaseDeadlines` expires it) with `StoreError.unavailable`. The lease task is then
/// cancelled, and a connection that reaches it after the caller gave up goes straight back.
///
/// The lease task is not a child of the caller's, so giving up never waits for it: postgres-nio
/// loses a cancellation that arrives while it is queueing the lease, and that lease then waits
/// for a connection like any other before it is handed back.
enum BoundedLease {
    static func withConnection<T>(
        _ client: PostgresClient, deadlines: LeaseDeadlines, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let handoff = ConnectionHandoff()
        let lease = Task {
            do {
                try await client.withConnection { connection in await handoff.lend(connection) }
            } catch {
                handoff.fail(error)
            }
        }
        let connection: PostgresConnection
        do {
            connection = try await deadlines.waiting(for: handoff)
        } catch {
            lease.cancel()
            throw error
        }
        defer { handoff.giveBack() }
        return try await body(connection)
    }
}

/// One connection passed from the task holding the lease to the caller using it, once.
final class ConnectionHandoff: Sendable {
    private enum Slot {
        case empty(borrower: CheckedContinuation<PostgresConnection, any Error>?)
        case settled(Result<PostgresConnection, any Error>)
    }

    private struct State {
        var slot = Slot.empty(borrower: nil)
        var returned = false
        var lender: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Settles the hand-over; the first outcome wins. Returns whether this one did.
    @discardableResult
    func settle(_ outcome: Result<PostgresConnection, any Error>) -> Bool {
        let borrower: CheckedContinuation<PostgresConnection, any Error>?? = state.withLock { state in
            guard case .empty(let borrower) = state.slot else { return .none }
            state.slot = .settled(outcome)
            return .some(borrower)
        }
        guard case .some(let waiting) = borrower else { return false }
        waiting?.resume(with: outcome)
        return true
    }

    func fail(_ error: any Error) { settle(.failure(error)) }

    /// Called by the lease holder: offers the connection and keeps the lease until the caller
    /// gives it back; returns at once when the caller already gave up.
    func lend(_ connection: PostgresConnection) async {
        guard settle(.success(connection)) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.returned { return true }
                state.lender = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Called by the caller when it is done with the connection.
    func giveBack() {
        let lender = state.withLock { state in
            state.returned = true
            defer { state.lender = nil }
            return state.lender
        }
        lender?.resume()
    }

    /// The connection, or the reason there is none; cancelling the waiting task gives up.
    func connection() async throws -> PostgresConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                let settled: Result<PostgresConnection, any Error>? = state.withLock { state in
                    switch state.slot {
                    case .settled(let outcome): return outcome
                    case .empty:
                        state.slot = .empty(borrower: continuation)
                        return nil
                    }
                }
                if let settled { continuation.resume(with: settled) }
            }
        } onCancel: {
            fail(CancellationError())
        }
    }
}

/// The deadlines of the callers waiting for a connection, expired by one sweep a tenth of a
/// second (one timer for the process, none per request).
final class LeaseDeadlines: Sendable {
    let timeout: Duration
    private typealias Waits = [ObjectIdentifier: (deadline: ContinuousClock.Instant, handoff: ConnectionHandoff)]
    private let waiting = Mutex<Waits>([:])
    static let sweepInterval = Duration.milliseconds(100)

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Waits for the hand-over at most `timeout` (give or take one sweep).
    func waiting(for handoff: ConnectionHandoff) async throws -> PostgresConnection {
        let key = ObjectIdentifier(handoff)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        waiting.withLock { $0[key] = (deadline, handoff) }
        defer { _ = waiting.withLock { $0.removeValue(forKey: key) } }
        return try await handoff.connection()
    }

    /// Expires overdue waits until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.sweepInterval)
            sweep(now: .now)
        }
    }

    func sweep(now: ContinuousClock.Instant) {
        let overdue = waiting.withLock { waiting -> [ConnectionHandoff] in
            let keys = waiting.filter { $0.value.deadline <= now }.map(\.key)
            return keys.compactMap { waiting.removeValue(forKey: $0)?.handoff }
        }
        guard !overdue.isEmpty else { return }
        let error = StoreError.unavailable(reason: "no connection within \(Self.describe(timeout))")
        for handoff in overdue { handoff.fail(error) }
    }

    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)) ms"
    }
}
