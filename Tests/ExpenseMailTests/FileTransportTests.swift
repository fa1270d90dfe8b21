import Foundation
import Logging
import Testing

@testable import ExpenseMail

@Suite struct FileTransportTests {
    @Test func writesOneEMLFilePerMessage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("et-mail-\(UUID().uuidString)")
        let transport = FileTransport(directory: directory, logger: Logger(label: "test"))
        let message = OutgoingMessage(
            sender: "no-reply@example.org", recipients: ["ana@example.org"], messageID: "<abc-1@example.org>",
            data: Data("Subject: Hi\r\n\r\nBody\r\n".utf8), subject: "Hi",
            text: "Open https://example.org/verify?token=t now"
        )
        #expect(await transport.send(message) == .delivered)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1)
        #expect(files[0].hasSuffix("-abc-1exampleorg.eml"))
        #expect(try Data(contentsOf: directory.appendingPathComponent(files[0])) == message.data)
        #expect(FileTransport.firstLink(in: message.text) == "https://example.org/verify?token=t")
    }
}
