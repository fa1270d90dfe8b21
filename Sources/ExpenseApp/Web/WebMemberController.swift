import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An organization's members: the members page, changing a member's role, removing a member
/// (or leaving).
struct WebMemberController: Sendable {
    let members: MemberService
    let membersPage: MembersPageRenderer

    struct RoleForm: Decodable { var role: String? }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("members", use: page)
        group.post("members/:userId/role", use: changeRole)
        group.post("members/:userId/remove", use: remove)
    }

    @Sendable func page(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await membersPage.render(context, notice: Notice.text(request))
    }

    @Sendable func changeRole(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RoleForm.self, from: request, context: context)
        let userID = try context.parameters.id(UserID.self, "userId")
        do {
            let role = try validating { try Role.parse(form.role ?? "") }
            _ = try await members.changeRole(context.access, of: userID, to: role)
        } catch let error as AppError {
            return try await membersPage.render(context, failure: error.detail, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=role-changed")
    }

    @Sendable func remove(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let userID = try context.parameters.id(UserID.self, "userId")
        do {
            try await members.remove(context.access, userID: userID)
        } catch let error as AppError {
            return try await membersPage.render(context, failure: error.detail, status: error.status)
        }
        if userID == context.access.user.id { return .seeOther("/orgs?notice=left") }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=member-removed")
    }
}
