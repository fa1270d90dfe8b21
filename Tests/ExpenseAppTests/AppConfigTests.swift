import ExpenseMail
import ExpenseStore
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import ExpenseApp

@Suite struct AppConfigTests {
    func load(
        overrides: [String: String] = [:],
        environment: [String: String] = [:],
        dotenv: String? = nil
    ) async throws -> AppConfig {
        var file: String? = nil
        if let dotenv {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("et-\(UUID().uuidString).env").path
            try dotenv.write(toFile: path, atomically: true, encoding: .utf8)
            file = path
        }
        return try await AppConfig.load(overrides: overrides, environment: environment, environmentFile: file)
    }

    @Test func defaultsAreTheEmbeddedSetup() async throws {
        let config = try await load()
        #expect(config.httpHost == "127.0.0.1")
        #expect(config.httpPort == 8080)
        #expect(config.database == .sqlite(path: "./data/expense-tracker.sqlite"))
        #expect(config.publicBaseURL == "http://127.0.0.1:8080")
        #expect(config.logLevel == .info)
        #expect(config.logFormat == .text)
    }

    @Test func commandLineBeatsEnvironmentBeatsDotEnvBeatsDefaults() async throws {
        let config = try await load(
            overrides: ["HTTP_PORT": "9001"],
            environment: ["HTTP_PORT": "9002", "HTTP_HOST": "0.0.0.0"],
            dotenv: "HTTP_PORT=9003\nHTTP_HOST=10.0.0.1\nLOG_FORMAT=json\n"
        )
        #expect(config.httpPort == 9001)
        #expect(config.httpHost == "0.0.0.0")
        #expect(config.logFormat == .json)
        // Listening on every address still yields a loopback link, until PUBLIC_BASE_URL says otherwise.
        #expect(config.publicBaseURL == "http://127.0.0.1:9001")
    }

    @Test func databaseURLSelectsTheStore() async throws {
        let postgres = try await load(environment: ["DATABASE_URL": "postgres://app:secret@db.internal:5432/expenses"])
        #expect(postgres.database == .postgres(url: "postgres://app:secret@db.internal:5432/expenses"))
        #expect(!postgres.usesEmbeddedDatabase)
        let sqlite = try await load(environment: ["DATA_DIR": "/var/lib/et"])
        #expect(sqlite.database == .sqlite(path: "/var/lib/et/expense-tracker.sqlite"))
        let explicit = try await load(environment: ["DATABASE_URL": "sqlite:///tmp/x.sqlite"])
        #expect(explicit.database == .sqlite(path: "/tmp/x.sqlite"))
    }

