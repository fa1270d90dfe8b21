import ExpenseCore
import Foundation

/// A tenant's categories. Names are unique per tenant whatever their case.
public struct CategoryRepository: Sendable {
    public init() {}

    public func create(_ tx: TenantTransaction, id: CategoryID, name: String, at now: Date) async throws -> Category {
        try await tx.executor.execute(
            """
            INSERT INTO categories (tenant_id, id, name, created_at, updated_at)
            VALUES (\(tx.tenantID), \(id), \(name), \(now), \(now))
            """
        )
        return Category(id: id, name: name, archivedAt: nil, createdAt: now, updatedAt: now)
    }

    /// The categories a new organization of `kind` starts with (`Category.defaults(for:)`), in
    /// one statement.
    public func createDefaults(_ tx: TenantTransaction, kind: OrganizationKind, ids: IDGenerator, at now: Date)
        async throws
    {
        var sql: SQL = "INSERT INTO categories (tenant_id, id, name, created_at, updated_at) VALUES "
        for (index, name) in Category.defaults(for: kind).enumerated() {
            sql.append(index == 0 ? "" : ", ")
            sql.append("(\(tx.tenantID), \(ids() as CategoryID), \(name), \(now), \(now))")
        }
        try await tx.executor.execute(sql)
    }

    /// Every category, active ones first, then by name.
    public func list(_ tx: TenantTransaction) async throws -> [Category] {
        try await tx.executor.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM categories WHERE tenant_id = \(tx.tenantID)
            ORDER BY archived_at IS NOT NULL, lower(name), id
            """
        ).map(Self.category)
    }

    public func find(_ tx: TenantTransaction, id: CategoryID) async throws -> Category? {
        try await tx.executor.first(
            "SELECT \(unsafeRaw: Self.columns) FROM categories WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
        ).map(Self.category)
    }

    /// Renames and archives or restores; nil when there is no such category.
    public func update(_ tx: TenantTransaction, id: CategoryID, name: String, archivedAt: Date?, at now: Date)
        async throws -> Category?
    {
        try await tx.executor.first(
            """
            UPDATE categories SET name = \(name), archived_at = \(archivedAt), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id)
            RETURNING \(unsafeRaw: Self.columns)
            """
        ).map(Self.category)
    }

    /// Deletes a category no expense uses; `false` when it does not exist.
    public func delete(_ tx: TenantTransaction, id: CategoryID) async throws -> Bool {
        try await !tx.executor.query(
            "DELETE FROM categories WHERE tenant_id = \(tx.tenantID) AND id = \(id) RETURNING id"
        ).isEmpty
    }

    /// Whether any expense is filed under the category.
    public func isUsed(_ tx: TenantTransaction, id: CategoryID) async throws -> Bool {
        try await tx.executor.first(
            "SELECT 1 AS used FROM expenses WHERE tenant_id = \(tx.tenantID) AND category_id = \(id) LIMIT 1"
        ) != nil
    }

    static let columns = "id, name, archived_at, created_at, updated_at"

    static func category(from row: SQLRow) throws -> Category {
        Category(
            id: try row.decode("id"), name: try row.decode("name"), archivedAt: try row.decode("archived_at"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
