import ExpenseCore
import Foundation
import Hummingbird

/// `/api/v1/orgs` and `/api/v1/orgs/{orgId}`: organizations and their settings.
struct OrganizationsAPIController: Sendable {
    let organizations: OrganizationService

    struct TransferRequest: JSONRequestBody {
        var userID: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case userID = "user_id"
        }
    }

    /// `POST /orgs` and `GET /orgs`, for any signed-in caller.
    func addCollectionRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(use: create)
        group.get(use: list)
    }

    /// Routes of one organization, for its members.
    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get(use: read)
        group.patch(use: update)
        group.delete(use: delete)
        group.post("transfer-ownership", use: transfer)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<
        OrganizationResponse
    > {
        let body = try await JSONBody.decode(OrganizationService.SettingsInput.self, from: request, context: context)
        let organization = try await organizations.create(body, by: try context.requireAccount().user)
        return .init(
            status: .created, headers: [.location: "/api/v1/orgs/\(organization.id)"],
            response: OrganizationResponse(organization, role: .owner)
        )
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ItemList<OrganizationResponse> {
        let identity = try context.requireAccount()
        let memberships = try await organizations.list(for: identity.user)
        // A token limited to one organization sees only that one.
        let limited = identity.limitedOrganization
        return ItemList(
            items: memberships.filter { limited == nil || $0.0.id == limited }.map {
                OrganizationResponse($0.0, role: $0.1)
            })
    }

    @Sendable func read(_ request: Request, context: OrgRequestContext) async throws -> OrganizationResponse {
        OrganizationResponse(context.access.organization, role: context.access.role)
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> OrganizationResponse {
        let body = try await JSONBody.decode(OrganizationService.SettingsInput.self, from: request, context: context)
        let updated = try await organizations.update(context.access, body)
        return OrganizationResponse(updated, role: context.access.role)
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await organizations.delete(context.access, confirmName: nil)
        return Response(status: .noContent)
    }

    @Sendable func transfer(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(TransferRequest.self, from: request, context: context)
        // A malformed id names no member: the same 422 as a stranger's id, never a 404, which
        // would say the organization of the address is missing.
        guard let userID = UserID(uuidString: body.userID) else {
            throw AppError.validation(ValidationError("user_id", "Choose a member of this organization."))
        }
        try await organizations.transferOwnership(context.access, to: userID)
        return Response(status: .noContent)
    }
}
