import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The members page of an organization: its members, and for those who manage members the
/// pending invitations and the invitation form. Both the member and the invitation routes show it,
/// with what went wrong when a form post is refused.
struct MembersPageRenderer: Sendable {
    let members: MemberService
    let organizations: OrganizationService
    let pages: PageRenderer

    func render(
        _ context: OrgRequestContext,
        notice: String? = nil,
        failure: String? = nil,
        inviteEmail: String = "",
        inviteError: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let list = try await members.members(access)
        let canManage = access.role.can(.manageMembers)
        let invitations = canManage ? try await members.pendingInvitations(access) : []
        let csrf = context.csrfToken
        // Only controls that can work: the roles the membership rules let this caller give each
        // member (none for a sole owner's own row), removal and leaving where the rules allow.
        let owners = list.filter { $0.role == .owner }.count
        let rows = list.map { member in
            let isSelf = member.userID == access.user.id
            let roles = Role.allCases.filter { role in
                role == member.role
                    || (try? MembershipRules.checkRoleChange(
                        actor: access.role, current: member.role, new: role, owners: owners)) != nil
            }
            let removable =
                (try? MembershipRules.checkRemoval(
                    actor: access.role, target: member.role, isSelf: isSelf, owners: owners)) != nil
            return MembersPage.Row(
                userID: member.userID.description, name: member.name, email: member.email, role: member.role.rawValue,
                isSelf: isSelf,
                editable: canManage && roles.count > 1,
                removable: canManage && removable && !isSelf,
                roles: roles.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == member.role) }
            )
        }
        let canLeave =
            (try? MembershipRules.checkRemoval(actor: access.role, target: access.role, isSelf: true, owners: owners))
            != nil
        let page = MembersPage(
            title: "Members of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: csrf, tab: .members),
            selfID: access.user.id.description, canManage: canManage, canLeave: canLeave,
            mustVerify: access.user.emailVerifiedAt == nil,
            members: rows,
            invitations: invitations.map { invitation in
                .init(
                    id: invitation.id.description, email: invitation.email, role: invitation.role.rawValue,
                    expires: PageFormat.timestamp(invitation.expiresAt, in: access.organization.timeZone),
                    roles: Role.allCases.filter {
                        (try? MembershipRules.checkInvitation(actor: access.role, role: $0)) != nil
                    }.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == invitation.role) })
            },
            hasInvitations: !invitations.isEmpty,
            zone: access.organization.timeZone.name,
            inviteEmail: inviteEmail, inviteError: inviteError
        )
        return try pages.render(.members, page, status: status)
    }
}
