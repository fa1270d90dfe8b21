import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a webhook may be sent: the addresses a host name resolves to, each checked, so an
/// organization's admin cannot point the server at its own network (a database, a cloud
/// metadata service, another tenant's internal tool). The delivery then connects to the very
/// address checked (libcurl's `CURLOPT_CONNECT_TO`), so a name that resolves differently a moment
/// later (DNS rebinding) gains nothing.
public struct OutboundAddressPolicy: Sendable {
    /// `WEBHOOK_ALLOW_PRIVATE`: private, loopback and link-local targets allowed (tests, or a
    /// server whose receivers all live on its own network).
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case unresolvable(String)
        /// The address refused is kept for the server's own log; the message a person reads does
        /// not name it (it would map the server's network for whoever asks).
        case privateAddress(String)

        public var description: String {
            switch self {
            case .unresolvable(let host): "The host \(host) does not resolve to any address."
            case .privateAddress:
                "The host resolves to a private, loopback, link-local or reserved address: webhooks go to the public internet only."
            }
        }
    }

    /// The addresses `host` resolves to, all of them allowed; throws `Refusal` otherwise. A
    /// blocking lookup: call it off the event loops.
    public func resolve(host: String, port: Int) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Refusal.unresolvable(host)
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                NI_NUMERICHOST)
                == 0
            {
                let address = String(cString: buffer)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw Refusal.unresolvable(host) }
        if !allowPrivate, let refused = addresses.first(where: Self.isInternal) {
            throw Refusal.privateAddress(refused)
        }
        return addresses
    }

    /// Whether an address is one a public webhook must not reach: unspecified, loopback,
    /// private (10/8, 172.16/12, 192.168/16, unique local fc00::/7), carrier-grade NAT
    /// (100.64/10), link-local, multicast or reserved; an IPv4 address inside IPv6 (mapped,
    /// NAT64) is judged as the IPv4 address it carries.
    public static func isInternal(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let bytes = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return isInternal(v4: bytes)
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address.split(separator: "%").first.map(String.init) ?? address, &v6) == 1 else {
            return true
        }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes.allSatisfy({ $0 == 0 }) { return true }  // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return true }  // ::1
        // IPv4 carried in IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), translated
        // (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96): judged as the IPv4 address.
        let v4Tail = Array(bytes[12..<16])
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff { return isInternal(v4: v4Tail) }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return isInternal(v4: v4Tail) }
        if bytes[0..<8].allSatisfy({ $0 == 0 }), bytes[8] == 0xff, bytes[9] == 0xff, bytes[10] == 0, bytes[11] == 0 {
            return isInternal(v4: v4Tail)
        }
        if bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return isInternal(v4: v4Tail) }
        // Local-use NAT64 (64:ff9b:1::/48) translates to whatever the operator chose.
        if bytes[0] == 0x00, bytes[1] == 0x64, bytes[2] == 0xff, bytes[3] == 0x9b { return true }
        // 6to4 (2002::/16) carries an IPv4 address in its next four bytes.
        if bytes[0] == 0x20, bytes[1] == 0x02 { return isInternal(v4: Array(bytes[2..<6])) }
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0, bytes[3] == 0 { return true }  // Teredo tunnels
        if bytes[0] == 0x01, bytes[1..<8].allSatisfy({ $0 == 0 }) { return true }  // discard (100::/64)
        if bytes[0] & 0xfe == 0xfc { return true }  // fc00::/7 unique local
        if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0xc0 { return true }  // fec0::/10 site-local (deprecated)
        if bytes[0] == 0xff { return true }  // multicast
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0d, bytes[3] == 0xb8 { return true }  // documentation
        return false
    }

    static func isInternal(v4 b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): true
        case (100, 64...127): true  // carrier-grade NAT space, 100.64.0.0/10
        case (169, 254): true  // link-local, cloud metadata
        case (172, 16...31): true
        case (192, 168): true
        case (192, 0) where b[2] == 0 || b[2] == 2: true  // IETF protocol assignments, documentation
        case (198, 18...19): true  // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: true  // documentation
        case (224...255, _): true  // multicast, reserved, broadcast
        default: false
        }
    }
}
