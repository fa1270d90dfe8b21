import ExpenseMail
import Synchronization
import Testing

/// A mail transport for tests: records every message it is given and answers with the outcomes
/// the test scripted, in order. A send beyond the script is a call nobody expected: it fails
/// the test and the message is refused.
public final class RecordingTransport: MailTransport, Sendable {
    private enum Script {
        case answers([DeliveryOutcome])
        case always(DeliveryOutcome)
    }

    private let state: Mutex<(sent: [OutgoingMessage], script: Script)>

    /// Exactly these answers, one per send; none for a transport that must not be used.
    public init(answers: [DeliveryOutcome]) {
        state = Mutex(([], .answers(answers)))
    }

    /// The same answer to every send, for tests about how many go out rather than how each fares.
    public init(always outcome: DeliveryOutcome) {
        state = Mutex(([], .always(outcome)))
    }

    public var sent: [OutgoingMessage] { state.withLock { $0.sent } }

    public func send(_ message: OutgoingMessage) async -> DeliveryOutcome {
        let outcome: DeliveryOutcome? = state.withLock { state in
            state.sent.append(message)
            switch state.script {
            case .always(let outcome): return outcome
            case .answers(var answers):
                guard !answers.isEmpty else { return nil }
                let next = answers.removeFirst()
                state.script = .answers(answers)
                return next
            }
        }
        guard let outcome else {
            Issue.record(
                "unexpected send of \(message.messageID) to \(message.recipients): the test scripted no answer")
            return .rejected(reply: "unexpected send in a test")
        }
        return outcome
    }
}
