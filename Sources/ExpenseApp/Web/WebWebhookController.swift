import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `/orgs/{orgId}/webhooks`: owners and admins add endpoints (the signing secret shown once),
/// turn them off and on, send a test event, remove them, and read each one's deliveries.
struct WebWebhookController: Sendable {
    let webhooks: WebhookService
    let organizations: OrganizationService
    let pages: PageRenderer

    struct EndpointForm: Decodable {
        var url: String?
        var description: String?
        var events: [String]?
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("webhooks", use: list)
        group.post("webhooks", use: create)
        group.get("webhooks/:webhookId", use: show)
        group.post("webhooks/:webhookId/enable", use: enable)
        group.post("webhooks/:webhookId/disable", use: disable)
        group.post("webhooks/:webhookId/test", use: test)
        group.post("webhooks/:webhookId/delete", use: delete)
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderList(context) { $0.notice = Notice.text(request) }
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(EndpointForm.self, from: request, context: context)
        let input = WebhookService.Input(url: form.url ?? "", description: form.description, events: form.events ?? [])
        do {
            let (_, secret) = try await webhooks.create(context.access, input)
            return try await renderList(context) { page in
                page.newSecret = secret
                page.notice = "Endpoint added. Copy its signing secret now: it is not shown again."
            }
        } catch AppError.validation(let error) {
            return try await renderList(context, status: .unprocessableContent) { page in
                page.failure = "Some fields need attention."
                page.url = form.url ?? ""
                page.description = form.description ?? ""
                page.urlError = error.message(for: "url")
                page.eventsError = error.message(for: "events")
                page.choices = page.choices.map {
                    .init(value: $0.value, checked: form.events?.contains($0.value) ?? false)
                }
            }
        } catch AppError.conflict(let reason) {
            return try await renderList(context, status: .conflict) { $0.failure = reason }
        }
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderEndpoint(context, id: try context.parameters.uuid("webhookId"), notice: Notice.text(request))
    }

    @Sendable func enable(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await setEnabled(true, context)
    }

    @Sendable func disable(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await setEnabled(false, context)
    }

    func setEnabled(_ enabled: Bool, _ context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("webhookId")
        _ = try await webhooks.update(context.access, id: id, .init(enabled: enabled))
        let notice: Notice = enabled ? .webhookEnabled : .webhookDisabled
        return .seeOther(
            "/orgs/\(context.access.tenantID)/webhooks/\(id.uuidString.lowercased())?notice=\(notice.rawValue)")
    }

    @Sendable func test(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("webhookId")
        do {
            try await webhooks.sendTest(context.access, id: id)
        } catch AppError.conflict(let reason) {
            return try await renderEndpoint(context, id: id, failure: reason, status: .conflict)
        }
        return .seeOther(
            "/orgs/\(context.access.tenantID)/webhooks/\(id.uuidString.lowercased())?notice=\(Notice.webhookTestQueued.rawValue)"
        )
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await webhooks.delete(context.access, id: try context.parameters.uuid("webhookId"))
        return .seeOther("/orgs/\(context.access.tenantID)/webhooks?notice=\(Notice.webhookDeleted.rawValue)")
    }

    func renderList(
        _ context: OrgRequestContext, status: HTTPResponse.Status = .ok, _ change: (inout WebhooksPage) -> Void
    ) async throws -> Response {
        let access = context.access
        let endpoints = try await webhooks.list(access)
        var page = WebhooksPage(
            title: "Webhooks of \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .webhooks),
            endpoints: endpoints.map(WebhooksPage.row), hasEndpoints: !endpoints.isEmpty,
            choices: WebhookEventType.subscribable.map { .init(value: $0.rawValue, checked: false) })
        change(&page)
        var response = try pages.render(.webhooks, page, status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func renderEndpoint(
        _ context: OrgRequestContext, id: UUID, notice: String? = nil, failure: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let endpoint = try await webhooks.find(access, id: id)
        let deliveries = try await webhooks.deliveries(access, id: id)
        let page = WebhookPage(
            title: "Webhook \(endpoint.url)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .webhooks),
            endpoint: WebhooksPage.row(endpoint),
            deliveries: deliveries.map { WebhookPage.delivery($0, zone: access.organization.timeZone) },
            hasDeliveries: !deliveries.isEmpty, zone: access.organization.timeZone.identifier)
        return try pages.render(.webhook, page, status: status)
    }
}
