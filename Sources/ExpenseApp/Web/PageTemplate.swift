/// The templates rendered as whole pages: one case per page file in `Resources/templates`, named
/// after the file (without `.mustache`). A page is rendered only through a case, so a name cannot
/// be mistyped, and `PageRenderer.load()` can refuse a bundle that lacks one of them.
///
/// The partials the pages include (`layout`, `bar-chart`, `organization-fields`,
/// `organization-tabs`) are never rendered by name and have no case.
enum PageTemplate: String, CaseIterable, Sendable {
    case acceptInvitation = "accept-invitation"
    case audit
    case categories
    case changePassword = "change-password"
    case dashboard
    case expenseDelete = "expense-delete"
    case expenseForm = "expense-form"
    case expenses
    case forgot
    case login
    case members
    case message
    case organizationDashboard = "org-dashboard"
    case organizationSettings = "organization-settings"
    case organizations
    case register
    case reports
    case reset
    case verify
}
