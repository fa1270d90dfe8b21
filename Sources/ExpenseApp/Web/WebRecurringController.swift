import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The recurring-expense pages: the list and the form to set one up, and a schedule's page
/// with its form, pause or resume, and deletion.
struct WebRecurringController: Sendable {
    let recurring: RecurringService
    let categories: CategoryService
    let organizations: OrganizationService
    let pages: PageRenderer
    let clock: AppClock

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("recurring", use: list)
        group.post("recurring", use: create)
        group.get("recurring/:recurringId", use: show)
        group.post("recurring/:recurringId", use: update)
        group.post("recurring/:recurringId/pause", use: pause)
        group.post("recurring/:recurringId/resume", use: resume)
        group.post("recurring/:recurringId/delete", use: delete)
    }

    static let notices = [
        "recurring-added": "Recurring expense set up. Each occurrence is logged as an expense when it falls due.",
        "recurring-saved": "Recurring expense saved. Occurrences already logged keep what they had.",
        "recurring-paused": "Paused: nothing is logged until you resume it.",
        "recurring-resumed": "Resumed from today; the days it was paused are not logged.",
        "recurring-deleted": "Recurring expense deleted. The expenses it logged stay.",
    ]

    static func notice(_ request: Request) -> String? {
        request.uri.queryParameters["notice"].flatMap { notices[String($0)] }
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let form = RecurringForm(
            currency: access.organization.currency.code, today: access.organization.today(at: clock.now()))
        return try await renderList(context, form: form, notice: Self.notice(request))
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RecurringForm.self, from: request, context: context)
        do {
            _ = try await recurring.create(context.access, try validating { try form.input() })
        } catch AppError.validation(let error) {
            var shown = form
            shown.show(error)
            return try await renderList(
                context, form: shown, failure: "Some fields need attention.", status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/recurring?notice=recurring-added")
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderSchedule(context, id: try Self.id(context), form: nil, notice: Self.notice(request))
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RecurringForm.self, from: request, context: context)
        let id = try Self.id(context)
        do {
            _ = try await recurring.update(context.access, id: id, try validating { try form.input() })
        } catch AppError.validation(let error) {
            var shown = form
            shown.show(error)
            return try await renderSchedule(
                context, id: id, form: shown, failure: "Some fields need attention.", status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/recurring/\(id)?notice=recurring-saved")
    }

    @Sendable func pause(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try Self.id(context)
        _ = try await recurring.setPaused(context.access, id: id, true)
        return .seeOther("/orgs/\(context.access.tenantID)/recurring/\(id)?notice=recurring-paused")
    }

    @Sendable func resume(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try Self.id(context)
        _ = try await recurring.setPaused(context.access, id: id, false)
        return .seeOther("/orgs/\(context.access.tenantID)/recurring/\(id)?notice=recurring-resumed")
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await recurring.delete(context.access, id: try Self.id(context))
        return .seeOther("/orgs/\(context.access.tenantID)/recurring?notice=recurring-deleted")
    }

    static func id(_ context: OrgRequestContext) throws -> RecurringID {
        try context.parameters.id(RecurringID.self, "recurringId")
    }

    private func renderList(
        _ context: OrgRequestContext, form: RecurringForm, notice: String? = nil, failure: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let rows = try await recurring.list(access).map { RecurringRow($0, access: access) }
        var form = form
        form.offer(try await categories.list(access))
        let page = RecurringListPage(
            title: "Recurring expenses of \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .recurring), schedules: rows,
            hasSchedules: !rows.isEmpty, form: form)
        return try pages.render(.recurring, page, status: status)
    }

    private func renderSchedule(
        _ context: OrgRequestContext, id: RecurringID, form: RecurringForm?, notice: String? = nil,
        failure: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let schedule = try await recurring.find(access, id: id)
        let count = try await recurring.occurrences(access, id: id)
        var form = form ?? RecurringForm(schedule)
        form.offer(try await categories.list(access))
        var page = RecurringPage(
            title: "Recurring expense · \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .recurring),
            schedule: RecurringRow(schedule, access: access),
            written: count == 1 ? "1 expense logged so far" : "\(count) expenses logged so far", form: form)
        if let last = schedule.lastSkippedOn, schedule.skippedCount > 0 {
            let count = schedule.skippedCount
            page.skipped =
                (count == 1 ? "1 occurrence" : "\(count) occurrences")
                + " fell in a closed period and \(count == 1 ? "was" : "were") not logged, the last on \(PageFormat.day(last))."
        }
        return try pages.render(.recurringSchedule, page, status: status)
    }
}
