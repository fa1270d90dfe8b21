import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird
import HummingbirdAuth

/// Runs each request of an `/orgs/{orgId}` route in one transaction on one pooled connection:
/// the caller and their role are resolved inside it, the handler runs inside it, and both
/// commit together. A response of 400 or more rolls it back, so a refused request leaves
/// nothing half-written, whoever turned the error into a response.
///
/// The request body is read before the connection is leased, so a slow client never holds one;
/// since the body is at hand (in memory, or for an upload in its spool file) and nothing outside
/// the transaction has happened, a transaction PostgreSQL aborts as a deadlock or a
/// serialization failure is simply run again.
struct TenantRequest: Sendable {
    let organizations: OrganizationService
    let accounts: AccountService
    /// The standby reports, exports and lists may read (`DATABASE_READ_URL`), if any.
    var replica: ReadReplica? = nil

    /// Writes lock the caller's membership row `FOR SHARE`: a demotion committed meanwhile
    /// waits for the write or is seen by it.
    static func isWrite(_ request: Request) -> Bool {
        ![.get, .head, .options].contains(request.method)
    }

    /// Reads the body into memory (up to the context's limit) before any database work. DELETE
    /// routes read no body, so none is collected for them.
    static func readBody(_ request: inout Request, context: AppRequestContext) async throws {
        if [.post, .put, .patch].contains(request.method) {
            _ = try await request.collectBody(upTo: context.maxUploadSize)
        }
    }

    /// How many times a request's transaction runs when PostgreSQL aborts it as a deadlock or a
    /// serialization failure (two owners changing members at once can deadlock on the owner
    /// rows they lock). After that the caller gets 503 with Retry-After.
    static let attempts = 3

    /// What the transaction ended with: a response to send, or a refusal to throw once it has
    /// ended (committed, so an expired token's revocation stays, or rolled back).
    enum Outcome: Sendable {
        case answered(Response)
        case refused(AppError)
    }

    /// Carries a response of 400 or more out of the transaction so that it rolls back.
    struct RollBack: Error {
        let response: Response
    }

    static func finish(_ body: () async throws -> Outcome) async throws -> Response {
        var outcome: Outcome?
        var attempt = 1
        while outcome == nil {
            do {
                outcome = try await body()
            } catch let rollBack as RollBack {
                return rollBack.response
            } catch StoreError.retryable where attempt < attempts {
                attempt += 1
            }
        }
        guard let outcome else { throw StoreError.retryable }
        switch outcome {
        case .answered(let response): return response
        case .refused(let error): throw error
        }
    }

    /// Reads the body of a write before the transaction: into memory for a route that takes a
    /// small body, or, for an upload route (`uploads` set), streamed to a spool file while it is
    /// checked (`UploadReader`), so a slow upload never holds a connection and no file is held
    /// in memory. The spool is removed once `body` has answered.
    static func withBody(
        _ request: Request, _ context: AppRequestContext, uploads: UploadReader?,
        beforeSpooling: () async throws -> Void,
        _ body: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        // A form sent without a file (urlencoded) is read like any other small body.
        let isPlainForm = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded")
        guard let uploads, request.method == .post, isPlainForm != true else {
            var bodyRead = request
            try await readBody(&bodyRead, context: context)
            return try await body(bodyRead, context)
        }
        try await beforeSpooling()
        var context = context
        let upload = try await uploads.read(request)
        context.upload = upload
        do {
            let response = try await body(request, context)
            await upload.remove()
            return response
        } catch {
            await upload.remove()
            throw error
        }
    }

    /// Refuses an upload before its body is read, in a short read-only transaction of its own:
    /// 404 unless `user` is a member and the route's expense (`expenseId`) exists, 403 unless
    /// the role may change that expense (or, with no expense, has `permission`). So only someone whose
    /// file the route would take makes the server spool one; the request's own transaction
    /// decides again.
    func checkUploader(
        _ context: AppRequestContext, organization id: OrganizationID, user: UserID, permission: Permission
    ) async throws {
        let expense = try context.parameters.get("expenseId").map { raw in
            guard let expense = ExpenseID(uuidString: raw) else { throw AppError.notFound }
            return expense
        }
        let store = organizations.store
        try await store.withTenant(id, actor: user) { tx in
            guard let (_, role) = try await store.organizations.findWithRole(tx, user: user, lockingMembership: false)
            else { throw AppError.notFound }
            let allowed: Bool
            if let expense {
                guard let found = try await store.expenses.find(tx, id: expense) else { throw AppError.notFound }
                allowed = role.mayChange(expenseBy: found.memberID, actor: user)
            } else {
                allowed = role.can(permission)
            }
            guard allowed else { throw AppError.forbidden("Your role (\(role.rawValue)) does not allow this.") }
        }
    }

