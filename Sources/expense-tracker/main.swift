import ArgumentParser
import ExpenseApp
import Foundation

/// The command line. Only argument parsing lives here; the work is in ExpenseApp.
@main
struct ExpenseTrackerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expense-tracker",
        abstract: "A multi-tenant expense-tracking server.",
        discussion: """
            Settings come from, in priority order: these options, the environment, a .env file \
            in the working directory, and the defaults (see config/example.env).
            """,
        version: ExpenseTracker.version,
        subcommands: [Serve.self, Migrate.self, Worker.self, Backup.self, Mail.self, Audit.self, Dev.self],
        defaultSubcommand: nil
    )
}

/// Options every command shares: where the data is and how to log.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "DATABASE_URL: postgres://... (unset: SQLite under --data-dir).")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "DATA_DIR: where the embedded database lives (default ./data).")
    var dataDirectory: String?

    @Option(name: .customLong("log-level"), help: "LOG_LEVEL: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "LOG_FORMAT: text or json.")
    var logFormat: String?

    var overrides: [String: String] {
        var values: [String: String] = [:]
        values["DATABASE_URL"] = databaseURL
        values["DATA_DIR"] = dataDirectory
        values["LOG_LEVEL"] = logLevel
        values["LOG_FORMAT"] = logFormat
        return values
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the web pages and the JSON API.",
        discussion: """
            On the embedded SQLite store, pending migrations are applied at start. On PostgreSQL \
            the server refuses to start while migrations are pending (run `migrate`, or pass \
            --migrate) and refuses a superuser or BYPASSRLS role.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("host"), help: "HTTP_HOST: address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(name: .customLong("port"), help: "HTTP_PORT: port to listen on (default 8080).")
    var port: String?

    @Option(name: .customLong("public-base-url"), help: "PUBLIC_BASE_URL: the address used in links in emails.")
    var publicBaseURL: String?

    @Flag(help: "Apply pending migrations before serving (PostgreSQL; SQLite always does).")
    var migrate = false

    @Flag(
        name: .customLong("no-worker"),
        help:
            "Do not send mail or webhooks or write recurring expenses from this process (run `expense-tracker worker` instead)."
    )
    var noWorker = false

    func run() async throws {
        var overrides = common.overrides
        overrides["HTTP_HOST"] = host
        overrides["HTTP_PORT"] = port
        overrides["PUBLIC_BASE_URL"] = publicBaseURL
        let config = await ExpenseTracker.configuration(overrides: overrides)
        try await ExpenseTracker.serve(config: config, options: ServeOptions(migrate: migrate, mailWorker: !noWorker))
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations and exit.",
        discussion: "Safe to run from several processes at once; a no-op when the schema is current."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let config = await ExpenseTracker.configuration(overrides: common.overrides)
        try await ExpenseTracker.migrate(config: config)
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send queued mail and webhooks and write due recurring expenses, without serving HTTP.",
        discussion:
            "For scaled-out setups: run servers with --no-worker and one or more of these. Stops on SIGINT or SIGTERM."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let config = await ExpenseTracker.configuration(overrides: common.overrides)
        try await ExpenseTracker.worker(config: config)
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the embedded SQLite database to FILE, consistently, while the server runs.",
        discussion: """
            The copy is checked with SQLite's integrity check before the command succeeds. When \
            the key sealing authenticator and webhook secrets is DATA_DIR/secret.key (no \
            SECRET_KEY), it is copied to FILE.key or --key-file. To restore, stop the server, put \
            the file at DATA_DIR/expense-tracker.sqlite and the key at DATA_DIR/secret.key (or \
            set the same SECRET_KEY). On PostgreSQL use pg_dump and pg_restore instead \
            (deploy/backup.md).
            """
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "Where to write the copy; it must not exist.")
    var file: String

    @Option(
        name: .customLong("key-file"),
        help: "Where to write the copy of DATA_DIR/secret.key (default FILE.key): keep it apart from the backups.")
    var keyFile: String?

    func run() async throws {
        let config = await ExpenseTracker.configuration(overrides: common.overrides)
        do {
            try await ExpenseTracker.backup(config: config, to: file, keyFile: keyFile)
        } catch let refusal as ExpenseTracker.BackupRefusal {
            FileHandle.standardError.write(Data("expense-tracker: \(refusal)\n".utf8))
            throw ExitCode.failure
        }
    }
}

struct Mail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the outbound mail queue.",
        subcommands: [Status.self, RetryDead.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count queued messages by state.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let config = await ExpenseTracker.configuration(overrides: common.overrides)
            try await ExpenseTracker.mail(config: config, retryDead: false)
        }
    }

    struct RetryDead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry-dead",
            abstract:
                "Send again messages that failed for good, once the cause is fixed (one-time links are re-issued)."
        )
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let config = await ExpenseTracker.configuration(overrides: common.overrides)
            try await ExpenseTracker.mail(config: config, retryDead: true)
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Walk each organization's audit hash chain; exit 1 naming the first entry altered, removed or moved."
        )
        @OptionGroup var common: CommonOptions

        @Option(name: .customLong("org"), help: "Check only this organization (its id).")
        var organization: String?

        func run() async throws {
            let config = await ExpenseTracker.configuration(overrides: common.overrides)
            guard try await ExpenseTracker.verifyAudit(config: config, organization: organization) else {
                throw ExitCode.failure
            }
        }
    }
}

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tools for development and benchmarks.",
        subcommands: [Seed.self]
    )

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write generated organizations and expenses; print the organization ids.",
            discussion: """
                Creates (or reuses) the owner account, then N organizations with M expenses each over \
                the last two years. The owner can log in with the password to look around or benchmark.
                """
        )
        @OptionGroup var common: CommonOptions

        @Option(name: .customLong("orgs"), help: "How many organizations to create.")
        var organizations = 1

        @Option(name: .customLong("expenses"), help: "Expenses per organization.")
        var expenses = 1000

        @Option(name: .customLong("owner-email"), help: "The owner's email (created when new).")
        var ownerEmail = "seed@example.org"

        @Option(name: .customLong("password"), help: "The owner's password, when the account is new.")
        var password = "correct horse battery staple"

        func validate() throws {
            guard (1...1000).contains(organizations) else { throw ValidationError("--orgs must be 1 to 1000.") }
            guard (0...50_000_000).contains(expenses) else {
                throw ValidationError("--expenses must be 0 to 50,000,000.")
            }
        }

        func run() async throws {
            let config = await ExpenseTracker.configuration(overrides: common.overrides)
            try await ExpenseTracker.seed(
                config: config,
                options: .init(
                    organizations: organizations, expensesPerOrganization: expenses, ownerEmail: ownerEmail,
                    password: password))
        }
    }
}
