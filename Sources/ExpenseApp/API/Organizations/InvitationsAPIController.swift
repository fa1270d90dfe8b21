import ExpenseCore
import Foundation
import Hummingbird

/// The invitations one organization sends, and accepting one.
struct InvitationsAPIController: Sendable {
    let members: MemberService

    struct InviteRequest: JSONRequestBody {
        var email: String
        var role: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, role }
    }
    struct TokenRequest: JSONRequestBody {
        var token: String
        enum CodingKeys: String, CodingKey, CaseIterable { case token }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("invitations", use: invitations)
        group.post("invitations", use: invite)
        group.patch("invitations/:invitationId", use: changeRole)
        group.delete("invitations/:invitationId", use: revoke)
        group.post("invitations/:invitationId/resend", use: resend)
    }

    /// `POST /invitations/accept`, for any signed-in caller holding a token.
    func addAcceptRoute(to group: RouterGroup<AppRequestContext>) {
        group.post("invitations/accept", use: accept)
    }

    @Sendable func invitations(_ request: Request, context: OrgRequestContext) async throws -> ItemList<
        InvitationResponse
    > {
        ItemList(items: try await members.pendingInvitations(context.access).map(InvitationResponse.init))
    }

    @Sendable func invite(_ request: Request, context: OrgRequestContext) async throws -> EditedResponse<
        InvitationResponse
    > {
        let body = try await JSONBody.decode(InviteRequest.self, from: request, context: context)
        let invitation = try await members.invite(
            context.access, email: body.email, role: body.role, client: context.client)
        return .init(status: .created, response: InvitationResponse(invitation))
    }

    /// `PATCH /invitations/{id}` with `{role}`: the pending invitation offers another role.
    @Sendable func changeRole(_ request: Request, context: OrgRequestContext) async throws -> InvitationResponse {
        let body = try await JSONBody.decode(MembersAPIController.RoleRequest.self, from: request, context: context)
        let id = try context.parameters.id(InvitationID.self, "invitationId")
        let role = try validating { try Role.parse(body.role) }
        return InvitationResponse(try await members.changeInvitationRole(context.access, invitationID: id, to: role))
    }

    @Sendable func revoke(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(InvitationID.self, "invitationId")
        try await members.revoke(context.access, invitationID: id)
        return Response(status: .noContent)
    }

    @Sendable func resend(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(InvitationID.self, "invitationId")
        try await members.resend(context.access, invitationID: id)
        return Response(status: .accepted)
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> OrganizationResponse {
        let body = try await JSONBody.decode(TokenRequest.self, from: request, context: context)
        let user = try context.requireAccount().user
        let (organization, role) = try await members.accept(token: body.token, by: user)
        return OrganizationResponse(organization, role: role)
    }
}
