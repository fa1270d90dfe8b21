/// Marks the task that holds an open transaction, so a second one started inside it fails at
/// once instead of waiting forever (SQLite's one connection is already taken) or quietly
/// leasing a second PostgreSQL connection that commits apart from the first.
///
/// A request runs in one transaction: everything it does goes through that transaction's
/// executor. Starting another from inside is a bug, reported as `StoreError.nestedTransaction`.
enum TransactionGuard {
    @TaskLocal static var isOpen = false

    /// Runs `body` marked as holding a transaction; throws when one is already held.
    static func enter<T>(_ body: () async throws -> T) async throws -> T {
        guard !isOpen else { throw StoreError.nestedTransaction }
        return try await $isOpen.withValue(true) { try await body() }
    }
}
