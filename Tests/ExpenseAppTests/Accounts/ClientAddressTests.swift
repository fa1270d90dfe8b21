import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

@Suite struct ClientAddressTests {
    @Test(
        "an IPv6 client counts by its /64; IPv4 and IPv4-mapped addresses by the address",
        arguments: [
            ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
            ("2001:0DB8:0001:0002::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
            ("::1", "0:0:0:0::/64"),
            ("::ffff:192.0.2.7", "192.0.2.7"),
            ("64:ff9b::192.0.2.9", "192.0.2.9"),
            ("192.0.2.7", "192.0.2.7"),
            ("unknown", "unknown"),
        ])
    func rateLimitKeys(_ address: String, _ key: String) {
        #expect(ClientAddress(address).rateLimitKey == key)
    }

    @Test("addresses rotated within one IPv6 /64 share the per-address limit", arguments: TestBackend.available)
    func rotatingWithinASlash64DoesNotEscapeTheLimit(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.loginPerIP.limit = 2
        let harness = try await AccountsHarness.make(backend, limits: limits) {
            $0.httpPort = 0
            $0.trustedProxies = ["127.0.0.1"]
        }
        try await harness.app.test(.live) { client async throws in
            let body = ["email": "nobody@example.org", "password": "whatever it is"]
            func login(from address: String) async throws -> HTTPResponse.Status {
                try await client.send(
                    .post, "/api/v1/auth/login", json: body, headers: [.xForwardedFor: address]
                ).status
            }
            #expect(try await login(from: "2001:db8:7:1::1") == .unauthorized)
            #expect(try await login(from: "2001:db8:7:1::2") == .unauthorized)
            #expect(try await login(from: "2001:db8:7:1:ffff:1:2:3") == .tooManyRequests)
            #expect(try await login(from: "2001:db8:7:2::1") == .unauthorized)
        }
    }
}
