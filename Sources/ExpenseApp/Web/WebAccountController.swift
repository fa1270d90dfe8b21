import ExpenseCore
import ExpenseStore
import Hummingbird

/// The start page (the current organization's dashboard) and the account overview.
struct WebAccountController: Sendable {
    let accounts: AccountService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("", use: home)
        router.get("dashboard", use: dashboard)
    }

    /// Signed in: the dashboard of the organization they land in (see
    /// `OrganizationService.landing`), passing a notice along; otherwise the login page.
    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        let remembered = request.cookies[CurrentOrganization.cookieName].flatMap {
            OrganizationID(uuidString: $0.value)
        }
        guard let current = try await organizations.landing(for: identity.user, remembered: remembered) else {
            return .redirect(to: "/orgs", type: .normal)
        }
        let notice = request.uri.queryParameters["notice"].flatMap { Notice(rawValue: String($0)) }
        return .redirect(
            to: "/orgs/\(current.id)/dashboard" + (notice.map { "?notice=\($0.rawValue)" } ?? ""), type: .normal)
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity,
            let account = try await LayoutAccount.load(identity, organizations: organizations)
        else {
            return .redirect(to: "/login", type: .normal)
        }
        let (user, memberships) = try await accounts.profile(of: identity.user.id)
        let notice = Notice.text(request)
        return try pages.render(
            .dashboard,
            DashboardPage(
                account: account,
                notice: notice,
                name: user.name,
                organizations: memberships.map { .init(id: $0.0.id.description, name: $0.0.name, role: $0.1.rawValue) }
            )
        )
    }
}
