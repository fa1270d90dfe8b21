/// The templates rendered as whole pages: one case per page file in `Resources/templates`, named
/// after the file (without `.mustache`). A page is rendered only through a case, so a name cannot
/// be mistyped, and `PageRenderer.load()` can refuse a bundle that lacks one of them.
///
/// The partials the pages include are never rendered by name and have no case; they are listed
/// in `partials` so that the same check finds them missing.
enum PageTemplate: String, CaseIterable, Sendable {
    case acceptInvitation = "accept-invitation"
    case apiDocs = "api-docs"
    case audit
    case books
    case budget
    case budgets
    case categories
    case changePassword = "change-password"
    case claim
    case claims
    case dashboard
    case expense
    case expenseDelete = "expense-delete"
    case expenseForm = "expense-form"
    case expenses
    case forgot
    case importResult = "import-result"
    case imports
    case login
    case loginCode = "login-code"
    case members
    case message
    case organizationDashboard = "org-dashboard"
    case organizationSettings = "organization-settings"
    case organizations
    case rates
    case recurring
    case recurringSchedule = "recurring-schedule"
    case register
    case security
    case reports
    case reset
    case verify
    case webhook
    case webhooks

    /// The templates the pages include (`{{>name}}` or `{{<name}}`).
    static let partials = [
        "api-field", "bar-chart", "budget-bar", "budget-fields", "claim-choices", "recurring-fields", "claim-expenses",
        "layout",
        "organization-fields",
        "organization-tabs",
    ]
}
