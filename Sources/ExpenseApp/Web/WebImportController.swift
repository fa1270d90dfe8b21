import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The Import page: a file, its format (and how a bank's CSV is laid out), a dry run to check
/// it first; then the import's own page, which refreshes itself while it runs and shows the
/// first rows as read, the counts, and every problem by row.
struct WebImportController: Sendable {
    let imports: ImportService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("imports", use: page)
        group.get("imports/:importId", use: show)
    }

    /// The start, on the group whose files are spooled before their transaction starts.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("imports", use: start)
    }

    @Sendable func page(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await render(context, form: ImportsPage.Form())
    }

    @Sendable func start(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = ImportsPage.Form(context.upload)
        do {
            let file = try Upload.requireFile(context.upload, limit: ImportService.maximumFileBytes)
            let record = try await imports.start(context.access, file: file, form.request)
            return .seeOther("/orgs/\(context.access.tenantID)/imports/\(record.id.uuidString.lowercased())")
        } catch let error as AppError {
            var form = form
            switch error {
            case .validation(let fields):
                form.show(fields, fileSent: context.upload?.file != nil)
            case .fileTooLarge, .notAReceipt, .emptyFile:
                form.fileError =
                    error == .notAReceipt ? "Choose a text file: CSV or OFX, saved as UTF-8." : error.detail
            default:
                throw error
            }
            return try await render(context, form: form, failure: "Nothing was imported.", status: error.status)
        }
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        guard let id = UUID(uuidString: context.parameters.get("importId") ?? "") else { throw AppError.notFound }
        let access = context.access
        let record = try await imports.find(access, id: id)
        let page = ImportPage(
            title: "Import · \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .expenses),
            record, zone: access.organization.timeZone)
        return try pages.render(.importResult, page)
    }

    private func render(
        _ context: OrgRequestContext, form: ImportsPage.Form, failure: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let history = try await imports.list(access)
        let page = ImportsPage(
            title: "Import expenses · \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            failure: failure, org: OrganizationChrome(access, csrf: context.csrfToken, tab: .expenses),
            canImport: access.role.can(.createExpenses), form: form,
            history: history.map { ImportsPage.Row($0, org: access.tenantID, zone: access.organization.timeZone) },
            hasHistory: !history.isEmpty, currency: access.organization.currency.code,
            maxFile: "At most \(ImportService.maximumFileBytes / 1024 / 1024) MB.")
        return try pages.render(.imports, page, status: status)
    }
}
