import ExpenseCore
import Foundation
import Hummingbird

/// Members of one organization.
struct MembersAPIController: Sendable {
    let members: MemberService

    struct RoleRequest: JSONRequestBody {
        var role: String
        enum CodingKeys: String, CodingKey, CaseIterable { case role }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("members", use: list)
        group.patch("members/:userId", use: changeRole)
        group.delete("members/:userId", use: remove)
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<MemberResponse> {
        ItemList(items: try await members.members(context.access).map(MemberResponse.init))
    }

    @Sendable func changeRole(_ request: Request, context: OrgRequestContext) async throws -> MemberResponse {
        let body = try await JSONBody.decode(RoleRequest.self, from: request, context: context)
        let userID = try context.parameters.id(UserID.self, "userId")
        let role = try validating { try Role.parse(body.role) }
        return MemberResponse(try await members.changeRole(context.access, of: userID, to: role))
    }

    @Sendable func remove(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let userID = try context.parameters.id(UserID.self, "userId")
        try await members.remove(context.access, userID: userID)
        return Response(status: .noContent)
    }
}
