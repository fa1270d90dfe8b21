/// Marks the task that holds an open transaction, so a second one started inside it fails at
/// once instead of waiting forever (SQLite's one connection is already taken) or quietly
/// leasing a second PostgreSQL connection that commits apart from the first.
///
/// A request runs in one transaction: everything it does goes through that transaction's
/// executor. Starting another from inside is a bug, reported as `StoreError.nestedTransaction`.
///
/// A standby read from inside a request (`DATABASE_READ_URL`) is the one exception: it runs on
/// another server's pool, so it cannot wait on the request's connection, and it reads only. It
/// is marked apart, and a second standby read inside the first is refused the same way.
enum TransactionGuard {
    @TaskLocal static var isOpen = false
    @TaskLocal static var isStandbyOpen = false

    /// Runs `body` marked as holding a transaction (on the standby's pool when `standby`);
    /// throws when one of that kind is already held.
    static func enter<T>(standby: Bool = false, _ body: () async throws -> T) async throws -> T {
        if standby {
            guard !isStandbyOpen else { throw StoreError.nestedTransaction }
            return try await $isStandbyOpen.withValue(true) { try await body() }
        }
        guard !isOpen else { throw StoreError.nestedTransaction }
        return try await $isOpen.withValue(true) { try await body() }
    }
}