    @Test func theOrganizationLimitReachesTheLiveRateLimits() async throws {
        let config = try await load(environment: ["ORGANIZATIONS_PER_DAY": "25"])
        #expect(config.organizationsPerDay == 25)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("et-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dependencies = try await AppDependencies.live(
            config: try await load(environment: ["ORGANIZATIONS_PER_DAY": "25", "DATA_DIR": directory]),
            logger: Logger(label: "test"), longRunning: false)
        #expect(dependencies.rateLimits.organizationsPerAccount.limit == 25)
        try await dependencies.database.close()
        await #expect(throws: ConfigurationError.self) { try await load(environment: ["ORGANIZATIONS_PER_DAY": "0"]) }
    }

    @Test func publicBaseURLLosesItsTrailingSlash() async throws {
        let config = try await load(environment: [
            "PUBLIC_BASE_URL": "https://expenses.example.org/", "MAIL_TRANSPORT": "file",
        ])
        #expect(config.publicBaseURL == "https://expenses.example.org")
    }

    @Test func everyBadSettingIsReportedAtOnce() async throws {
        await #expect {
            try await load(environment: [
                "HTTP_PORT": "eighty",
                "DATABASE_URL": "mysql://nope",
                "PUBLIC_BASE_URL": "expenses.example.org",
                "LOG_LEVEL": "loud",
                "LOG_FORMAT": "xml",
                "DATABASE_MAX_CONNECTIONS": "0",
            ])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            let settings = error.problems.map(\.setting)
            return settings == [
                "HTTP_PORT", "DATABASE_URL", "DATABASE_MAX_CONNECTIONS", "PUBLIC_BASE_URL", "LOG_LEVEL", "LOG_FORMAT",
            ] && error.description.contains("HTTP_PORT: expected a port number")
        }
    }

    @Test func aPublicHTTPSServerMustChooseItsMailTransport() async throws {
        await #expect {
            try await load(environment: ["PUBLIC_BASE_URL": "https://expenses.example.org"])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.setting) == ["MAIL_TRANSPORT"]
        }
        let chosen = try await load(environment: [
            "PUBLIC_BASE_URL": "https://expenses.example.org", "MAIL_TRANSPORT": "file",
        ])
        #expect(chosen.mail == .files)
        // A development address keeps the file default.
        #expect(try await load(environment: ["PUBLIC_BASE_URL": "http://127.0.0.1:8080"]).mail == .files)
    }

    @Test func poolTimeoutMailRetryAndShutdownGraceAreRead() async throws {
        let defaults = try await load()
        #expect(defaults.databasePoolTimeoutSeconds == 5)
        #expect(defaults.mailRetrySeconds == 30)
        #expect(defaults.shutdownGraceSeconds == 20)
        let config = try await load(environment: [
            "DATABASE_POOL_TIMEOUT_SECONDS": "2", "MAIL_RETRY_SECONDS": "1", "SHUTDOWN_GRACE_SECONDS": "45",
        ])
        #expect(config.databasePoolTimeoutSeconds == 2)
        #expect(config.mailRetrySeconds == 1)
        let group = ExpenseTracker.shutdownConfiguration(
            services: [IdleService()], config: config, logger: Logger(label: "test"))
        #expect(group.maximumGracefulShutdownDuration == .seconds(45))
        #expect(group.maximumCancellationDuration == .seconds(5))
        await #expect {
            try await load(environment: [
                "DATABASE_POOL_TIMEOUT_SECONDS": "0", "MAIL_RETRY_SECONDS": "soon", "SHUTDOWN_GRACE_SECONDS": "-1",
            ])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.setting) == [
                "DATABASE_POOL_TIMEOUT_SECONDS", "MAIL_RETRY_SECONDS", "SHUTDOWN_GRACE_SECONDS",
            ]
        }
    }

    @Test func aStandbyNeedsPostgreSQLOnBothSidesAndADrainDelayIsBounded() async throws {
        let defaults = try await load()
        #expect(defaults.databaseReadURL == nil)
        #expect(defaults.databaseReadMaxLagSeconds == 5)
        #expect(defaults.shutdownDrainSeconds == 0)
        let primary = "postgres://app@db1:5432/expenses"
        let config = try await load(environment: [
            "DATABASE_URL": primary, "DATABASE_READ_URL": "postgres://app@db2:5432/expenses",
            "DATABASE_READ_MAX_LAG_SECONDS": "2", "SHUTDOWN_DRAIN_SECONDS": "3",
        ])
        #expect(config.databaseReadURL == "postgres://app@db2:5432/expenses")
        #expect(config.databaseReadMaxLagSeconds == 2)
        #expect(config.shutdownDrainSeconds == 3)
        // A standby of the embedded store, or one that is not PostgreSQL, is a mistake to say
        // at start, not a setting to ignore.
        await #expect {
            try await load(environment: [
                "DATABASE_READ_URL": "postgres://app@db2:5432/expenses", "SHUTDOWN_DRAIN_SECONDS": "301",
            ])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.setting) == ["DATABASE_READ_URL", "SHUTDOWN_DRAIN_SECONDS"]
        }
        await #expect {
            try await load(environment: [
                "DATABASE_URL": primary, "DATABASE_READ_URL": "sqlite:///tmp/x.sqlite",
                "DATABASE_READ_MAX_LAG_SECONDS": "0",
            ])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.setting) == [
                "DATABASE_READ_MAX_LAG_SECONDS", "DATABASE_READ_URL",
            ]
        }
    }

    @Test func trustedProxiesRequireAMetricsToken() async throws {
        await #expect {
            try await load(environment: ["TRUSTED_PROXIES": "127.0.0.1"])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.setting) == ["METRICS_TOKEN"]
        }
        let config = try await load(environment: [
            "TRUSTED_PROXIES": "127.0.0.1", "METRICS_TOKEN": "a-metrics-token-of-some-length",
        ])
        #expect(config.trustedProxies == ["127.0.0.1"])
    }

    /// A short secret key is refused at start; a good one is used, and the embedded store without
    /// one makes a key file of its own (readable by the server's user only) and reuses it.
    @Test func secretKeyIsLongEnoughOrMadeOnce() async throws {
        await #expect {
            try await load(environment: ["SECRET_KEY": "too short"])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.setting) == ["SECRET_KEY"]
        }
        let key = String(repeating: "k", count: 32)
        #expect(try await load(environment: ["SECRET_KEY": key]).secretKey == key)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        var config = try await load(environment: ["DATA_DIR": directory])
        #expect(config.secretKey == nil)
        let sealed = try #require(try SecretBox.make(config: config)).seal("JBSWY3DPEHPK3PXP", owner: "ana")
        let file = directory + "/secret.key"
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SecretBox.make(config: config)?.open(sealed, owner: "ana") == "JBSWY3DPEHPK3PXP")
        #expect(throws: (any Error).self) { try SecretBox.make(config: config)?.open(sealed, owner: "bo") }
        config.database = .postgres(url: "postgres://localhost/x")
        #expect(try SecretBox.make(config: config) == nil)
    }

    @Test func smtpSettingsAreCheckedTogether() async throws {
        let smtp = try await load(environment: [
            "MAIL_TRANSPORT": "SMTP", "SMTP_URL": "smtps://mailer:p%40ss@smtp.example.org:465",
            "SMTP_STARTTLS": "opportunistic",
        ])
        #expect(
            smtp.mail == .smtp(.init(url: "smtps://mailer:p%40ss@smtp.example.org:465", startTLS: .opportunistic)))
        await #expect {
            try await load(environment: [
                "MAIL_TRANSPORT": "smtp", "SMTP_STARTTLS": "sometimes", "SMTP_CA_FILE": "/nonexistent/ca.pem",
            ])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.map(\.setting) == ["SMTP_URL", "SMTP_STARTTLS", "SMTP_CA_FILE"]
        }
        await #expect {
            try await load(environment: ["MAIL_TRANSPORT": "smtp", "SMTP_URL": "http://mailer:hunter2@example.org"])
        } throws: { error in
            // The URL carries a password: the message must not repeat it.
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.map(\.setting) == ["SMTP_URL"] && !error.description.contains("hunter2")
        }
    }

    @Test func theDatabasePasswordNeverAppearsInAnError() async throws {
        do {
            _ = try await load(environment: ["DATABASE_URL": "postgres://app:hunter2hunter2@/x", "HTTP_PORT": "x"])
            Issue.record("expected a configuration error")
        } catch let error as ConfigurationError {
            #expect(error.problems.map(\.setting) == ["HTTP_PORT", "DATABASE_URL"])
            #expect(!error.description.contains("hunter2"))
        }
    }
}

/// A service that does nothing, to build a service group's configuration around.
private struct IdleService: Service {
    func run() async throws {}
}
