import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The invitations an organization sends: inviting someone, resending and revoking an invitation.
/// They are listed on the members page, which shows a refused invitation too. The invitee's side
/// (opening and accepting the emailed link) is `WebInvitationController`.
struct WebOrganizationInvitationController: Sendable {
    let members: MemberService
    let membersPage: MembersPageRenderer

    struct InviteForm: Decodable {
        var email: String?
        var role: String?
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("invitations", use: invite)
        group.post("invitations/:invitationId/resend", use: resend)
        group.post("invitations/:invitationId/revoke", use: revoke)
        group.post("invitations/:invitationId/role", use: changeRole)
    }

    struct RoleForm: Decodable {
        var role: String?
    }

    @Sendable func changeRole(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RoleForm.self, from: request, context: context)
        let id = try context.parameters.id(InvitationID.self, "invitationId")
        do {
            let role = try validating { try Role.parse(form.role ?? "") }
            _ = try await members.changeInvitationRole(context.access, invitationID: id, to: role)
        } catch let error as AppError {
            return try await membersPage.render(context, failure: error.detail, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=invitation-role-changed")
    }

    @Sendable func invite(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(InviteForm.self, from: request, context: context)
        do {
            _ = try await members.invite(
                context.access, email: form.email ?? "", role: form.role ?? "", client: context.client)
        } catch let error as AppError {
            var message = error.detail
            if case .validation(let validation) = error {
                message = validation.fields.map(\.message).joined(separator: " ")
            }
            return try await membersPage.render(
                context, inviteEmail: form.email ?? "", inviteError: message, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=invited")
    }

    @Sendable func resend(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(InvitationID.self, "invitationId")
        do {
            try await members.resend(context.access, invitationID: id)
        } catch let error as AppError {
            return try await membersPage.render(context, failure: error.detail, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=resent")
    }

    @Sendable func revoke(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await members.revoke(
            context.access, invitationID: try context.parameters.id(InvitationID.self, "invitationId"))
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=revoked")
    }
}
