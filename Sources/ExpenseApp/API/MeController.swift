import ExpenseCore
import Foundation
import Hummingbird

/// `GET /api/v1/me`: the caller and their memberships.
struct MeController: Sendable {
    let accounts: AccountService

    struct MeResponse: ResponseEncodable {
        struct MembershipItem: Encodable {
            var organizationID: String
            var name: String
            var kind: OrganizationKind
            var role: Role

            enum CodingKeys: String, CodingKey {
                case name, kind, role
                case organizationID = "organization_id"
            }
        }

        var user: UserResponse
        var memberships: [MembershipItem]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("me", use: me)
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> MeResponse {
        let identity = try context.requireAccount()
        let (user, memberships) = try await accounts.profile(of: identity.user.id)
        // A token limited to one organization sees only that membership.
        let limited = identity.limitedOrganization
        return MeResponse(
            user: UserResponse(user),
            memberships: memberships.filter { limited == nil || $0.0.id == limited }.map { organization, role in
                .init(
                    organizationID: organization.id.description, name: organization.name, kind: organization.kind,
                    role: role)
            }
        )
    }
}
