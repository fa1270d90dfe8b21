/// Runs statements on one connection, inside one open transaction.
///
/// Repositories are written against this protocol once; the PostgreSQL and SQLite drivers
/// implement it. Values passed to an executor must not escape the transaction's closure.
public protocol SQLExecutor: Sendable {
    var dialect: SQLDialect { get }

    /// Runs a statement and returns every row it produced.
    @discardableResult
    func query(_ sql: SQL) async throws -> [SQLRow]
}

extension SQLExecutor {
    /// Runs a statement and returns its first row, if any.
    public func first(_ sql: SQL) async throws -> SQLRow? {
        try await query(sql).first
    }

    /// Runs a statement whose rows are not needed.
    public func execute(_ sql: SQL) async throws {
        try await query(sql)
    }
}
