import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The organizations themselves: the list and the create form, and one organization's settings,
/// transfer of ownership and deletion.
struct WebOrganizationController: Sendable {
    let organizations: OrganizationService
    let members: MemberService
    let receipts: ReceiptService
    let pages: PageRenderer

    typealias SettingsForm = OrganizationService.SettingsInput

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
        group.get("settings", use: settingsPage)
        group.post("settings", use: updateSettings)
        group.post("transfer", use: transfer)
        group.post("second-factor", use: secondFactorRule)
        group.post("delete", use: delete)
    }

    // MARK: List and create

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, let account = LayoutAccount(identity) else {
            return .redirect(to: "/login", type: .normal)
        }
        return try await listPage(
            identity: identity, csrf: account.csrf, form: nil, notice: Notice.text(request), status: .ok)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, let account = LayoutAccount(identity) else {
            return .redirect(to: "/login", type: .normal)
        }
        let form = try await FormBody.decode(SettingsForm.self, from: request, context: context)
        do {
            let organization = try await organizations.create(form, by: identity.user)
            return .seeOther("/orgs/\(organization.id)/members?notice=\(Notice.created.rawValue)")
        } catch AppError.validation(let error) {
            var page = OrganizationForm(
                name: form.name ?? "", kind: form.kind ?? "business", currency: form.currency ?? "",
                timezone: form.timeZone ?? "", weekStart: form.weekStart ?? "monday"
            )
            page.show(error)
            return try await listPage(identity: identity, csrf: account.csrf, form: page, status: .unprocessableContent)
        }
    }

    /// The list and the form for a new one; a fresh form starts from the creator's personal
    /// organization's currency, time zone and week start (what they most likely use).
    private func listPage(
        identity: AccountIdentity, csrf: String, form: OrganizationForm?, notice: String? = nil,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let list = try await organizations.list(for: identity.user)
        let personal = list.first { $0.0.kind == .personal }?.0
        let form =
            form
            ?? personal.map {
                OrganizationForm(
                    currency: $0.currency.code, timezone: $0.timeZone.name, weekStart: $0.weekStart.name)
            } ?? OrganizationForm()
        let account = try await LayoutAccount.load(identity, organizations: organizations)
        return try pages.render(
            .organizations,
            OrganizationsPage(
                account: account,
                notice: notice,
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

    // MARK: Settings, transfer, delete

    @Sendable func settingsPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderSettings(
            context, form: OrganizationForm(context.access.organization), notice: Notice.text(request))
    }

    @Sendable func updateSettings(_ request: Request, context: OrgRequestContext) async throws -> Response {
        var form = try await FormBody.decode(SettingsForm.self, from: request, context: context)
        form.amountsAsTyped = true
        do {
            _ = try await organizations.update(context.access, form)
        } catch AppError.validation(let error) {
            var page = OrganizationForm(
                name: form.name ?? "", kind: form.kind ?? "", currency: form.currency ?? "",
                timezone: form.timeZone ?? "", weekStart: form.weekStart ?? ""
            )
            page.receiptRequiredAbove = form.receiptRequiredAbove ?? ""
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

    struct SecondFactorForm: Decodable { var required: String? }

    /// The owner's rule that every member signs in with a second factor.
    @Sendable func secondFactorRule(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(SecondFactorForm.self, from: request, context: context)
        var input = OrganizationService.SettingsInput()
        input.requireSecondFactor = form.required == "on"
        do {
            _ = try await organizations.update(context.access, input)
        } catch AppError.conflict(let reason) {
            return try await renderSettings(
                context, form: OrganizationForm(context.access.organization), failure: reason, status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/settings?notice=saved")
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

    /// Storage used as people read it, with what is left.
    static func storageText(_ storage: (used: Int64, quota: Int64)) -> String {
        let share = storage.quota > 0 ? Double(storage.used) / Double(storage.quota) * 100 : 100
        let percent = storage.used > 0 && share < 1 ? "less than 1%" : "\(Int(min(share, 100).rounded()))%"
        return "Receipts take \(Receipt.sizeText(storage.used)) of the \(Receipt.sizeText(storage.quota)) "
            + "this organization may store (\(percent)); a file attached twice counts once."
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
            form: form, isOwner: access.role == .owner, requireSecondFactor: access.organization.requireSecondFactor,
            candidates: candidates, hasCandidates: !candidates.isEmpty,
            deleteError: deleteError,
            storage: Self.storageText(try await receipts.storage(access))
        )
        return try pages.render(.organizationSettings, page, status: status)
    }
}
