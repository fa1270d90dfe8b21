import Foundation
import HTTPTypes
import Hummingbird

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The address a request comes from, as per-address rate limits see it.
///
/// An IPv4 address is one client. An IPv6 client is usually given a whole /64 and can rotate
/// through it at will, so limits count the /64: every address in it shares one count. An
/// IPv4-mapped address (`::ffff:192.0.2.1`) and a NAT64 one (`64:ff9b::192.0.2.1`) count as the
/// IPv4 address they carry.
public struct ClientAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as the connection or a trusted proxy gave it (what logs show).
    public let address: String

    public init(_ address: String) { self.address = address }

    public var description: String { address }

    /// The key per-address limits count under.
    public var rateLimitKey: String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let parsed = address.withCString { inet_pton(AF_INET6, $0, &bytes) }
        guard parsed == 1 else { return address }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        let nat64 = bytes[0..<4] == [0x00, 0x64, 0xff, 0x9b] && bytes[4..<12].allSatisfy { $0 == 0 }
        if mapped || nat64 {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }
}

/// Sets the client address used by per-address rate limits.
///
/// Behind a reverse proxy every connection comes from the proxy, so one person's failures would
/// throttle everyone. When the peer is one of `TRUSTED_PROXIES`, the address is taken from
/// `X-Forwarded-For` instead: the rightmost entry that is not itself a trusted proxy (entries to
/// its left were written by the client and prove nothing).
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard trustedProxies.contains(context.clientIP) else { return try await next(request, context) }
        let hops = request.headers[values: .xForwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let client = hops.last(where: { !trustedProxies.contains($0) }), AppConfig.isIPAddress(client) else {
            return try await next(request, context)
        }
        var context = context
        context.clientIP = client
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
