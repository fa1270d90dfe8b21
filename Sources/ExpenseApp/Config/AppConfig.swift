import ExpenseMail
import ExpenseStore
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
    /// `DATA_DIR`: where the embedded database and the file transport's mail live. Default `./data`.
    public var dataDirectory: String = "./data"
    /// `DATABASE_URL`: unset means SQLite at `DATA_DIR/expense-tracker.sqlite`.
    public var database: DatabaseLocation = .sqlite(path: "./data/expense-tracker.sqlite")
    /// `DATABASE_MAX_CONNECTIONS`: PostgreSQL pool size per process, opened as needed.
    /// Default 16.
    public var databaseMaxConnections: Int = PostgresDatabase.defaultConnections
    /// `DATABASE_POOL_TIMEOUT_SECONDS`: how long a request waits for a pooled PostgreSQL
    /// connection (all busy, or the database unreachable) before it is answered 503 with
    /// `Retry-After`. Default 5.
    public var databasePoolTimeoutSeconds: Int = 5
    /// `DATABASE_READ_URL`: a streaming standby of the PostgreSQL database that reports, exports
    /// and expense lists read from (see README, "Reading from a standby"). Unset: everything
    /// reads the primary.
    public var databaseReadURL: String?
    /// `DATABASE_READ_MAX_LAG_SECONDS`: the standby is read only while it holds everything the
    /// primary held this many seconds ago, and a browser reads the primary for this long after
    /// it changed something. Default 5.
    public var databaseReadMaxLagSeconds: Int = 5
    /// `PUBLIC_BASE_URL`: the address people reach the server at, used for links in emails;
    /// never taken from a request's Host header. No trailing slash.
    public var publicBaseURL: String = "http://127.0.0.1:8080"
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error or critical. Default `info`.
    public var logLevel: Logger.Level = .info
    /// `LOG_FORMAT`: `text` for people, `json` for collectors. Default `text`.
    public var logFormat: LogFormat = .text
    /// `BCRYPT_COST`: bcrypt work factor, 4 to 31. Default `12`; tests lower it.
    public var bcryptCost: Int = 12
    /// `SESSION_IDLE_MINUTES`: a session or API token unused this long expires. Default `30`.
    public var sessionIdleMinutes: Int = 30
    /// `RECEIPT_MAX_BYTES`: the largest receipt file accepted (the file, not the request body).
    /// Default 10 MiB.
    public var receiptMaxBytes: Int = 10 * 1024 * 1024
    /// `RECEIPT_QUOTA_BYTES`: receipt storage per organization, each distinct file counted
    /// once. Default 1 GiB.
    public var receiptQuotaBytes: Int = 1024 * 1024 * 1024
    /// `SESSION_MAX_HOURS`: a session or API token expires this long after sign-in. Default `12`.
    public var sessionMaxHours: Int = 12
    /// `LOGIN_MAX_FAILURES`: failed logins in a row that lock an account. Default `5`.
    public var loginMaxFailures: Int = 5
    /// `ORGANIZATIONS_PER_DAY`: organizations one account may create in a day. Default `10`.
    public var organizationsPerDay: Int = 10
    /// `LOGIN_LOCKOUT_MINUTES`: how long a locked account stays locked. Default `15`.
    public var loginLockoutMinutes: Int = 15
    /// `ALLOWED_ORIGINS`: comma-separated origins (`https://app.example.org`) whose browser
    /// scripts may call the JSON API (CORS). Default: none.
    public var allowedOrigins: [String] = []
    /// `TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose `X-Forwarded-For`
    /// names the client (for per-address rate limits). Default: none.
    public var trustedProxies: [String] = []
    /// How mail leaves: `MAIL_TRANSPORT` with, for `smtp`, the `SMTP_*` settings.
    public var mail: MailDelivery = .files
    /// `MAIL_FROM`: the sender, `Name <address>` or an address. Default
    /// `ExpenseTracker <no-reply@HOST>`, HOST from `PUBLIC_BASE_URL`.
    public var mailFrom = MailAddress.noReply(host: "localhost")
    /// `MAIL_DIR`: where the file transport writes. Default `DATA_DIR/mail`.
    public var mailDirectory = "./data/mail"
    /// `MAIL_RETRY_SECONDS`: the wait after a message's first temporary failure; it doubles with
    /// each further one (with jitter, up to an hour) over 8 attempts. Default 30.
    public var mailRetrySeconds: Int = 30
    /// `SHUTDOWN_GRACE_SECONDS`: after SIGTERM or SIGINT, how long requests under way and mail
    /// being sent may take to finish before the rest is cancelled. Default 20.
    public var shutdownGraceSeconds: Int = 20
    /// `SHUTDOWN_DRAIN_SECONDS`: after SIGTERM, how long the server fails `/health/ready` while
    /// still serving, before it stops accepting connections (for a load balancer's checks to
    /// take it out of rotation). Default 0.
    public var shutdownDrainSeconds: Int = 0
    /// `METRICS_TOKEN`: the bearer token a Prometheus scraper sends to `GET /metrics`. Unset:
    /// `/metrics` answers only connections from the loopback interface.
    public var metricsToken: String? = nil
    /// `SECRET_KEY`: at least 32 random characters; authenticator secrets are sealed under a key
    /// derived from it. Unset on the embedded store: a key file is made in `DATA_DIR`. Unset on
    /// PostgreSQL: two-factor enrolment is refused (every server must share the key).
    public var secretKey: String? = nil
    /// `WEBHOOK_ALLOW_PRIVATE`: webhooks may go to private, loopback and link-local addresses,
    /// and over plain HTTP. Default false (public HTTPS targets only).
    public var webhookAllowPrivate = false
    /// `WEBHOOK_RETRY_SECONDS`: the wait after a delivery's first failure; it doubles with each
    /// further one, with jitter, up to an hour. Default 30.
    public var webhookRetrySeconds: Int = 30
    /// `WEBHOOK_TIMEOUT_SECONDS`: how long one delivery may take (connecting included). Default 10.
    public var webhookTimeoutSeconds: Int = 10
    /// `WEBHOOK_LOG_DAYS`: how long a finished delivery and its attempts stay in the delivery
    /// log after it finished (delivered, or dead). Default 30.
    public var webhookLogDays: Int = 30

    public init() {}

    /// Whether the embedded SQLite store is in use.
    public var usesEmbeddedDatabase: Bool {
        if case .sqlite = database { return true }
        return false
    }
}
