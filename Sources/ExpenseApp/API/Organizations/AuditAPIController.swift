import Hummingbird

/// `GET /orgs/{orgId}/audit`: an organization's audit log (owners and admins).
struct AuditAPIController: Sendable {
    let organizations: OrganizationService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("audit", use: list)
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<AuditEntryResponse> {
        ItemList(items: try await organizations.auditLog(context.access).map(AuditEntryResponse.init))
    }
}
