import ExpenseCore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The production store: PostgreSQL through postgres-nio's connection pool.
///
/// Every transaction sets its scope with `set_config(..., true)`, which lasts until the
/// transaction ends, so a pooled connection carries nothing over to its next user. The
/// row-level security policies (FORCEd, see the migrations) read those settings.
public final class PostgresDatabase: Database {
    public let dialect = SQLDialect.postgres
    let client: PostgresClient
    private let logger: Logger
    private let running = AsyncGate()

    public init(url: String, maxConnections: Int = 20, logger: Logger) throws {
        let configuration = try PostgresURL.configuration(from: url, maxConnections: maxConnections)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the connection pool until cancelled or shut down gracefully.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await cancelWhenGracefulShutdown { await self.client.run() }
            }
            // The pool accepts leases once run() is entered; let waiting callers through.
            await Task.yield()
            running.open()
            try await group.waitForAll()
        }
    }

    public func transaction<T: Sendable>(
        _ scope: TransactionScope,
        _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await running.wait()
        return try await leased { connection in
            let executor = PostgresExecutor(connection: connection, logger: logger)
            try await executor.run("BEGIN")
            do {
                // Settings are transaction-local, so a new transaction starts with none: the
                // system scope (all empty) needs no statement to set them.
                if scope != .system { try await executor.execute(Self.settings(for: scope)) }
                let result = try await body(executor)
                // Not cancellable: a half-ended transaction must not go back to the pool.
                try await Task { try await executor.run("COMMIT") }.value
                return result
            } catch {
                do {
                    try await Task { try await executor.run("ROLLBACK") }.value
                } catch {
                    // A connection that cannot roll back must not go back to the pool.
                    logger.error("rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                    try? await connection.close()
                }
                throw error
            }
        }
    }

    public func autocommit<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await running.wait()
        return try await leased { connection in
            try await body(PostgresExecutor(connection: connection, logger: logger))
        }
    }

    /// A pooled connection for `body`. A pool that cannot reach the database (or is shut down)
    /// fails the lease, before any statement runs: that is `StoreError.unavailable` too.
    private func leased<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection(body)
        } catch {
            throw StoreError(postgres: error) ?? error
        }
    }

    /// The transaction-local settings the row-level security policies read.
    static func settings(for scope: TransactionScope) -> SQL {
        let tenant: String
        let user: String
        let invitation: String
        switch scope {
        case .system:
            (tenant, user, invitation) = ("", "", "")
        case .user(let userID):
            (tenant, user, invitation) = ("", userID.description, "")
        case .tenant(let tenantID, let actor):
            (tenant, user, invitation) = (tenantID.description, actor?.description ?? "", "")
        case .invitation(let tokenHash):
            (tenant, user, invitation) = ("", "", tokenHash)
        }
        return """
            SELECT set_config('app.tenant_id', \(tenant), true),
                   set_config('app.user_id', \(user), true),
                   set_config('app.invitation_token_hash', \(invitation), true)
            """
    }

    public func ping() async throws {
        try await running.wait()
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT 1", logger: logger)
        }
    }

    public func connectedRole() async throws -> DatabaseRole? {
        try await transaction(.system) { tx in
            let row = try await tx.first(
                "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            guard let row else { return nil }
            return DatabaseRole(
                name: try row.decode("rolname"),
                isSuperuser: try row.decode("rolsuper"),
                bypassesRowSecurity: try row.decode("rolbypassrls")
            )
        }
    }
}
