import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization
import Testing

@testable import ExpenseApp

/// The application as the server builds it, on a fresh database of one backend, with a clock the
/// test moves, generous rate limits unless a test tightens them, and every log line captured.
struct AccountsHarness: Sendable {
    let clock: ManualClock
    let logs: CapturedLogs
    let store: Store
    let app: any ApplicationProtocol
    let config: AppConfig
    /// The app's bound on waiting password hashes; it also counts the hashes run.
    let hashing: HashingQueue

    static let password = "correct horse battery staple"

    static func make(
        _ backend: TestBackend,
        limits: RateLimits = .generous,
        ids: IDGenerator = .random,
        tokens: TokenGenerator = .secure,
        configure: (inout AppConfig) -> Void = { _ in },
        readReplica: (_ databaseURL: String, _ registry: PrometheusCollectorRegistry) throws -> ReadReplica? = { _, _ in
            nil
        }
    ) async throws -> AccountsHarness {
        let url = try await TestDatabases.makeURL(backend)
        var config = AppConfig()
        config.database =
            backend == .sqlite ? .sqlite(path: String(url.dropFirst("sqlite://".count))) : .postgres(url: url)
        config.bcryptCost = 4
        config.publicBaseURL = "https://expenses.example.org"
        config.secretKey = "test secret key, thirty-two characters or more"
        configure(&config)
        let database = try await TestDatabases.open(url: url)
        let clock = ManualClock()
        let logs = CapturedLogs()
        let logger = Logger(label: "test") { label in
            AppLogHandler(label: label, level: .trace, format: .text, sink: { logs.append($0) })
        }
        let hashing = HashingQueue()
        // The application under test queues mail but never sends it: no worker runs here.
        var dependencies = AppDependencies(
            database: database, mailTransport: RecordingTransport(answers: []), logger: logger, clock: clock.clock,
            ids: ids, tokens: tokens, rateLimits: limits, hashing: hashing)
        dependencies.readReplica = try readReplica(url, dependencies.metrics)
        let app = try await buildApplication(
            config: config, options: ServeOptions(migrate: true), dependencies: dependencies)
        return AccountsHarness(
            clock: clock, logs: logs, store: Store(database: database), app: app, config: config, hashing: hashing)
    }

    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await app.test(.router, body)
    }
}

extension RateLimits {
    /// High enough that only the tests about rate limits meet them.
    static var generous: RateLimits {
        var limits = RateLimits()
        for keyPath in [
            \RateLimits.loginPerIP, \.registerPerIP, \.forgotPerIP, \.resetPerIP, \.passwordChangesPerAccount,
            \.forgotPerAccount,
            \.verificationPerAccount,
        ] {
            limits[keyPath: keyPath].limit = 10_000
        }
        return limits
    }
}

/// Every line logged during a test.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: String { lines.withLock { $0.joined() } }
}

/// A response reduced to what the tests compare.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    /// The body as a JSON object. A body that is not one fails the test that reads it (and
    /// reads as empty), so a broken reply is never mistaken for an empty answer.
    var json: [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            Issue.record("the \(status.code) reply is not a JSON object: \(body.prefix(200))")
            return [:]
        }
        return object
    }

    /// The first Set-Cookie value's `name=value`.
    var cookie: String? {
        headers[.setCookie].map { String($0.split(separator: ";")[0]) }
    }
}

extension TestClientProtocol {
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: [String: Any]? = nil,
        form: [String: String]? = nil,
        headers: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = headers
        var body: ByteBuffer? = nil
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            let encoded = form.sorted { $0.key < $1.key }.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
            }.joined(separator: "&")
            body = ByteBuffer(string: encoded)
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// Registers through the API; returns the new user's id.
    @discardableResult
    func register(_ email: String, password: String = AccountsHarness.password, name: String = "Ana") async throws
        -> Reply
    {
        try await send(.post, "/api/v1/auth/register", json: ["email": email, "password": password, "name": name])
    }

    /// Logs in through the API; returns the bearer token, or nil.
    func login(_ email: String, password: String = AccountsHarness.password) async throws -> (Reply, String?) {
        let reply = try await send(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        return (reply, reply.json["token"] as? String)
    }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// Logs in through the login page; returns the session cookie (`name=value`).
    func pageLogin(_ email: String, password: String = AccountsHarness.password) async throws -> Reply {
        try await send(.post, "/login", form: ["email": email, "password": password])
    }
}

extension AccountsHarness {
    /// The outbox messages queued for an address.
    func outbox(_ recipient: String) async throws -> [OutboxMessage] {
        try await store.withSystem { tx in try await store.outbox.pending(tx, recipient: recipient) }
    }

    /// The token in the newest link of the given kind sent to an address.
    func token(sentTo recipient: String, kind: MailKind) async throws -> String? {
        let message = try await outbox(recipient).last { $0.kind == kind }
        guard let text = message?.bodyText, let range = text.range(of: "?token=") else { return nil }
        return String(text[range.upperBound...].prefix { !$0.isWhitespace })
    }
}
