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
        let page = AuditPage(
            title: "Audit log of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .audit),
            zone: access.organization.timeZone.name,
            entries: entries.map {
                .init(
                    when: PageFormat.timestamp($0.createdAt, in: access.organization.timeZone),
                    who: $0.actorName ?? "someone",
                    action: $0.action.rawValue,
                    details: Self.describe($0.details)
                )
            }
        )
        return try pages.render(.audit, page)
    }

    /// `{"before":{"role":"member"},"after":{"role":"admin"}}` as `role: member → admin`, each
    /// value cut to its start when long (a 2,000-character note stays one line of the log).
    static func describe(_ details: AuditDetails?) -> String {
        let short = { (value: String) in PageFormat.excerpt(value, limit: 80) }
        guard case .change(let before, let after) = details else {
            guard case .facts(let facts) = details else { return "" }
            return facts.sorted { $0.key < $1.key }.map { "\($0.key): \(short($0.value))" }.joined(separator: ", ")
        }
        let keys = Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }
        return keys.map { key in
            switch (before[key].map(short), after[key].map(short)) {
            case (let old?, let new?): "\(key): \(old) → \(new)"
            case (nil, let new?): "\(key): \(new)"
            case (let old?, nil): "\(key) was \(old)"
            default: key
            }
        }.joined(separator: ", ")
    }
}
