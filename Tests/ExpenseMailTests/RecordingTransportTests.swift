import ExpenseMail
import ExpenseTestSupport
import Foundation
import Testing

/// The recording transport answers only what a test scripted: any other send fails the test.
@Suite struct RecordingTransportTests {
    static func message(_ number: Int) -> OutgoingMessage {
        OutgoingMessage(
            sender: "no-reply@example.org", recipients: ["ana@example.org"], messageID: "<\(number)@example.org>",
            data: Data("Subject: hi\r\n\r\nhello\r\n".utf8), subject: "hi", text: "hello")
    }

    @Test func scriptedAnswersComeBackInOrderAndEverySendIsRecorded() async {
        let transport = RecordingTransport(answers: [.retry(reason: "451 later"), .delivered])
        #expect(await transport.send(Self.message(1)) == .retry(reason: "451 later"))
        #expect(await transport.send(Self.message(2)) == .delivered)
        #expect(transport.sent.map(\.messageID) == ["<1@example.org>", "<2@example.org>"])
    }

    @Test func aSendNobodyScriptedFailsTheTest() async {
        let transport = RecordingTransport(answers: [])
        await withKnownIssue("a send beyond the script is recorded as a test failure") {
            #expect(await transport.send(Self.message(1)) == .rejected(reply: "unexpected send in a test"))
        }
        #expect(transport.sent.count == 1)
    }
}
