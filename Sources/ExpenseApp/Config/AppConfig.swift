import Foundation
import Logging

/// Every setting the server reads, read once at start (see `AppConfig.load`).
///
/// The variable names are the ones `config/example.env` documents; each property says which.
public struct AppConfig: Sendable, Equatable {
    /// Where data lives.
    public enum DatabaseLocation: Sendable, Equatable {
        /// The embedded default: one SQLite file.
        case sqlite(path: String)
        /// PostgreSQL, by `postgres://` URL.
        case postgres(url: String)
    }

    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case text
        case json
    }

    /// `HTTP_HOST`: the address to listen on. Default `127.0.0.1`.
    public var httpHost: String = "127.0.0.1"
    /// `HTTP_PORT`: the port to listen on; `0` picks a free one. Default `8080`.
    public var httpPort: Int = 8080
    /// `DATA_DIR`: where the embedded database (and, later, mail files) live. Default `./data`.
    public var dataDirectory: String = "./data"
    /// `DATABASE_URL`: unset means SQLite at `DATA_DIR/expense-tracker.sqlite`.
    public var database: DatabaseLocation = .sqlite(path: "./data/expense-tracker.sqlite")
    /// `DATABASE_MAX_CONNECTIONS`: PostgreSQL pool size per process. Default `20`.
    public var databaseMaxConnections: Int = 20
    /// `PUBLIC_BASE_URL`: the address people reach the server at, used for links in emails;
    /// never taken from a request's Host header. No trailing slash.
    public var publicBaseURL: String = "http://127.0.0.1:8080"
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error or critical. Default `info`.
    public var logLevel: Logger.Level = .info
    /// `LOG_FORMAT`: `text` for people, `json` for collectors. Default `text`.
    public var logFormat: LogFormat = .text

    public init() {}

    /// Whether the embedded SQLite store is in use.
    public var usesEmbeddedDatabase: Bool {
        if case .sqlite = database { return true }
        return false
    }
}
