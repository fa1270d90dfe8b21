import Foundation
import Logging
import Testing

@testable import ExpenseMail

/// The libcurl SMTP transport against a real SMTP server (aiosmtpd) on loopback.
@Suite(.enabled(if: SMTPTestServer.available || SMTPTestServer.required))
struct SMTPTransportTests {
    func message(to recipient: String) throws -> OutgoingMessage {
        let mime = MIMEMessage(
            from: try MailAddress("no-reply@example.org", name: "ExpenseTracker"),
            to: try MailAddress(recipient), subject: "Réinitialiser votre mot de passe",
            messageID: "<\(UUID().uuidString)@example.org>", date: Date(timeIntervalSince1970: 1_796_000_000),
            text: "Reset it here:\nhttps://expenses.example.org/reset?token=abc123\n.\n..leading dots stay\n",
            html: "<p><a href=\"https://expenses.example.org/reset?token=abc123\">Reset</a></p>")
        return OutgoingMessage(
            sender: "no-reply@example.org", recipients: [recipient], messageID: mime.messageID,
            data: mime.rendered(boundarySeed: "seed"), subject: mime.subject, text: mime.text)
    }

    func transport(_ url: String, startTLS: SMTPTransport.StartTLS = .off, caFile: String? = nil) -> SMTPTransport {
        SMTPTransport(
            settings: .init(url: url, startTLS: startTLS, caFile: caFile, connectTimeout: 5, timeout: 20),
            logger: Logger(label: "test"))
    }

    @Test func deliversWithHeadersBodyAndDotsIntact() async throws {
        let server = try SMTPTestServer()
        let outgoing = try message(to: "ana@example.org")
        let outcome = await transport("smtp://127.0.0.1:\(server.port)").send(outgoing)
        #expect(outcome == .delivered)
        let received = try #require(try server.messages().first)
        #expect(received.contains("X-Envelope-From: no-reply@example.org"))
        #expect(received.contains("X-Envelope-To: ana@example.org"))
        #expect(received.contains("Message-ID: \(outgoing.messageID)"))
        // The server received exactly the bytes that were sent (libcurl's dot-stuffing undone).
        let sent = String(decoding: outgoing.data, as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(
            received.replacingOccurrences(of: "\r\n", with: "\n").contains(
                sent.replacingOccurrences(of: "\r\n", with: "\n")))
        #expect(received.contains("Subject: =?utf-8?B?"))
        #expect(received.contains("MIME-Version: 1.0"))
        #expect(received.contains("https://expenses.example.org/reset?token=3Dabc123"))  // quoted-printable
        #expect(received.contains("=2E.leading dots stay"))
    }

    @Test func fourHundredRetriesThenDelivers() async throws {
        let server = try SMTPTestServer()
        let transport = transport("smtp://127.0.0.1:\(server.port)")
        let outgoing = try message(to: "tempfail-1@example.org")
        guard case .retry(let reason) = await transport.send(outgoing) else {
            Issue.record("451 should retry")
            return
        }
        #expect(reason.contains("451"))
        #expect(await transport.send(outgoing) == .delivered)
        #expect(try server.messages().count == 1)
    }

    @Test func fiveHundredRejectsAndKeepsTheReply() async throws {
        let server = try SMTPTestServer()
        let outcome = await transport("smtp://127.0.0.1:\(server.port)").send(try message(to: "reject-1@example.org"))
        guard case .rejected(let reply) = outcome else {
            Issue.record("550 should reject, got \(outcome)")
            return
        }
        #expect(reply.hasPrefix("550"))
        #expect(try server.messages().isEmpty)
    }

    @Test func noServerRetries() async throws {
        let port = try SMTPTestServer.freePort()
        let outcome = await transport("smtp://127.0.0.1:\(port)").send(try message(to: "ana@example.org"))
        guard case .retry = outcome else {
            Issue.record("a refused connection should retry, got \(outcome)")
            return
        }
    }

    @Test func startTLSAndAuthAgainstAServerThatRequiresThem() async throws {
        let certificate = try TestCertificate()
        let server = try SMTPTestServer(arguments: [
            "--tls", certificate.certificate, certificate.key, "--auth", "mailer:s3cret pass",
        ])
        let base = "127.0.0.1:\(server.port)"
        let good = transport(
            "smtp://mailer:s3cret%20pass@\(base)", startTLS: .required, caFile: certificate.certificate)
        #expect(await good.send(try message(to: "ana@example.org")) == .delivered)
        #expect(try server.messages().count == 1)

        // Wrong password, no TLS, or an untrusted certificate: retried (configuration), never dead.
        let wrong = transport("smtp://mailer:nope@\(base)", startTLS: .required, caFile: certificate.certificate)
        guard case .retry(let reason) = await wrong.send(try message(to: "ana@example.org")) else {
            Issue.record("a refused login should retry")
            return
        }
        #expect(reason.contains("535"))
        let plain = transport("smtp://mailer:s3cret%20pass@\(base)", startTLS: .off)
        guard case .retry = await plain.send(try message(to: "ana@example.org")) else {
            Issue.record("a server requiring STARTTLS should make a plain send retry")
            return
        }
        let untrusted = transport("smtp://mailer:s3cret%20pass@\(base)", startTLS: .required)
        guard case .retry = await untrusted.send(try message(to: "ana@example.org")) else {
            Issue.record("an untrusted certificate should retry")
            return
        }
        #expect(try server.messages().count == 1)
    }
}
