import ExpenseCore
import Foundation
import Hummingbird

/// The organization a request works in and the caller's role there, resolved once per request.
public struct TenantAccess: Sendable {
    public var organization: Organization
    public var role: Role
    public var user: User

    public var tenantID: TenantID { organization.id }

    /// Throws 403 unless the role has `permission` (SECURITY T4: one table decides).
    public func require(_ permission: Permission) throws {
        guard role.can(permission) else {
            throw AppError.forbidden("Your role (\(role.rawValue)) does not allow this.")
        }
    }
}

/// The context of every route under `/orgs/{orgId}`: it exists only once the caller is signed
/// in and a member of that organization, so a handler that takes it cannot forget the check
/// (Hummingbird's `ChildRequestContext`; STYLE.md item 5).
public struct OrgRequestContext: ChildRequestContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let identity: AccountIdentity
    public let access: TenantAccess
    public let clientIP: String

    public init(context: AppRequestContext) throws {
        // Not a member, not signed in, or no such organization: all look the same (SECURITY T3).
        guard let identity = context.identity, let access = context.tenant else { throw AppError.notFound }
        self.coreContext = context.coreContext
        self.identity = identity
        self.access = access
        self.clientIP = context.clientIP
    }

    public var maxUploadSize: Int { 64 * 1024 }

    public var responseEncoder: JSONEncoder { AppJSON.encoder }
}

/// Resolves `:orgId` into `context.tenant` for a signed-in member; leaves it nil otherwise.
struct TenantResolver: RouterMiddleware {
    typealias Context = AppRequestContext
    let organizations: OrganizationService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let identity = context.identity,
            let id = context.parameters.get("orgId").flatMap(OrganizationID.init(uuidString:))
        {
            context.tenant = try await organizations.access(to: id, for: identity.user)
        }
        return try await next(request, context)
    }
}
