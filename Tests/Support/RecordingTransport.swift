import ExpenseMail
import Synchronization
import Testing

/// A mail transport for tests: records every message it is given and answers with the outcomes
/// the test scripted, in order. A send beyond the script is a call nobody expected: it fails
/// the test and the message is refused.
public final class RecordingTransport: MailTransport, Sendable {
    private let state: Mutex<(sent: [OutgoingMessage], answers: [DeliveryOutcome])>

    /// Exactly these answers, one per send; none for a transport that must not be used.
    public init(answers: [DeliveryOutcome]) {
        state = Mutex(([], answers))
    }

    /// `count` sends, each delivered: for tests about how many go out rather than how each fares.
    public convenience init(delivering count: Int) {
        self.init(answers: Array(repeating: .delivered, count: count))
    }

    public var sent: [OutgoingMessage] { state.withLock { $0.sent } }

    public func send(_ message: OutgoingMessage) async -> DeliveryOutcome {
        let outcome: DeliveryOutcome? = state.withLock { state in
            state.sent.append(message)
            return state.answers.isEmpty ? nil : state.answers.removeFirst()
        }
        guard let outcome else {
            Issue.record(
                "unexpected send of \(message.messageID) to \(message.recipients): the test scripted no answer")
            return .rejected(reply: "unexpected send in a test")
        }
        return outcome
    }
}
