import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The organization a request works in, the caller's role there, and the request's one
/// transaction, resolved once per request.
///
/// The role was read inside `transaction` (on writes with the member's row locked `FOR SHARE`),
/// so the role checked is the role in force when the handler writes; both commit together.
/// Services run every statement of the request through `transaction`. It is open only while
/// the handler runs: work that outlives it (a streamed export) opens its own.
public struct TenantAccess: Sendable {
    public var organization: Organization
    public var role: Role
    public var user: User
    public let transaction: TenantTransaction
    /// Where reports, exports and lists read when not the primary: set by the resolver for the
    /// requests `ReadReplica.forRequest` lets read the standby, nil for all others.
    var replica: ReadReplica? = nil

    public var tenantID: TenantID { organization.id }

    /// Throws 403 unless the role has `permission`; the one permission table in the domain decides.
    public func require(_ permission: Permission) throws {
        guard role.can(permission) else {
            throw AppError.forbidden("Your role (\(role.rawValue)) does not allow this.")
        }
    }
}

/// The context of every route under `/orgs/{orgId}`: it exists only once the caller is signed
/// in and a member of that organization, so a handler that takes it cannot forget the check
/// (Hummingbird's `ChildRequestContext`).
public struct OrgRequestContext: ChildRequestContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let identity: AccountIdentity
    public let access: TenantAccess
    public let client: ClientAddress
    /// The spooled file and fields of an upload route (nil on every other route).
    let upload: Upload?

    public init(context: AppRequestContext) throws {
        // Not a member, not signed in, or no such organization: all look the same, so ids of other tenants reveal nothing.
        guard let identity = context.identity, let access = context.tenant else { throw AppError.notFound }
        self.coreContext = context.coreContext
        self.identity = identity
        self.access = access
        self.client = context.client
        self.upload = context.upload
    }

    public var maxUploadSize: Int { 64 * 1024 }

    public var responseEncoder: JSONEncoder { AppJSON.encoder }
}

extension TenantAccess {
    /// Runs `body` in the request's transaction (opened by the route, committed with it).
    func inTransaction<T>(_ body: (TenantTransaction) async throws -> T) async throws -> T {
        try await body(transaction)
    }

    /// Runs a report's, an export's or a list's reading `body` on the standby when this request
    /// may read it (`replica`), else in the request's transaction. The caller's role was checked
    /// on the primary either way.
    func reading<T: Sendable>(_ body: (TenantTransaction) async throws -> T) async throws -> T {
        guard let replica else { return try await body(transaction) }
        return try await replica.read(tenantID, actor: user.id, body) { try await body(transaction) }
    }
}
