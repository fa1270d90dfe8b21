import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An organization's exchange rates: the page, setting one, importing the ECB's file.
struct WebRateController: Sendable {
    let rates: RateService
    let organizations: OrganizationService
    let pages: PageRenderer
    let clock: AppClock

    struct RateForm: Decodable {
        var currency: String?
        var date: String?
        var rate: String?
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("rates", use: page)
        group.post("rates", use: set)
    }

    /// The import, on the group whose files are spooled before their transaction starts.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("rates/import", use: importFile)
    }

    @Sendable func page(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await render(context, notice: request.uri.queryParameters["notice"] == "rate-set" ? "Rate saved." : nil)
    }

    @Sendable func set(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(RateForm.self, from: request, context: context)
        do {
            _ = try await rates.set(
                context.access, .init(currency: form.currency ?? "", date: form.date ?? "", rate: form.rate ?? ""))
        } catch AppError.validation(let error) {
            var fields = RatesPage.SetForm(form)
            fields.show(error)
            return try await render(
                context, failure: "Some fields need attention.", form: fields, status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/rates?notice=rate-set")
    }

    @Sendable func importFile(_ request: Request, context: OrgRequestContext) async throws -> Response {
        do {
            let file = try Upload.requireFile(context.upload, limit: RateService.maximumFileBytes)
            let summary = try await rates.importFile(
                context.access, bytes: try await file.bytes(), filename: file.filename)
            // Shown here rather than after a redirect: its figures are this import's.
            return try await render(context, notice: RatesPage.sentence(summary))
        } catch let error as AppError where WebReceiptController.isAboutTheFile(error) {
            let message =
                if case .validation(let fields) = error, let first = fields.message(for: "file"),
                    context.upload?.file != nil || context.upload?.refusal != nil
                {
                    first
                } else if case .validation = error {
                    "Choose the ECB's eurofxref file (CSV or XML) first."
                } else {
                    error.detail
                }
            return try await render(context, fileError: message, status: error.status)
        }
    }

    private func render(
        _ context: OrgRequestContext, notice: String? = nil, failure: String? = nil,
        form: RatesPage.SetForm? = nil, fileError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let overview = try await rates.overview(access)
        let today = access.organization.today(at: clock.now())
        var page = RatesPage(
            title: "Exchange rates of \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .rates),
            base: access.organization.currency.code, canManage: access.role.can(.manageRates),
            newest: overview.newest.map(RatesPage.Row.init), recent: overview.recent.map(RatesPage.Row.init),
            waiting: overview.waiting.map {
                RatesPage.Waiting(
                    currency: $0.currency.code, count: $0.count == 1 ? "1 expense" : "\($0.count) expenses",
                    since: PageFormat.day($0.first))
            },
            form: form ?? RatesPage.SetForm(date: today.description), fileError: fileError,
            maxFile: "At most \(RateService.maximumFileBytes / 1024 / 1024) MB.")
        page.hasNewest = !page.newest.isEmpty
        page.hasRecent = !page.recent.isEmpty
        page.hasWaiting = !page.waiting.isEmpty
        return try pages.render(.rates, page, status: status)
    }
}
