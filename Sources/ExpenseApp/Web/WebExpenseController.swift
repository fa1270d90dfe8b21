import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An organization's expense pages: list, add, edit, delete. The add and edit forms may carry
/// a receipt file.
struct WebExpenseController: Sendable {
    let expenses: ExpenseService
    let receipts: ReceiptService
    let claims: ClaimService
    let categories: CategoryService
    let members: MemberService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("expenses", use: list)
        group.get("expenses/new", use: newForm)
        group.get("expenses/:expenseId/edit", use: editForm)
        group.get("expenses/:expenseId/delete", use: confirmDelete)
        group.post("expenses/:expenseId/delete", use: delete)
    }

    /// The forms that may carry a receipt, on the group whose bodies are spooled.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("expenses", use: create)
        group.post("expenses/:expenseId", use: update)
    }

    // MARK: List

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let query = request.formQueryValues
        var form = FilterForm(
            from: query["from"] ?? "", to: query["to"] ?? "", q: query["q"] ?? "", tag: query["tag"] ?? "",
            minAmount: query["min_amount"] ?? "", maxAmount: query["max_amount"] ?? "")
        form.isOpen = [
            "from", "to", "q", "tag", "min_amount", "max_amount", "category_id", "member_id", "has_receipt",
        ].contains { !(query[$0] ?? "").isEmpty }
        form.receipts = [("", "Any"), ("true", "With a receipt"), ("false", "Missing receipt")].map {
            Choice(value: $0.0, label: $0.1, selected: (query["has_receipt"] ?? "") == $0.0)
        }
        let categoryList = try await categories.list(access)
        form.categories =
            [Choice(value: "", label: "Any category", selected: (query["category_id"] ?? "").isEmpty)]
            + categoryList.map {
                Choice(value: $0.id.description, label: $0.name, selected: query["category_id"] == $0.id.description)
            }
        form.members =
            [Choice(value: "", label: "Anyone", selected: (query["member_id"] ?? "").isEmpty)]
            + (try await members.members(access)).map {
                Choice(
                    value: $0.userID.description, label: $0.name, selected: query["member_id"] == $0.userID.description)
            }
        var rows: [Expense] = []
        var totals: [MoneyTotal] = []
        var next: String?
        var status = HTTPResponse.Status.ok
        do {
            let filter = try ExpenseQuery.filter(
                query, defaultCurrency: access.organization.currency, amountsAsTyped: true)
            let cursor = try query["cursor"].flatMap { $0.isEmpty ? nil : $0 }.map { token in
                try validating { try ExpenseCursor(token: token) }
            }
            let page = try await expenses.list(access, filter, cursor: cursor, limit: ExpenseService.defaultPageSize)
            rows = page.items
            // The whole set's totals on its first page only: the next pages show the same set.
            if cursor == nil { totals = try await expenses.totals(access, filter) }
            if let cursor = page.nextCursor {
                var nextQuery = query
                nextQuery["cursor"] = cursor.token
                next = "/orgs/\(access.tenantID)/expenses?" + QueryString.encode(nextQuery)
            }
        } catch AppError.validation(let error) {
            form.errors = PageFormat.messages(error)
            status = .unprocessableContent
        }
        var csvQuery = query
        csvQuery["cursor"] = nil
        let locked = try await claims.locked(access, among: rows)
        let page = ExpenseListPage(
            title: "Expenses of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: Notice.text(request),
            failure: status == .ok ? nil : "Some filters need attention.",
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .expenses),
            filter: form, rows: rows.map { ExpenseRow($0, access: access, locked: locked.contains($0.id)) },
            hasRows: !rows.isEmpty,
            summary: ExpenseListPage.summary(totals, filtered: form.isOpen), nextLink: next,
            csvLink: "/orgs/\(access.tenantID)/exports/expenses.csv?" + QueryString.encode(csvQuery))
        return try pages.render(.expenses, page, status: status)
    }

    // MARK: Add and edit

    /// The add form: today in the organization's currency, or, after "Save and add another",
    /// the date, currency and category of the expense just added (the next is often alike).
    @Sendable func newForm(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let blank = try expenses.newExpense(context.access)
        let query = request.formQueryValues
        var form = ExpenseForm(currency: query["currency"] ?? blank.currency, date: query["date"] ?? blank.date)
        form.categoryID = query["category_id"]
        return try await renderForm(context, form: form, expenseID: nil, notice: Notice.text(request))
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        var form = try await FormBody.decode(ExpenseForm.self, from: request, context: context)
        if let refused = refusedFile(context) {
            form.fileError = refused.detail
            return try await renderForm(
                context, form: form, expenseID: nil, failure: Self.notSaved, status: refused.status)
        }
        do {
            let created = try await expenses.create(context.access, try Self.input(form))
            if let file = context.upload?.file { _ = try await receipts.add(context.access, to: created.id, file) }
            if form.then == "another" {
                let next = QueryString.encode([
                    "notice": Notice.expenseAdded.rawValue, "date": created.date.description,
                    "currency": created.amount.currency.code, "category_id": created.categoryID?.description ?? "",
                ])
                return .seeOther("/orgs/\(context.access.tenantID)/expenses/new?" + next)
            }
        } catch AppError.validation(let error) {
            form.show(error)
            return try await renderForm(context, form: form, expenseID: nil, status: .unprocessableContent)
        } catch AppError.periodClosed(let through) {
            form.show(ValidationError("date", Self.closed(through, context)))
            return try await renderForm(
                context, form: form, expenseID: nil, failure: Self.closedNotSaved, status: .conflict)
        } catch AppError.quotaExceeded(let reason) {
            // Answered 409, so the expense logged just before rolls back with the refused file.
            form.fileError = reason
            return try await renderForm(context, form: form, expenseID: nil, failure: Self.notSaved, status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/expenses?notice=expense-added")
    }

    @Sendable func editForm(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let expense = try await expenses.findEditable(
            context.access, id: try context.parameters.id(ExpenseID.self, "expenseId"))
        return try await renderForm(context, form: ExpenseForm(expense), expenseID: expense.id, archived: expense)
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(ExpenseID.self, "expenseId")
        var form = try await FormBody.decode(ExpenseForm.self, from: request, context: context)
        if let refused = refusedFile(context) {
            form.fileError = refused.detail
            let current = try await expenses.findEditable(context.access, id: id)
            return try await renderForm(
                context, form: form, expenseID: id, archived: current, failure: Self.notSaved, status: refused.status)
        }
        do {
            var input = try Self.input(form)
            input.categoryGiven = true
            _ = try await expenses.update(
                context.access, id: id, input, ifMatch: form.version.flatMap { Int($0) } ?? -1)
            if let file = context.upload?.file { _ = try await receipts.add(context.access, to: id, file) }
        } catch AppError.quotaExceeded(let reason) {
            form.fileError = reason
            let current = try await expenses.find(context.access, id: id)
            return try await renderForm(
                context, form: form, expenseID: id, archived: current, failure: Self.notSaved, status: .conflict)
        } catch AppError.validation(let error) {
            form.show(error)
            let current = try await expenses.find(context.access, id: id)
            return try await renderForm(
                context, form: form, expenseID: id, archived: current, status: .unprocessableContent)
        } catch AppError.periodClosed(let through) {
            form.show(ValidationError("date", Self.closed(through, context)))
            let current = try await expenses.find(context.access, id: id)
            return try await renderForm(
                context, form: form, expenseID: id, archived: current, failure: Self.closedNotSaved, status: .conflict)
        } catch AppError.preconditionFailed {
            let current = try await expenses.find(context.access, id: id)
            return try await renderForm(
                context, form: ExpenseForm(current), expenseID: id, archived: current,
                failure: "Someone changed this expense while you were editing it. Here it is as it is now; "
                    + "make your change again.",
                status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/expenses?notice=expense-saved")
    }

    static let notSaved = "Nothing was saved: the receipt needs attention. Choose the file again after correcting it."

    static let closedNotSaved = "Nothing was saved: the books are closed for that date."

    /// Beside the date: why, and what can be done.
    static func closed(_ through: CalendarDate?, _ context: OrgRequestContext) -> String {
        let date = (through ?? context.access.organization.closedThrough).map(PageFormat.day) ?? "this date"
        return "The books are closed through \(date): use a later date, or ask an owner to reopen the period."
    }

    /// The error of a file the form sent that is no receipt, empty or too large; nil when the
    /// form sent a receipt or no file.
    private func refusedFile(_ context: OrgRequestContext) -> AppError? {
        context.upload?.refusal.map { Upload.error(for: $0, limit: receipts.limits.maxFileBytes) }
    }

    private func renderForm(
        _ context: OrgRequestContext, form: ExpenseForm, expenseID: ExpenseID?, archived: Expense? = nil,
        notice: String? = nil, failure: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        var form = form
        let list = try await categories.list(access)
        form.categories =
            [Choice(value: "", label: "No category", selected: (form.categoryID ?? "").isEmpty)]
            + list.filter { !$0.isArchived || $0.id == archived?.categoryID }.map {
                Choice(
                    value: $0.id.description, label: $0.name + ($0.isArchived ? " (archived)" : ""),
                    selected: $0.id.description == form.categoryID)
            }
        form.merchants = try await expenses.merchantSuggestions(access).map {
            ListOption(value: $0.merchant, label: $0.categoryName.map { "usually \($0)" } ?? "")
        }
        form.upload = ReceiptUploadField(maxBytes: receipts.limits.maxFileBytes)
        form.offerRate(base: access.organization.currency)
        let base = "/orgs/\(access.tenantID)/expenses"
        let page = ExpenseFormPage(
            title: expenseID == nil ? "Add an expense" : "Edit expense",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: notice,
            failure: failure ?? (status == .unprocessableContent ? "Some fields need attention." : nil),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .expenses),
            action: expenseID.map { "\(base)/\($0)" } ?? base,
            submitLabel: expenseID == nil ? "Add expense" : "Save changes", isNew: expenseID == nil, form: form,
            deleteLink: expenseID.map { "\(base)/\($0)/delete" })
        return try pages.render(.expenseForm, page, status: status)
    }

    // MARK: Delete

    @Sendable func confirmDelete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let access = context.access
        let expense = try await expenses.findEditable(
            access, id: try context.parameters.id(ExpenseID.self, "expenseId"))
        let page = ExpenseDeletePage(
            title: "Delete expense",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .expenses),
            expense: ExpenseRow(expense, access: access), version: expense.version)
        return try pages.render(.expenseDelete, page)
    }

    struct DeleteForm: Decodable { var version: String? }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(DeleteForm.self, from: request, context: context)
        let id = try context.parameters.id(ExpenseID.self, "expenseId")
        do {
            try await expenses.delete(context.access, id: id, ifMatch: form.version.flatMap { Int($0) } ?? -1)
        } catch AppError.preconditionFailed {
            return .seeOther("/orgs/\(context.access.tenantID)/expenses/\(id)/edit?notice=changed")
        }
        return .seeOther("/orgs/\(context.access.tenantID)/expenses?notice=expense-deleted")
    }

    // MARK: Helpers

    static func input(_ form: ExpenseForm) throws -> ExpenseInput {
        // Checked with the other fields by the draft, which keeps an edited expense's own tags.
        let tags = Tags.words(form.tags ?? "")
        var input = ExpenseInput(
            amount: form.amount ?? "", currency: form.currency, date: form.date ?? "",
            categoryID: form.categoryID ?? "", categoryGiven: true, merchant: form.merchant ?? "",
            note: form.note ?? "", tags: tags)
        input.amountAsTyped = true
        input.rate = form.rate
        // An unticked box sends nothing: the form always states who paid.
        input.reimbursable = form.companyCard == nil
        return input
    }
}
