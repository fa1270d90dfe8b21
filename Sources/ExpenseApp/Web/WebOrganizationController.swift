import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The organization pages: list and create, members and invitations, settings.
struct WebOrganizationController: Sendable {
    let organizations: OrganizationService
    let members: MemberService
    let pages: PageRenderer

    typealias SettingsForm = OrganizationService.SettingsInput

    struct RoleForm: Decodable { var role: String? }
    struct InviteForm: Decodable {
        var email: String?
        var role: String?
    }
    struct TransferForm: Decodable {
        var userID: String?
        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }
    struct DeleteForm: Decodable {
        var confirmName: String?
        enum CodingKeys: String, CodingKey { case confirmName = "confirm_name" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("orgs", use: list)
        group.post("orgs", use: create)
    }

    func addOrganizationRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get { _, context in Response.redirect(to: "/orgs/\(context.access.tenantID)/dashboard", type: .normal) }
        group.get("members", use: membersPage)
        group.post("members/:userId/role", use: changeRole)
        group.post("members/:userId/remove", use: remove)
        group.post("invitations", use: invite)
        group.post("invitations/:invitationId/resend", use: resend)
        group.post("invitations/:invitationId/revoke", use: revoke)
        group.get("settings", use: settingsPage)
        group.post("settings", use: updateSettings)
        group.post("transfer", use: transfer)
        group.post("delete", use: delete)
    }

    // MARK: List and create

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, let account = LayoutAccount(identity) else {
            return .redirect(to: "/login", type: .normal)
        }
        return try await listPage(identity: identity, csrf: account.csrf, form: OrganizationForm(), status: .ok)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, let account = LayoutAccount(identity) else {
            return .redirect(to: "/login", type: .normal)
        }
        let form = try await FormBody.decode(SettingsForm.self, from: request, context: context)
        do {
            let organization = try await organizations.create(form, by: identity.user)
            return .seeOther("/orgs/\(organization.id)/members")
        } catch AppError.validation(let error) {
            var page = OrganizationForm(
                name: form.name ?? "", kind: form.kind ?? "business", currency: form.currency ?? "",
                timezone: form.timeZone ?? "", weekStart: form.weekStart ?? "monday"
            )
            page.show(error)
            return try await listPage(identity: identity, csrf: account.csrf, form: page, status: .unprocessableContent)
        }
    }

    private func listPage(identity: AccountIdentity, csrf: String, form: OrganizationForm, status: HTTPResponse.Status)
        async throws -> Response
    {
        let list = try await organizations.list(for: identity.user)
        let account = try await LayoutAccount.load(identity, organizations: organizations)
        return pages.render(
            "organizations",
            OrganizationsPage(
                account: account,
                failure: status == .ok ? nil : "Some fields need attention.",
                csrf: csrf,
                items: list.map {
                    .init(id: $0.0.id.description, name: $0.0.name, kind: $0.0.kind.rawValue, role: $0.1.rawValue)
                },
                form: form
            ),
            status: status
        )
    }

    // MARK: Members and invitations

    @Sendable func membersPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderMembers(context, notice: Notice.text(request))
    }

    @Sendable func changeRole(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RoleForm.self, from: request, context: context)
        let userID = try context.parameters.id(UserID.self, "userId")
        do {
            _ = try await members.changeRole(context.access, of: userID, to: form.role ?? "")
        } catch let error as AppError {
            return try await renderMembers(context, failure: error.detail, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=role-changed")
    }

    @Sendable func remove(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let userID = try context.parameters.id(UserID.self, "userId")
        do {
            try await members.remove(context.access, userID: userID)
        } catch let error as AppError {
            return try await renderMembers(context, failure: error.detail, status: error.status)
        }
        if userID == context.access.user.id { return .seeOther("/orgs?notice=left") }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=member-removed")
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
            return try await renderMembers(
                context, inviteEmail: form.email ?? "", inviteError: message, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=invited")
    }

    @Sendable func resend(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(InvitationID.self, "invitationId")
        do {
            try await members.resend(context.access, invitationID: id)
        } catch let error as AppError {
            return try await renderMembers(context, failure: error.detail, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=resent")
    }

    @Sendable func revoke(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await members.revoke(
            context.access, invitationID: try context.parameters.id(InvitationID.self, "invitationId"))
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=revoked")
    }

    private func renderMembers(
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
        let assignable: [Role] = access.role == .owner ? Role.allCases : Role.allCases.filter { $0 != .owner }
        let rows = list.map { member in
            MembersPage.Row(
                userID: member.userID.description, name: member.name, email: member.email, role: member.role.rawValue,
                isSelf: member.userID == access.user.id,
                editable: canManage && (access.role == .owner || member.role != .owner),
                roles: assignable.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == member.role) }
            )
        }
        let page = MembersPage(
            title: "Members of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: csrf, tab: .members),
            selfID: access.user.id.description, canManage: canManage, mustVerify: access.user.emailVerifiedAt == nil,
            members: rows,
            invitations: invitations.map {
                .init(
                    id: $0.id.description, email: $0.email, role: $0.role.rawValue,
                    expires: PageFormat.timestamp($0.expiresAt))
            },
            hasInvitations: !invitations.isEmpty,
            inviteEmail: inviteEmail, inviteError: inviteError
        )
        return pages.render("members", page, status: status)
    }

    // MARK: Settings, transfer, delete

    @Sendable func settingsPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderSettings(
            context, form: OrganizationForm(context.access.organization), notice: Notice.text(request))
    }

    @Sendable func updateSettings(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(SettingsForm.self, from: request, context: context)
        do {
            _ = try await organizations.update(context.access, form)
        } catch AppError.validation(let error) {
            var page = OrganizationForm(
                name: form.name ?? "", kind: form.kind ?? "", currency: form.currency ?? "",
                timezone: form.timeZone ?? "", weekStart: form.weekStart ?? ""
            )
            page.show(error)
            return try await renderSettings(
                context, form: page, failure: "Some fields need attention.", status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/settings?notice=saved")
    }

    @Sendable func transfer(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(TransferForm.self, from: request, context: context)
        guard let userID = form.userID.flatMap(UserID.init(uuidString:)) else { throw AppError.notFound }
        try await organizations.transferOwnership(context.access, to: userID)
        return .seeOther("/orgs/\(context.access.tenantID)/members?notice=transferred")
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(DeleteForm.self, from: request, context: context)
        do {
            try await organizations.delete(context.access, confirmName: form.confirmName ?? "")
        } catch AppError.validation(let error) {
            return try await renderSettings(
                context, form: OrganizationForm(context.access.organization),
                deleteError: error.message(for: "confirm_name"),
                status: .unprocessableContent
            )
        }
        return .seeOther("/orgs?notice=deleted")
    }

    private func renderSettings(
        _ context: OrgRequestContext,
        form: OrganizationForm,
        notice: String? = nil,
        failure: String? = nil,
        deleteError: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        var form = form
        form.readOnly = !access.role.can(.changeSettings)
        let candidates =
            access.role == .owner
            ? try await members.members(access).filter { $0.userID != access.user.id }
                .map {
                    OrganizationSettingsPage.Candidate(userID: $0.userID.description, name: $0.name, email: $0.email)
                }
            : []
        let page = OrganizationSettingsPage(
            title: "Settings of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .settings),
            form: form, isOwner: access.role == .owner, candidates: candidates, hasCandidates: !candidates.isEmpty,
            deleteError: deleteError
        )
        return pages.render("organization-settings", page, status: status)
    }
}
