import ExpenseStore
import Hummingbird
import Logging

/// Options of `serve` that are not settings: how to start, not how to run.
public struct ServeOptions: Sendable {
    /// Apply pending migrations before serving. Always on for the embedded SQLite store.
    public var migrate: Bool

    public init(migrate: Bool = false) {
        self.migrate = migrate
    }
}

/// The one place the application is assembled; the server and the tests both call it.
///
/// Before the server accepts connections it checks the database: a PostgreSQL role that row-level
/// security would not bind is refused, and the schema is migrated (SQLite, or `--migrate`) or
/// required to be current.
public func buildApplication(
    config: AppConfig,
    options: ServeOptions = .init(),
    dependencies: AppDependencies
) throws -> some ApplicationProtocol {
    let migrations = try Migration.bundled(for: dependencies.database.dialect)
    let router = buildRouter(dependencies: dependencies, migrations: migrations)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.httpHost, port: config.httpPort), serverName: "ExpenseTracker"),
        services: [dependencies.database],
        logger: dependencies.logger
    )
    let preflight = DatabasePreflight(database: dependencies.database, logger: dependencies.logger)
    let policy: DatabasePreflight.SchemaPolicy =
        config.usesEmbeddedDatabase || options.migrate ? .migrate : .requireCurrent
    app.beforeServerStarts {
        try await preflight.run(schema: policy)
    }
    return app
}

func buildRouter(dependencies: AppDependencies, migrations: [Migration]) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    HealthController(database: dependencies.database, migrations: migrations)
        .addRoutes(to: router.group("health"))
    return router
}
