import Configuration
import ExpenseMail
import Foundation
import Logging
import SystemPackage

extension AppConfig {
    /// Values given on the command line, keyed like the environment (`HTTP_PORT`). They win
    /// over everything else.
    public typealias Overrides = [String: String]

    /// Reads the configuration in priority order: command-line overrides, the process
    /// environment, a `.env` file in the working directory, then the defaults.
    public static func load(
        overrides: Overrides = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        environmentFile: String? = ".env"
    ) async throws -> AppConfig {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "command line",
                values: Dictionary(
                    uniqueKeysWithValues: overrides.map { key, value in
                        (Setting.configKey(forVariable: key), ConfigValue(.string(value), isSecret: true))
                    })
            ),
            EnvironmentVariablesProvider(environmentVariables: environment),
        ]
        if let environmentFile {
            providers.append(
                try await EnvironmentVariablesProvider(environmentFilePath: .init(environmentFile), allowMissing: true))
        }
        return try AppConfig(reader: ConfigReader(providers: providers))
    }

    /// Builds the typed configuration from a reader, collecting every problem before failing.
    public init(reader: ConfigReader) throws {
        self.init()
        var problems: [ConfigurationError.Problem] = []
        func read(_ setting: Setting) -> String? {
            guard let value = reader.string(forKey: setting.key, isSecret: setting.isSecret) else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        func problem(_ setting: Setting, _ message: String) {
            problems.append(.init(setting: setting.variable, message: message))
        }

        if let host = read(.httpHost) { httpHost = host }
        if let port = read(.httpPort) {
            if let number = Int(port), (0...65535).contains(number) {
                httpPort = number
            } else {
                problem(.httpPort, "expected a port number from 0 to 65535, got '\(port)'")
            }
        }
        if let directory = read(.dataDirectory) { dataDirectory = directory }
        database = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("expense-tracker.sqlite"))
        if let url = read(.databaseURL) {
            if let location = Self.databaseLocation(url) {
                database = location
            } else {
                problem(.databaseURL, "expected postgres://user:password@host:port/database or sqlite://PATH")
            }
        }
        if let count = read(.databaseMaxConnections) {
            if let number = Int(count), (1...1000).contains(number) {
                databaseMaxConnections = number
            } else {
                problem(.databaseMaxConnections, "expected a number from 1 to 1000, got '\(count)'")
            }
        }
        if let base = read(.publicBaseURL) {
            if let normalized = Self.publicBaseURL(base) {
                publicBaseURL = normalized
            } else {
                problem(
                    .publicBaseURL,
                    "expected an absolute http:// or https:// URL without query or fragment, got '\(base)'")
            }
        } else {
            let host = httpHost == "0.0.0.0" || httpHost == "::" ? "127.0.0.1" : httpHost
            publicBaseURL = "http://\(host):\(httpPort)"
        }
        if let level = read(.logLevel) {
            if let parsed = Logger.Level(rawValue: level.lowercased()) {
                logLevel = parsed
            } else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                problem(.logLevel, "expected one of \(names), got '\(level)'")
            }
        }
        if let format = read(.logFormat) {
            if let parsed = LogFormat(rawValue: format.lowercased()) {
                logFormat = parsed
            } else {
                problem(.logFormat, "expected text or json, got '\(format)'")
            }
        }
        func integer(_ setting: Setting, in range: ClosedRange<Int>, into value: inout Int) {
            guard let text = read(setting) else { return }
            if let number = Int(text), range.contains(number) {
                value = number
            } else {
                problem(
                    setting, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
            }
        }
        integer(.bcryptCost, in: 4...31, into: &bcryptCost)
        integer(.sessionIdleMinutes, in: 1...10_080, into: &sessionIdleMinutes)
        integer(.sessionMaxHours, in: 1...8_760, into: &sessionMaxHours)
        integer(.loginMaxFailures, in: 1...1_000, into: &loginMaxFailures)
        integer(.organizationsPerDay, in: 1...100_000, into: &organizationsPerDay)
        integer(.loginLockoutMinutes, in: 1...10_080, into: &loginLockoutMinutes)
        integer(.databasePoolTimeoutSeconds, in: 1...300, into: &databasePoolTimeoutSeconds)
        integer(.databaseReadMaxLagSeconds, in: 1...3_600, into: &databaseReadMaxLagSeconds)
        if let url = read(.databaseReadURL) {
            if case .postgres = database, case .postgres(let readURL)? = Self.databaseLocation(url) {
                databaseReadURL = readURL
            } else {
                problem(
                    .databaseReadURL,
                    "expected postgres://user:password@host:port/database of a standby, with DATABASE_URL on PostgreSQL too"
                )
            }
        }
        integer(.mailRetrySeconds, in: 1...86_400, into: &mailRetrySeconds)
        integer(.webhookRetrySeconds, in: 1...86_400, into: &webhookRetrySeconds)
        integer(.webhookTimeoutSeconds, in: 1...60, into: &webhookTimeoutSeconds)
        integer(.webhookLogDays, in: 1...3_650, into: &webhookLogDays)
        if let allow = read(.webhookAllowPrivate) {
            switch allow.lowercased() {
            case "true", "1", "yes": webhookAllowPrivate = true
            case "false", "0", "no": webhookAllowPrivate = false
            default: problem(.webhookAllowPrivate, "expected true or false, got '\(allow)'")
            }
        }
        integer(.shutdownGraceSeconds, in: 1...3_600, into: &shutdownGraceSeconds)
        integer(.shutdownDrainSeconds, in: 0...300, into: &shutdownDrainSeconds)
        integer(.receiptMaxBytes, in: 1...1_073_741_824, into: &receiptMaxBytes)
        integer(.receiptQuotaBytes, in: 1...(1 << 50), into: &receiptQuotaBytes)
        if let origins = read(.allowedOrigins) {
            let list = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            let bad = list.filter { Self.origin($0) == nil }
            if bad.isEmpty {
                allowedOrigins = list.compactMap(Self.origin)
            } else {
                problem(
                    .allowedOrigins,
                    "expected origins like https://app.example.org, got '\(bad.joined(separator: ","))'")
            }
        }
        mailDirectory = read(.mailDirectory) ?? (dataDirectory as NSString).appendingPathComponent("mail")
        var transport = MailDelivery.Kind.file
        if let raw = read(.mailTransport) {
            if let kind = MailDelivery.Kind(rawValue: raw.lowercased()) {
                transport = kind
            } else {
                problem(.mailTransport, "expected file or smtp, got '\(raw)'")
            }
        } else if publicBaseURL.hasPrefix("https://") {
            // A public https address means people use this server: the development default would
            // keep every reset and invitation link in files and the log instead of mailing it.
            problem(
                .mailTransport,
                "required when PUBLIC_BASE_URL is https: set smtp (with SMTP_URL), or file to keep mail in files on purpose"
            )
        }
        var smtpURL: String? = nil
        if let url = read(.smtpURL) {
            let parts = URLComponents(string: url)
            if let scheme = parts?.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
                parts?.host?.isEmpty == false
            {
                smtpURL = url
            } else {
                problem(.smtpURL, "expected smtp://user:password@host:port or smtps://..., got a value that is not")
            }
        } else if transport == .smtp {
            problem(.smtpURL, "required when MAIL_TRANSPORT=smtp")
        }
        var startTLS = SMTPTransport.StartTLS.required
        if let mode = read(.smtpStartTLS) {
            if let parsed = SMTPTransport.StartTLS(rawValue: mode.lowercased()) {
                startTLS = parsed
            } else {
                problem(.smtpStartTLS, "expected required, opportunistic or off, got '\(mode)'")
            }
        }
        var caFile: String? = nil
        if let file = read(.smtpCAFile) {
            if FileManager.default.isReadableFile(atPath: file) {
                caFile = file
            } else {
                problem(.smtpCAFile, "cannot read '\(file)'")
            }
        }
        var smtpTimeout = 60
        integer(.smtpTimeoutSeconds, in: 1...600, into: &smtpTimeout)
        if transport == .smtp, let smtpURL {
            mail = .smtp(.init(url: smtpURL, startTLS: startTLS, caFile: caFile, timeout: smtpTimeout))
        }
        if let key = read(.secretKey) {
            if key.count >= 32 {
                secretKey = key
            } else {
                problem(.secretKey, "expected at least 32 characters (for example: openssl rand -base64 32)")
            }
        }
        if let token = read(.metricsToken) {
            if token.count >= 16 {
                metricsToken = token
            } else {
                problem(.metricsToken, "expected at least 16 characters (a random token)")
            }
        }
        let host = URLComponents(string: publicBaseURL)?.host ?? "localhost"
        let mailHost = host.contains(where: \.isLetter) && host.contains(".") ? host : "localhost"
        mailFrom = .noReply(host: mailHost)
        if let from = read(.mailFrom) {
            if let address = try? MailAddress(parsing: from) {
                mailFrom = address
            } else {
                problem(.mailFrom, "expected an address such as Expenses <no-reply@example.org>, got '\(from)'")
            }
        }
        if let proxies = read(.trustedProxies) {
            let list = proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            let bad = list.filter { !Self.isIPAddress($0) }
            if bad.isEmpty {
                trustedProxies = list
            } else {
                problem(.trustedProxies, "expected IP addresses, got '\(bad.joined(separator: ","))'")
            }
        }
        // Behind a proxy on the same host every request arrives from loopback, which is what lets
        // /metrics in without a token: with proxies trusted, a token is required.
        if !trustedProxies.isEmpty, metricsToken == nil, read(.metricsToken) == nil {
            problem(
                .metricsToken,
                "required when TRUSTED_PROXIES is set: behind a proxy every request comes from its address")
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }

    static func isIPAddress(_ text: String) -> Bool {
        let v4 = text.split(separator: ".", omittingEmptySubsequences: false)
        if v4.count == 4, v4.allSatisfy({ UInt8($0) != nil }) { return true }
        return text.contains(":") && text.count <= 45 && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    /// `scheme://host[:port]`, lowercased, or nil when `value` is not an origin.
    static func origin(_ value: String) -> String? {
        guard let components = URLComponents(string: value),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host?.lowercased(), !host.isEmpty,
            components.path.isEmpty || components.path == "/", components.query == nil, components.user == nil
        else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// The origin of `PUBLIC_BASE_URL`, which form posts must come from.
    public var publicOrigin: String { Self.origin(publicBaseURL) ?? publicBaseURL }

    /// Whether people reach the server over HTTPS (then cookies are `Secure` and `__Host-`).
    public var isServedOverHTTPS: Bool { publicBaseURL.lowercased().hasPrefix("https://") }

    static func databaseLocation(_ url: String) -> DatabaseLocation? {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: url), components.host?.isEmpty == false else { return nil }
            return .postgres(url: url)
        }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            return path.isEmpty ? nil : .sqlite(path: path)
        }
        return nil
    }

    static func publicBaseURL(_ value: String) -> String? {
        guard let components = URLComponents(string: value),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, components.user == nil
        else { return nil }
        var normalized = value
        while normalized.hasSuffix("/") { normalized.removeLast() }
        return normalized
    }
}

