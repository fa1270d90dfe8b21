import ExpenseCore
import Foundation
import Hummingbird

/// An expense's own page with its receipts, and the receipts' files for a signed-in browser:
/// previews, "Add receipt" and "Remove". Everything here works without JavaScript.
struct WebReceiptController: Sendable {
    let expenses: ExpenseService
    let receipts: ReceiptService
    let claims: ClaimService
    let recurring: RecurringService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("expenses/:expenseId", use: show)
        group.get("receipts/:receiptId", use: file)
        group.post("receipts/:receiptId/delete", use: remove)
    }

    /// "Add receipt", on the group whose bodies are spooled.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("expenses/:expenseId/receipts", use: add)
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(ExpenseID.self, "expenseId")
        return try await render(context, id: id, notice: Notice.text(request))
    }

    @Sendable func add(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(ExpenseID.self, "expenseId")
        do {
            let file = try Upload.requireFile(context.upload, limit: receipts.limits.maxFileBytes)
            _ = try await receipts.add(context.access, to: id, file)
        } catch let error as AppError where Self.isAboutTheFile(error) {
            let message =
                if case .validation = error { "Choose the receipt's file (a photo or a PDF) first." } else {
                    error.detail
                }
            return try await render(context, id: id, fileError: message, status: error.status)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/expenses/\(id)?notice=receipt-added#receipts")
    }

    @Sendable func remove(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let receipt = try await receipts.remove(
            context.access, id: try context.parameters.id(ReceiptID.self, "receiptId"))
        return .seeOther(
            "/orgs/\(context.access.tenantID)/expenses/\(receipt.expenseID)?notice=receipt-removed#receipts")
    }

    @Sendable func file(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let receipt = try await receipts.find(
            context.access, id: try context.parameters.id(ReceiptID.self, "receiptId"))
        return ReceiptResponses.file(receipt, bytes: receipts.bytes(of: receipt, in: context.access), request: request)
    }

    /// The refusals the page answers beside the file field rather than as an error page.
    static func isAboutTheFile(_ error: AppError) -> Bool {
        switch error {
        case .fileTooLarge, .notAReceipt, .emptyFile, .quotaExceeded, .validation: true
        default: false
        }
    }

    private func render(
        _ context: OrgRequestContext, id: ExpenseID, notice: String? = nil, fileError: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let expense = try await expenses.find(access, id: id)
        var row = ExpenseRow(expense, access: access)
        let (claim, locked) = try await claims.holding(access, expense)
        // A submitted, approved or reimbursed claim's expense offers no change at all.
        row.editable = row.editable && !locked
        let attached = try await receipts.list(access, expense: id)
        let page = ExpenseDetailPage(
            title: row.merchantOrAmount,
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice,
            failure: fileError == nil ? nil : "The receipt was not attached.",
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .expenses),
            expense: row, fullNote: expense.note.isEmpty ? nil : expense.note,
            receipts: attached.map { ReceiptItem($0, organization: access.tenantID, removable: row.editable) },
            hasReceipts: !attached.isEmpty, fileError: fileError,
            upload: ReceiptUploadField(maxBytes: receipts.limits.maxFileBytes),
            claim: claim.map { ClaimMention($0, organization: access.tenantID, locks: locked) },
            recurringLink: try await recurringLink(expense, access), fromRecurring: expense.recurringID != nil)
        return try pages.render(.expense, page, status: status)
    }

    /// The page of the schedule that logged the expense, while it still exists.
    private func recurringLink(_ expense: Expense, _ access: TenantAccess) async throws -> String? {
        guard let id = expense.recurringID, (try? await recurring.find(access, id: id)) != nil else { return nil }
        return "/orgs/\(access.tenantID)/recurring/\(id)"
    }
}
