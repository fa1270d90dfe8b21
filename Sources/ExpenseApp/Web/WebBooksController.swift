import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The Books page: close the books through a date, reopen them (owners, with a reason), see
/// every close and reopen, and check the audit log's hash chain.
struct WebBooksController: Sendable {
    let books: PeriodCloseService
    let organizations: OrganizationService
    let pages: PageRenderer

    struct CloseForm: Decodable {
        var through: String?
        var reason: String?
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("books", use: page)
        group.post("books/close", use: close)
        group.post("books/reopen", use: reopen)
    }

    @Sendable func page(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let notice: String? =
            switch request.uri.queryParameters["notice"] {
            case "closed": "The books are closed."
            case "reopened": "The books are reopened."
            default: nil
            }
        var check: BooksPage.Check?
        if request.uri.queryParameters["check"] != nil {
            check = BooksPage.Check(try await books.verify(context.access))
        }
        return try await render(context, notice: notice) { $0.check = check }
    }

    @Sendable func close(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(CloseForm.self, from: request, context: context)
        do {
            _ = try await books.close(context.access, through: form.through)
        } catch let error as AppError {
            return try await refused(error, context) {
                $0.closeDate = form.through ?? ""
                if case .validation(let fields) = error { $0.closeError = fields.message(for: "through") }
            }
        }
        return .seeOther("/orgs/\(context.access.tenantID)/books?notice=closed")
    }

    @Sendable func reopen(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(CloseForm.self, from: request, context: context)
        do {
            _ = try await books.reopen(context.access, through: form.through, reason: form.reason)
        } catch let error as AppError {
            return try await refused(error, context) {
                $0.reopenDate = form.through ?? ""
                $0.reopenReason = form.reason ?? ""
                if case .validation(let fields) = error {
                    $0.reopenDateError = fields.message(for: "through")
                    $0.reopenReasonError = fields.message(for: "reason")
                }
            }
        }
        return .seeOther("/orgs/\(context.access.tenantID)/books?notice=reopened")
    }

    /// The page again with the form as sent: fields' errors beside them (422), a refusal of the
    /// whole move (409) or of the role (403) said above.
    private func refused(
        _ error: AppError, _ context: OrgRequestContext, _ fill: (inout BooksPage) -> Void
    ) async throws -> Response {
        switch error {
        case .validation:
            return try await render(context, failure: "Some fields need attention.", status: error.status, fill)
        case .conflict(let reason):
            return try await render(context, failure: reason, status: error.status, fill)
        default:
            throw error
        }
    }

    private func render(
        _ context: OrgRequestContext, notice: String? = nil, failure: String? = nil,
        status: HTTPResponse.Status = .ok, _ fill: (inout BooksPage) -> Void = { _ in }
    ) async throws -> Response {
        let access = context.access
        let state = try await books.state(access)
        let zone = access.organization.timeZone
        let history = state.history.map { BooksPage.Row($0, zone: zone) }
        var page = BooksPage(
            title: "Books of \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .reports),
            closedThrough: state.closedThrough.map(PageFormat.day),
            canClose: access.role.can(.closeBooks),
            canReopen: access.role.can(.reopenBooks) && state.closedThrough != nil,
            canVerify: access.role.can(.verifyAuditLog), history: history, hasHistory: !history.isEmpty)
        fill(&page)
        return try pages.render(.books, page, status: status)
    }
}