    /// Runs the handler with `access` in `context`, answering through `RollBack` on a failure.
    static func run(
        _ request: Request, _ context: AppRequestContext, access: TenantAccess,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Outcome {
        var context = context
        context.tenant = access
        let response = try await next(request, context)
        if response.status.code >= 400 { throw RollBack(response: response) }
        return .answered(response)
    }
}

/// The API's organization routes: the bearer token, its user, the organization and the role
/// are read in the request's transaction (two statements after `BEGIN`).
struct BearerTenantResolver: RouterMiddleware {
    typealias Context = AppRequestContext
    let tenant: TenantRequest
    /// Set on the group of upload routes: their bodies are spooled, not collected.
    var uploads: UploadReader?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let bearer = request.headers.bearer, SecretToken.isWellFormed(bearer.token) else {
            throw AppError.unauthenticated
        }
        // Not an organization id at all: still 401 for a bad token, else the same 404 as someone
        // else's organization: a stranger learns nothing of which ids exist.
        guard let id = context.parameters.get("orgId").flatMap(OrganizationID.init(uuidString:)) else {
            guard try await tenant.accounts.identity(bearerToken: bearer.token) != nil else {
                throw AppError.unauthenticated
            }
            throw AppError.notFound
        }
        let lock = TenantRequest.isWrite(request)
        let accounts = tenant.accounts
        let tenant = self.tenant
        // An upload is spooled only for a live token of a member (the transaction below checks
        // both again).
        let beforeSpooling = {
            guard let caller = try await accounts.identity(bearerToken: bearer.token) else {
                throw AppError.unauthenticated
            }
            if let limited = caller.personalToken?.organizationID, limited != id { throw AppError.notFound }
            try caller.requireScope(forWrite: true)
            try await tenant.checkUploader(
                context, organization: id, user: caller.user.id, permission: uploads?.permission ?? .createExpenses)
        }
        return try await TenantRequest.withBody(request, context, uploads: uploads, beforeSpooling: beforeSpooling) {
            request, context in
            try await TenantRequest.finish {
                try await accounts.store.withTenant(id, bearerTokenHash: SecretToken.hash(bearer.token)) { found, tx in
                    guard let identity = try await accounts.identity(bearer: found, in: tx) else {
                        return .refused(.unauthenticated)
                    }
                    // A token limited to another organization finds this one as a stranger would.
                    if let limited = identity.personalToken?.organizationID, limited != id {
                        return .refused(.notFound)
                    }
                    do {
                        try identity.requireScope(forWrite: lock)
                    } catch let error as AppError {
                        return .refused(error)
                    }
                    guard
                        let (organization, role) = try await accounts.store.organizations.findWithRole(
                            tx, user: identity.user.id, lockingMembership: lock)
                    else { return .refused(.notFound) }
                    if organization.requireSecondFactor, !identity.user.secondFactorEnabled {
                        return .refused(.secondFactorEnrolmentRequired)
                    }
                    var context = context
                    context.identity = identity
                    var access = TenantAccess(
                        organization: organization, role: role, user: identity.user, transaction: tx)
                    access.replica = tenant.replica?.forRequest(request)
                    return try await TenantRequest.run(request, context, access: access, next: next)
                }
            }
        }
    }
}

/// The pages' organization routes: the session was found before (the CSRF check needs it);
/// the organization and the role are read in the request's transaction.
struct SessionTenantResolver: RouterMiddleware {
    typealias Context = AppRequestContext
    let tenant: TenantRequest
    /// Set on the group of upload routes: their bodies are spooled, not collected.
    var uploads: UploadReader?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let identity = context.identity,
            let id = context.parameters.get("orgId").flatMap(OrganizationID.init(uuidString:))
        else { throw AppError.notFound }
        let lock = TenantRequest.isWrite(request)
        let store = tenant.organizations.store
        let tenant = self.tenant
        return try await TenantRequest.withBody(
            request, context, uploads: uploads,
            beforeSpooling: {
                try await tenant.checkUploader(
                    context, organization: id, user: identity.user.id,
                    permission: uploads?.permission ?? .createExpenses)
            }
        ) { request, context in
            try await TenantRequest.finish {
                try await store.withTenant(id, actor: identity.user.id) { tx in
                    guard
                        let (organization, role) = try await store.organizations.findWithRole(
                            tx, user: identity.user.id, lockingMembership: lock)
                    else { return .refused(.notFound) }
                    // The pages lead a member the organization's rule stops to setting it up.
                    if organization.requireSecondFactor, !identity.user.secondFactorEnabled {
                        return .answered(.redirect(to: "/settings/security?required=1", type: .normal))
                    }
                    var access = TenantAccess(
                        organization: organization, role: role, user: identity.user, transaction: tx)
                    access.replica = tenant.replica?.forRequest(request)
                    return try await TenantRequest.run(request, context, access: access, next: next)
                }
            }
        }
    }
}
