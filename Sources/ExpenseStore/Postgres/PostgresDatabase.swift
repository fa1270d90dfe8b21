import ExpenseCore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

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
    private let leaseDeadlines: LeaseDeadlines
    /// Every statement sent through this database's executors, `BEGIN` and `COMMIT` included:
    /// the tests read it to hold each request to its statement budget.
    public let statementCounter = StatementCounter()
    /// A hot standby's pool (`DATABASE_READ_URL`): its transactions are `READ ONLY` and may run
    /// inside a request's transaction on the primary (see `TransactionGuard`).
    public let isStandby: Bool

    /// A pool of up to `connections`, opened as requests need them and kept while in use (five
    /// idle minutes), one kept open from the start unless `keepOpen` is false (tests that open
    /// many small databases). A caller waits at most `leaseTimeout` for a connection, then gets
    /// `StoreError.unavailable`.
    ///
    /// Not more than one is kept open: postgres-nio 1.33.2 traps (ending the process) when a pool
    /// whose minimum is above one recovers from an outage. While connecting fails it keeps one
    /// connection retrying and drops the others, and once the database is back the next lease
    /// that finds every connection busy asserts that the minimum still stands.
    public init(
        url: String, connections: Int = PostgresDatabase.defaultConnections, keepOpen: Bool = true,
        leaseTimeout: Duration = PostgresDatabase.defaultLeaseTimeout, standby: Bool = false, logger: Logger
    ) throws {
        let configuration = try PostgresURL.configuration(
            from: url, connections: connections, minimum: keepOpen ? 1 : 0)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.leaseDeadlines = LeaseDeadlines(timeout: leaseTimeout)
        self.isStandby = standby
    }

    /// Sixteen: on the 2-core benchmark machine 6, 16 and 32 connections served within 10% of
    /// each other, 16 a little ahead (docs/benchmarks.md, "Pool"). Set it from the database
    /// server's size and the number of server processes (their sum under `max_connections`).
    public static let defaultConnections = 16

    /// Five seconds: far above a lease's wait under a full load (docs/benchmarks.md), and what
    /// the 503 that follows asks the caller to wait before trying again.
    public static let defaultLeaseTimeout = Duration.seconds(5)

    /// Runs the connection pool until cancelled or shut down gracefully.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await cancelWhenGracefulShutdown { await self.client.run() }
            }
            group.addTask { await self.leaseDeadlines.run() }
            // The pool accepts leases once run() is entered; let waiting callers through.
            await Task.yield()
            running.open()
            // The pool ended: stop expiring waits too.
            try await group.next()
            group.cancelAll()
        }
    }

    public func transaction<T: Sendable>(
        _ scope: TransactionScope,
        _ body: (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await TransactionGuard.enter(standby: isStandby) {
            try await running.wait()
            return try await leased { connection in
                let executor = PostgresExecutor(connection: connection, logger: logger, counter: statementCounter)
                try await executor.run(isStandby ? "BEGIN READ ONLY" : "BEGIN")
                do {
                    // Settings are transaction-local, so a new transaction starts with none: the
                    // system scope (all empty) needs no statement, and a deferred scope is set by
                    // the body's first statement.
                    if scope != .system, scope != .deferred {
                        try await executor.execute(Self.settings(for: scope))
                    }
                    let result = try await body(executor)
                    try await executor.run("COMMIT")
                    return result
                } catch {
                    // A closed connection has nothing to roll back: PostgreSQL ends the session's
                    // transaction with it.
                    if connection.isClosed { throw error }
                    do {
                        try await executor.run("ROLLBACK")
                    } catch {
                        // A connection that cannot roll back must not go back to the pool.
                        logger.error("rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                        try? await connection.close()
                    }
                    throw error
                }
            }
        }
    }

    public func autocommit<T: Sendable>(_ body: (any SQLExecutor) async throws -> T) async throws -> T {
        try await TransactionGuard.enter(standby: isStandby) {
            try await running.wait()
            return try await leased { connection in
                try await body(PostgresExecutor(connection: connection, logger: logger, counter: statementCounter))
            }
        }
    }

    /// A pooled connection for `body`. No connection within the lease timeout (all busy, or the
    /// database cannot be reached), or a pool that is shut down, fails the lease before any
    /// statement runs: `StoreError.unavailable`.
    private func leased<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await BoundedLease.withConnection(client, deadlines: leaseDeadlines, body)
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
        case .system, .deferred:
            (tenant, user, invitation) = ("", "", "")
        case .user(let userID):
            (tenant, user, invitation) = ("", userID.description, "")
        case .tenant(let tenantID, let actor):
            (tenant, user, invitation) = (tenantID.description, actor?.description ?? "", "")
        case .invitation(let tokenHash):
            (tenant, user, invitation) = ("", "", tokenHash)
        }
        return Self.settings(tenant: tenant, user: user, invitation: invitation).prepared(as: Settings.self)
    }

    static func settings(tenant: String, user: String, invitation: String) -> SQL {
        """
        SELECT set_config('app.tenant_id', \(tenant), true),
               set_config('app.user_id', \(user), true),
               set_config('app.invitation_token_hash', \(invitation), true)
        """
    }

    enum Settings: PreparedStatementKey {
        static let text = PostgresDatabase.settings(tenant: "", user: "", invitation: "").text(for: .postgres)
    }

    /// The pool's connections close when `run()` ends; nothing else is held.
    public func close() async throws {}

    public func ping() async throws {
        try await running.wait()
        try await leased { connection in
            _ = try await connection.query("SELECT 1", logger: logger)
        }
    }

    /// How far this server's write-ahead log goes: on a primary, what it has written; on a hot
    /// standby (`inRecovery`), what it has replayed, and so what its readers see. Comparing the
    /// two says how far a standby is behind (`WALPosition`).
    public func logPosition() async throws -> (position: WALPosition, inRecovery: Bool)? {
        try await autocommit { executor in
            let row = try await executor.first(
                """
                SELECT pg_is_in_recovery() AS recovering,
                       (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                             ELSE pg_current_wal_lsn() END)::text AS position
                """)
            guard let row, let position = WALPosition(try row.decode("position", as: String?.self) ?? "") else {
                return nil
            }
            return (position, try row.decode("recovering"))
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

/// Counts statements as they are sent (a relaxed atomic: a count, not an ordering).
public final class StatementCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var value: Int { count.load(ordering: .relaxed) }

    func increment() { count.add(1, ordering: .relaxed) }
}
