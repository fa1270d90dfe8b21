import Configuration
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
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }

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
    public static let publicBaseURL = Setting(variable: "PUBLIC_BASE_URL", isSecret: false)
    public static let logLevel = Setting(variable: "LOG_LEVEL", isSecret: false)
    public static let logFormat = Setting(variable: "LOG_FORMAT", isSecret: false)
}
