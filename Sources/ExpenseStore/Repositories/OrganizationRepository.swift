import ExpenseCore
import Foundation

/// Organizations: the tenants themselves. Each is read and written inside its own tenant's
/// transaction; a user's list of organizations is read inside that user's transaction.
public struct OrganizationRepository: Sendable {
    public init() {}

    /// The settings of a new organization; its id is the transaction's tenant.
    public struct NewOrganization: Sendable {
        public var name: String
        public var kind: OrganizationKind
        public var currency: Currency
        public var timeZone: TimeZone
        public var weekStart: Weekday
        /// Minor units of `currency`; nil for no receipt rule.
        public var receiptRequiredAbove: Int64?

        public init(
            name: String, kind: OrganizationKind, currency: Currency, timeZone: TimeZone, weekStart: Weekday,
            receiptRequiredAbove: Int64? = nil
        ) {
            self.name = name
            self.kind = kind
            self.currency = currency
            self.timeZone = timeZone
            self.weekStart = weekStart
            self.receiptRequiredAbove = receiptRequiredAbove
        }
    }

    /// Creates the organization whose id is `tx.tenantID`.
    public func create(_ tx: TenantTransaction, _ new: NewOrganization, at now: Date) async throws -> Organization {
        let row = try await tx.executor.first(
            """
            INSERT INTO organizations
                (id, name, kind, currency, time_zone, week_start, receipt_required_above, created_at, updated_at)
            VALUES (\(tx.tenantID), \(new.name), \(new.kind), \(new.currency), \(new.timeZone),
                    \(new.weekStart), \(new.receiptRequiredAbove), \(now), \(now))
            RETURNING \(unsafeRaw: Self.columns)
            """
        )
        return try Self.organization(from: row!)
    }

    /// The transaction's own organization, unless deleted.
    public func find(_ tx: TenantTransaction) async throws -> Organization? {
        try await tx.executor.first(
            """
            SELECT \(unsafeRaw: Self.columns) FROM organizations
            WHERE id = \(tx.tenantID) AND deleted_at IS NULL
            """
        ).map(Self.organization)
    }

    /// The transaction's organization (unless deleted) with `user`'s role in it, in one query;
    /// nil when either is missing. With `lockingMembership` the member's row is read `FOR SHARE`
    /// (PostgreSQL; SQLite's writer lock already holds everything still): a role change
    /// committed meanwhile waits for this transaction, or this one sees it.
    public func findWithRole(_ tx: TenantTransaction, user: UserID, lockingMembership: Bool = false) async throws
        -> (Organization, Role)?
    {
        let sql =
            switch (tx.executor.dialect, lockingMembership) {
            case (.postgres, true): Self.withRole(tx.tenantID, user, lock: true).prepared(as: WithRoleLocking.self)
            case (.postgres, false): Self.withRole(tx.tenantID, user, lock: false).prepared(as: WithRole.self)
            case (.sqlite, _): Self.withRole(tx.tenantID, user, lock: false)
            }
        guard let row = try await tx.executor.first(sql) else { return nil }
        return (try Self.organization(from: row), try row.decode("role"))
    }

    static func withRole(_ tenant: TenantID, _ user: UserID, lock: Bool) -> SQL {
        """
        SELECT \(unsafeRaw: Self.columns(prefix: "o.")), m.role FROM organizations o
        JOIN memberships m ON m.tenant_id = o.id AND m.user_id = \(user)
        WHERE o.id = \(tenant) AND o.deleted_at IS NULL\(unsafeRaw: lock ? " FOR SHARE OF m" : "")
        """
    }

    enum WithRole: PreparedStatementKey {
        static let text = OrganizationRepository.withRole(TenantID(), UserID(), lock: false).text(for: .postgres)
    }

    enum WithRoleLocking: PreparedStatementKey {
        static let text = OrganizationRepository.withRole(TenantID(), UserID(), lock: true).text(for: .postgres)
    }

    /// Replaces the organization's settings; returns it as stored.
    public func update(_ tx: TenantTransaction, _ settings: NewOrganization, at now: Date) async throws -> Organization?
    {
        try await tx.executor.first(
            """
            UPDATE organizations SET name = \(settings.name), kind = \(settings.kind), currency = \(settings.currency),
                time_zone = \(settings.timeZone), week_start = \(settings.weekStart),
                receipt_required_above = \(settings.receiptRequiredAbove), updated_at = \(now)
            WHERE id = \(tx.tenantID) AND deleted_at IS NULL
            RETURNING \(unsafeRaw: Self.columns)
            """
        ).map(Self.organization)
    }

    /// Sets whether every member must sign in with a second factor; returns it as stored.
    public func setSecondFactorRule(_ tx: TenantTransaction, required: Bool, at now: Date) async throws
        -> Organization?
    {
        try await tx.executor.first(
            """
            UPDATE organizations SET require_second_factor = \(required), updated_at = \(now)
            WHERE id = \(tx.tenantID) AND deleted_at IS NULL
            RETURNING \(unsafeRaw: Self.columns)
            """
        ).map(Self.organization)
    }

    /// Marks the organization deleted: it disappears from every list and route, its rows stay
    /// (the audit log keeps the story) until an operator purges them.
    public func softDelete(_ tx: TenantTransaction, at now: Date) async throws {
        try await tx.executor.execute(
            "UPDATE organizations SET deleted_at = \(now), updated_at = \(now) WHERE id = \(tx.tenantID) AND deleted_at IS NULL"
        )
    }

    /// The name of the organization an invitation is for, as the invitation's holder may see it.
    public func name(_ tx: InvitationTransaction, of id: OrganizationID) async throws -> String? {
        try await tx.executor.first("SELECT name FROM organizations WHERE id = \(id) AND deleted_at IS NULL")?
            .decode("name")
    }

    /// The organizations the user belongs to, with their role in each, by name: in the user's
    /// own transaction, or in a tenant transaction acting for that user.
    public func list(_ tx: some Transaction, user: UserID) async throws -> [(Organization, Role)] {
        try await tx.executor.query(
            """
            SELECT \(unsafeRaw: Self.columns(prefix: "o.")), m.role
            FROM memberships m JOIN organizations o ON o.id = m.tenant_id
            WHERE m.user_id = \(user) AND o.deleted_at IS NULL
            ORDER BY o.name, o.id
            """
        ).map { row in (try Self.organization(from: row), try row.decode("role")) }
    }

    static let columns = columns(prefix: "")

    static func columns(prefix: String) -> String {
        [
            "id", "name", "kind", "currency", "time_zone", "week_start", "receipt_required_above", "created_at",
            "updated_at", "has_budgets", "closed_through", "require_second_factor",
            "has_webhooks",
        ]
        .map { prefix + $0 }.joined(separator: ", ")
    }

    static func organization(from row: SQLRow) throws -> Organization {
        var organization = Organization(
            id: try row.decode("id"),
            name: try row.decode("name"),
            kind: try row.decode("kind"),
            currency: try row.decode("currency"),
            timeZone: try row.decode("time_zone"),
            weekStart: try row.decode("week_start"),
            receiptRequiredAbove: try row.decode("receipt_required_above"),
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at")
        )
        organization.hasBudgets = try row.decode("has_budgets")
        organization.closedThrough = try row.decode("closed_through")
        organization.requireSecondFactor = try row.decode("require_second_factor")
        organization.hasWebhooks = try row.decode("has_webhooks")
        return organization
    }
}
