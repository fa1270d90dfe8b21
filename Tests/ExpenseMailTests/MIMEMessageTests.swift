import Foundation
import Testing

@testable import ExpenseMail

@Suite struct MIMEMessageTests {
    static func message(
        subject: String = "Welcome", text: String = "Hello\nhttps://example.org/verify?token=abc",
        name: String? = "ExpenseTracker"
    ) throws -> String {
        let mime = MIMEMessage(
            from: try MailAddress("no-reply@example.org", name: name), to: try MailAddress("ana@example.org"),
            subject: subject,
            messageID: "<1@example.org>", date: Date(timeIntervalSince1970: 1_796_000_000), text: text,
            html: "<p>Hello</p>"
        )
        return String(decoding: mime.rendered(boundarySeed: "seed"), as: UTF8.self)
    }

    @Test func hasTheRFC5322HeadersAndCRLFLineEnds() throws {
        let rendered = try Self.message()
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        let headers = head.components(separatedBy: "\r\n")
        #expect(headers.contains("Date: Mon, 30 Nov 2026 00:53:20 +0000"))
        #expect(headers.contains(#"From: "ExpenseTracker" <no-reply@example.org>"#))
        #expect(headers.contains("To: <ana@example.org>"))
        #expect(headers.contains("Subject: Welcome"))
        #expect(headers.contains("Message-ID: <1@example.org>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(head.contains("multipart/alternative"))
        // Every line ends in CRLF: no bare LF anywhere.
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(rendered.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8"))
    }

    @Test func aSubjectOrNameCannotInjectAHeader() throws {
        let rendered = try Self.message(subject: "Hi\r\nBcc: victim@example.org", name: "Eve\r\nBcc: x@example.org")
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        #expect(!head.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc:") })
        #expect(throws: MailAddress.Invalid.self) { try MailAddress("ana@example.org\r\nBcc: x@example.org") }
        #expect(throws: MailAddress.Invalid.self) { try MailAddress("a b@example.org") }
    }

    @Test func nonASCIISubjectsAreEncodedWords() throws {
        let rendered = try Self.message(subject: "Olá, orçamento €")
        let subject = try #require(rendered.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: ") })
        #expect(subject.hasPrefix("Subject: =?utf-8?B?"))
        let encoded = subject.dropFirst("Subject: =?utf-8?B?".count).dropLast(2)
        #expect(String(decoding: Data(base64Encoded: String(encoded)) ?? Data(), as: UTF8.self) == "Olá, orçamento €")
    }

    @Test func bodiesAreQuotedPrintableThatDecodesBackExactly() throws {
        let text = "Olá Ana,\n.leading dot\n" + String(repeating: "long line ", count: 20) + "\nend  "
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(!encoded.components(separatedBy: "\r\n").contains { $0.hasPrefix(".") })
        #expect(Self.decodeQuotedPrintable(encoded) == text)
    }

    static func decodeQuotedPrintable(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        let joined = encoded.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "\r\n", with: "\n")
        var index = joined.utf8.startIndex
        let utf8 = joined.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "="), let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex) {
                bytes.append(UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16)!)
                index = end
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
