import ExpenseStore
import Hummingbird
import Logging

/// `GET /health/live` and `GET /health/ready`, for load balancers and orchestrators.
struct HealthController: Sendable {
    let database: any Database
    let migrations: [Migration]
    var draining = Draining()

    struct Live: ResponseEncodable {
        var status = "ok"
    }

    struct Ready: ResponseEncodable {
        var status: String
        var database: String
        var schema: String
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("live") { _, _ in Live() }
        group.get("ready", use: ready)
    }

    /// 200 when the database answers and its schema is what this build expects; 503 otherwise,
    /// and 503 from the moment the server starts draining before shutdown.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Ready> {
        if draining.isDraining {
            return .init(
                status: .serviceUnavailable, response: Ready(status: "draining", database: "ok", schema: "current"))
        }
        let runner = MigrationRunner(database: database, migrations: migrations, logger: context.logger)
        do {
            try await pingWithin(.seconds(3))
        } catch {
            context.logger.warning(
                "readiness: database unreachable", metadata: ["error": "\(String(reflecting: error))"])
            return .init(
                status: .serviceUnavailable,
                response: Ready(status: "unavailable", database: "unreachable", schema: "unknown"))
        }
        do {
            let status = try await runner.status()
            let schema = status.isCurrent ? "current" : (status.edited.isEmpty ? "behind" : "edited")
            return .init(
                status: status.isCurrent ? .ok : .serviceUnavailable,
                response: Ready(status: status.isCurrent ? "ok" : "unavailable", database: "ok", schema: schema)
            )
        } catch {
            context.logger.warning(
                "readiness: schema check failed", metadata: ["error": "\(String(reflecting: error))"])
            return .init(
                status: .serviceUnavailable, response: Ready(status: "unavailable", database: "ok", schema: "unknown"))
        }
    }

    struct Timeout: Error {}

    /// A probe must answer promptly: a database that takes longer than `limit` counts as down.
    private func pingWithin(_ limit: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.ping() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw Timeout()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
