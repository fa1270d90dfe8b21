import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore

/// The context every request carries through the router.
public struct AppRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id this request is logged under and answered with (`X-Request-ID`).
    public var requestID: String
    /// Who is signed in, once an authenticator has found out.
    public var identity: AccountIdentity?
    /// The client's address, for per-address rate limits (a trusted proxy's `X-Forwarded-For`
    /// may replace the peer's).
    public var clientIP: String
    /// The address of the connection's other end, whatever any header says.
    public let peerIP: String
    /// The organization of an `/orgs/{orgId}` route, once the caller is known to be a member.
    public var tenant: TenantAccess?
    /// The file and fields of an upload route, spooled before its transaction began.
    var upload: Upload?
    /// Set on the copies `AllowedMethodsFinder` replays to learn a path's methods: never served.
    var isRouteProbe = false

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = source.logger[metadataKey: "hb.request.id"]?.description ?? ""
        self.identity = nil
        self.tenant = nil
        self.peerIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.clientIP = peerIP
    }

    /// The client as per-address rate limits count it (an IPv6 client by its /64).
    public var client: ClientAddress { ClientAddress(clientIP) }

    /// Whether the connection comes from this machine's loopback interface.
    public var peerIsLoopback: Bool {
        peerIP.hasPrefix("127.") || peerIP == "::1" || peerIP.hasPrefix("::ffff:127.")
    }

    /// Request bodies larger than this are refused with 413 when decoded.
    public var maxUploadSize: Int { 64 * 1024 }

    public var responseEncoder: JSONEncoder { AppJSON.encoder }
}

/// The API's JSON: sorted keys, so responses are byte-for-byte stable (snapshots, caches,
/// ETags), and ISO 8601 dates.
enum AppJSON {
    /// One encoder for every response, built once. `JSONEncoder` is `Sendable` (its options sit
    /// behind a lock and each `encode` reads them once), so sharing it across requests is safe;
    /// its options are set here and nowhere else.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}

extension AppRequestContext {
    /// The signed-in caller, or `AppError.unauthenticated` (401 with `WWW-Authenticate`).
    func requireAccount() throws -> AccountIdentity {
        guard let identity else { throw AppError.unauthenticated }
        return identity
    }
}
