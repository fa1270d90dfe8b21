import ExpenseMail
import Synchronization
import Testing

/// A transport whose sends wait until the test lets them go: to stop a worker mid-round.
public final class GatedTransport: MailTransport, Sendable {
    private let state = Mutex<(started: Int, waiting: [CheckedContinuation<Void, Never>], open: Bool)>((0, [], false))
    private let expected: Int

    /// At most `expected` sends; one more is a call nobody expected and fails the test.
    public init(expecting expected: Int) {
        self.expected = expected
    }

    /// How many sends have begun.
    public var started: Int { state.withLock { $0.started } }

    public func send(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard state.withLock({ $0.started }) < expected else {
            Issue.record("unexpected send of \(message.messageID): the test expected \(expected)")
            return .rejected(reply: "unexpected send in a test")
        }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                state.started += 1
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return .delivered
    }

    /// Lets every waiting send, and every later one, through.
    public func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }
}