/// A setting's environment variable name and its key in the configuration reader.
public struct Setting: Sendable {
    public let variable: String
    let isSecret: Bool

    var key: ConfigKey { ConfigKey(Self.components(of: variable)) }

    static func components(of variable: String) -> [String] {
        variable.lowercased().split(separator: "_").map(String.init)
    }

    static func configKey(forVariable variable: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(components(of: variable))
    }

    public static let httpHost = Setting(variable: "HTTP_HOST", isSecret: false)
    public static let httpPort = Setting(variable: "HTTP_PORT", isSecret: false)
    public static let dataDirectory = Setting(variable: "DATA_DIR", isSecret: false)
    public static let databaseURL = Setting(variable: "DATABASE_URL", isSecret: true)
    public static let databaseMaxConnections = Setting(variable: "DATABASE_MAX_CONNECTIONS", isSecret: false)
    public static let databasePoolTimeoutSeconds = Setting(
        variable: "DATABASE_POOL_TIMEOUT_SECONDS", isSecret: false)
    public static let databaseReadURL = Setting(variable: "DATABASE_READ_URL", isSecret: true)
    public static let databaseReadMaxLagSeconds = Setting(
        variable: "DATABASE_READ_MAX_LAG_SECONDS", isSecret: false)
    public static let mailRetrySeconds = Setting(variable: "MAIL_RETRY_SECONDS", isSecret: false)
    public static let shutdownGraceSeconds = Setting(variable: "SHUTDOWN_GRACE_SECONDS", isSecret: false)
    public static let smtpTimeoutSeconds = Setting(variable: "SMTP_TIMEOUT_SECONDS", isSecret: false)
    public static let shutdownDrainSeconds = Setting(variable: "SHUTDOWN_DRAIN_SECONDS", isSecret: false)
    public static let publicBaseURL = Setting(variable: "PUBLIC_BASE_URL", isSecret: false)
    public static let logLevel = Setting(variable: "LOG_LEVEL", isSecret: false)
    public static let logFormat = Setting(variable: "LOG_FORMAT", isSecret: false)
    public static let bcryptCost = Setting(variable: "BCRYPT_COST", isSecret: false)
    public static let sessionIdleMinutes = Setting(variable: "SESSION_IDLE_MINUTES", isSecret: false)
    public static let receiptMaxBytes = Setting(variable: "RECEIPT_MAX_BYTES", isSecret: false)
    public static let receiptQuotaBytes = Setting(variable: "RECEIPT_QUOTA_BYTES", isSecret: false)
    public static let sessionMaxHours = Setting(variable: "SESSION_MAX_HOURS", isSecret: false)
    public static let loginMaxFailures = Setting(variable: "LOGIN_MAX_FAILURES", isSecret: false)
    public static let organizationsPerDay = Setting(variable: "ORGANIZATIONS_PER_DAY", isSecret: false)
    public static let loginLockoutMinutes = Setting(variable: "LOGIN_LOCKOUT_MINUTES", isSecret: false)
    public static let allowedOrigins = Setting(variable: "ALLOWED_ORIGINS", isSecret: false)
    public static let trustedProxies = Setting(variable: "TRUSTED_PROXIES", isSecret: false)
    public static let mailTransport = Setting(variable: "MAIL_TRANSPORT", isSecret: false)
    public static let mailFrom = Setting(variable: "MAIL_FROM", isSecret: false)
    public static let mailDirectory = Setting(variable: "MAIL_DIR", isSecret: false)
    public static let smtpURL = Setting(variable: "SMTP_URL", isSecret: true)
    public static let smtpStartTLS = Setting(variable: "SMTP_STARTTLS", isSecret: false)
    public static let smtpCAFile = Setting(variable: "SMTP_CA_FILE", isSecret: false)
    public static let metricsToken = Setting(variable: "METRICS_TOKEN", isSecret: true)
    public static let secretKey = Setting(variable: "SECRET_KEY", isSecret: true)
    public static let webhookAllowPrivate = Setting(variable: "WEBHOOK_ALLOW_PRIVATE", isSecret: false)
    public static let webhookRetrySeconds = Setting(variable: "WEBHOOK_RETRY_SECONDS", isSecret: false)
    public static let webhookTimeoutSeconds = Setting(variable: "WEBHOOK_TIMEOUT_SECONDS", isSecret: false)
    public static let webhookLogDays = Setting(variable: "WEBHOOK_LOG_DAYS", isSecret: false)
}
