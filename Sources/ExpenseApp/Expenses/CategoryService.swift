import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// An organization's categories: anyone sees them; owners, admins and finance manage them.
public struct CategoryService: Sendable {
    let store: Store
    let clock: AppClock
    let ids: IDGenerator
    let logger: Logger

    /// A change to a category; nil keeps the current value.
    public struct Change: Sendable, Decodable {
        public var name: String?
        public var archived: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, archived }

        public init(name: String? = nil, archived: Bool? = nil) {
            self.name = name
            self.archived = archived
        }
    }

    public func list(_ access: TenantAccess) async throws -> [Category] {
        try access.require(.viewOrganization)
        let store = self.store
        return try await access.inTransaction { tx in
            try await store.categories.list(tx)
        }
    }

    public func create(_ access: TenantAccess, name rawName: String) async throws -> Category {
        try access.require(.manageCategories)
        let name = try validating { try Category.validName(rawName) }
        let now = clock.now()
        let store = self.store
        return try await access.inTransaction { tx in
            try await Self.uniqueName(in: tx) {
                let category = try await store.categories.create(tx, id: ids(), name: name, at: now)
                try await store.audit.append(
                    tx,
                    auditEntry(access, .categoryCreated, category.id, AuditDetails.after(["name": name]), now))
                return category
            }
        }
    }

    public func update(_ access: TenantAccess, id: CategoryID, _ change: Change) async throws -> Category {
        try access.require(.manageCategories)
        let name = try change.name.map { name in try validating { try Category.validName(name) } }
        let now = clock.now()
        let store = self.store
        return try await access.inTransaction { tx in
            try await Self.uniqueName(in: tx) {
                guard let current = try await store.categories.find(tx, id: id) else { throw AppError.notFound }
                let archivedAt = change.archived.map { $0 ? (current.archivedAt ?? now) : nil } ?? current.archivedAt
                guard
                    let updated = try await store.categories.update(
                        tx, id: id, name: name ?? current.name, archivedAt: archivedAt, at: now)
                else { throw AppError.notFound }
                let before = ["name": current.name, "archived": String(current.isArchived)]
                let after = ["name": updated.name, "archived": String(updated.isArchived)]
                if before != after {
                    try await store.audit.append(
                        tx,
                        auditEntry(
                            access, .categoryUpdated, id, AuditDetails.change(before: before, after: after), now))
                }
                return updated
            }
        }
    }

    /// Deletes a category no expense uses; one in use is archived instead (409 says so).
    public func delete(_ access: TenantAccess, id: CategoryID) async throws {
        try access.require(.manageCategories)
        let now = clock.now()
        let store = self.store
        try await access.inTransaction { tx in
            guard let current = try await store.categories.find(tx, id: id) else { throw AppError.notFound }
            guard try await !store.categories.isUsed(tx, id: id) else {
                throw AppError.conflict("Expenses use this category: archive it instead, so they keep it.")
            }
            guard try await !store.budgets.usesCategory(tx, id) else {
                throw AppError.conflict("A budget is kept for this category: delete the budget first, or archive it.")
            }
            guard try await !store.recurring.usesCategory(tx, id) else {
                throw AppError.conflict(
                    "A recurring expense logs under this category: change or delete it first, or archive the category.")
            }
            _ = try await store.categories.delete(tx, id: id)
            try await store.audit.append(
                tx, auditEntry(access, .categoryDeleted, id, AuditDetails.before(["name": current.name]), now))
        }
    }

    /// Runs `body` behind a savepoint, reporting a taken name as a validation failure on `name`
    /// (the page then shows the form again in the same transaction).
    static func uniqueName<T>(in tx: TenantTransaction, _ body: () async throws -> T) async throws -> T {
        do {
            return try await tx.savepoint(body)
        } catch StoreError.uniqueViolation {
            throw AppError.validation(.init("name", "There is already a category with this name."))
        }
    }

    func auditEntry(
        _ access: TenantAccess, _ action: AuditAction, _ id: CategoryID, _ details: AuditDetails, _ now: Date
    )
        -> AuditEntry
    {
        AuditEntry(
            id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: action,
            subjectType: .category,
            subjectID: id.description, details: details, createdAt: now)
    }
}
