import ExpenseCore
import Foundation
import Testing

@testable import ExpenseApp

/// The rules a webhook delivery follows, without a network: the signature against the Standard
/// Webhooks specification's own example, which addresses are refused, which URLs are taken, and
/// what each answer leads to.
struct WebhookRulesTests {
    /// The example of the specification's reference libraries.
    @Test func signatureMatchesTheSpecificationsExample() {
        let signature = WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(
            signature.signature(
                messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                body: Array(#"{"test": 2432232314}"#.utf8))
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let secret = WebhookSignature.newSecret()
        #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 24)
    }

    @Test(arguments: [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "ff02::1", "not an address", "::127.0.0.1",
        "::ffff:0:10.0.0.1", "64:ff9b:1::1", "2002:7f00:1::1", "2001:0:4136:e378::1", "100::1", "fe80::1%eth0",
    ])
    func internalAddressesAreRefused(_ address: String) {
        #expect(OutboundAddressPolicy.isInternal(address))
    }

    @Test(arguments: [
        "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1",
    ])
    func publicAddressesAreAllowed(_ address: String) {
        #expect(!OutboundAddressPolicy.isInternal(address))
    }

    @Test func loopbackNamesAreRefusedUnlessAllowed() throws {
        #expect(throws: OutboundAddressPolicy.Refusal.self) {
            try OutboundAddressPolicy(allowPrivate: false).resolve(host: "localhost", port: 443)
        }
        #expect(try OutboundAddressPolicy(allowPrivate: true).resolve(host: "127.0.0.1", port: 80) == ["127.0.0.1"])
    }

    @Test func urlsMustBeHTTPSWithoutCredentials() throws {
        #expect(
            try WebhookService.target("https://hooks.example.org/in", allowHTTP: false)
                == .init(host: "hooks.example.org", port: 443))
        #expect(
            try WebhookService.target("https://[2606:4700::1111]:8443/x", allowHTTP: false)
                == .init(host: "2606:4700::1111", port: 8443))
        #expect(
            try WebhookService.target("http://127.0.0.1:9000/x", allowHTTP: true)
                == .init(host: "127.0.0.1", port: 9000))
        for bad in [
            "http://hooks.example.org/", "ftp://example.org/", "https://user:pw@example.org/", "hooks", "https:///x",
        ] {
            #expect(throws: ValidationError.self, "\(bad)") { try WebhookService.target(bad, allowHTTP: false) }
        }
    }

    /// Text from a receiver goes into the log only printable: a NUL (which PostgreSQL text
    /// refuses) and other control characters become spaces, and it is cut to its limit.
    @Test func answersAreLoggedPrintable() {
        #expect(WebhookWorker.printable("ok\u{0}\u{7}done\nnext", limit: 100) == "ok  done\nnext")
        #expect(WebhookWorker.printable(String(repeating: "é", count: 2000), limit: 1024).unicodeScalars.count == 1024)
    }

    @Test func answersDecideRetryOrEnd() {
        #expect(WebhookWorker.outcome(status: 200, error: nil) == .delivered)
        #expect(WebhookWorker.outcome(status: 204, error: nil) == .delivered)
        for retried in [500, 502, 503, 429, 408] {
            #expect(WebhookWorker.outcome(status: retried, error: nil) == .retry("answered \(retried)"))
        }
        #expect(WebhookWorker.outcome(status: nil, error: "Connection refused") == .retry("Connection refused"))
        for ended in [301, 302, 400, 401, 404, 410] {
            #expect(WebhookWorker.outcome(status: ended, error: nil) == .fail("answered \(ended)"))
        }
        var settings = WebhookWorker.Settings()
        settings.firstBackoff = 10
        let third = WebhookWorker.backoff(afterAttempt: 3, settings: settings)
        #expect((20...40).contains(third))
        settings.maxBackoff = 60
        #expect(WebhookWorker.backoff(afterAttempt: 20, settings: settings) <= 60)
    }
}
