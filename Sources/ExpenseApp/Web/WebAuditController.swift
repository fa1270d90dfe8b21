import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An organization's audit log page: who did what, and what changed.
struct WebAuditController: Sendable {
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("audit", use: auditPage)
    }

    @Sendable func auditPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let entries = try await organizations.auditLog(access)
        let names = try await organizations.auditNames(access, for: entries)
        let page = AuditPage(
            title: "Audit log of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .audit),
            zone: access.organization.timeZone.name,
            entries: entries.map {
                .init(
                    when: PageFormat.timestamp($0.createdAt, in: access.organization.timeZone),
                    action: $0.action.rawValue,
                    sentence: AuditSentence.make($0, names: names)
                )
            }
        )
        return try pages.render(.audit, page)
    }
}
