import Foundation
import NIOSSL
import PostgresNIO

/// Reads a `postgres://user:password@host:port/database?sslmode=...` URL into a client configuration.
///
/// `sslmode` follows libpq: `disable`, `prefer` (the default: TLS when the server offers it),
/// `require` (TLS, certificate not checked) and `verify-full` (TLS, certificate and host name
/// checked against the system's trust store).
enum PostgresURL {
    static func configuration(from string: String, connections: Int, minimum: Int) throws
        -> PostgresClient.Configuration
    {
        guard let components = URLComponents(string: string),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else {
            throw StoreError.invalidDatabaseURL("expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.invalidDatabaseURL("no host")
        }
        guard let username = components.percentEncodedUser?.removingPercentEncoding, !username.isEmpty else {
            throw StoreError.invalidDatabaseURL("no user name")
        }
        let password = components.percentEncodedPassword?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? username : path

        let sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable":
            tls = .disable
        case "prefer", "allow":
            tls = .prefer(unverified())
        case "require":
            tls = .require(unverified())
        case "verify-full", "verify-ca":
            tls = .require(.makeClientConfiguration())
        default:
            throw StoreError.invalidDatabaseURL("unknown sslmode '\(sslMode)'")
        }

        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        // Connections above the minimum are opened on demand and closed after five idle minutes
        // (closing them sooner made consecutive requests wait for new connections, postgres-nio
        // issue 511); `PostgresDatabase.init` says why the minimum is at most one.
        configuration.options.minimumConnections = minimum
        configuration.options.maximumConnections = connections
        configuration.options.connectionIdleTimeout = .seconds(300)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    private static func unverified() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }
}
