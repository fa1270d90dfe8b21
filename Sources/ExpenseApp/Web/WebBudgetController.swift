import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// The budgets pages: the list with each budget's current period and the form to set one up,
/// and a budget's own page with its last twelve periods, its form and deletion.
struct WebBudgetController: Sendable {
    let budgets: BudgetService
    let categories: CategoryService
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("budgets", use: list)
        group.post("budgets", use: create)
        group.get("budgets/:budgetId", use: show)
        group.post("budgets/:budgetId", use: update)
        group.post("budgets/:budgetId/delete", use: delete)
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderList(context, form: BudgetForm(), notice: Notice.text(request))
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(BudgetForm.self, from: request, context: context)
        do {
            _ = try await budgets.create(context.access, try validating { try form.input() })
        } catch AppError.validation(let error) {
            var shown = form
            shown.show(error)
            return try await renderList(
                context, form: shown, failure: "Some fields need attention.", status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/budgets?notice=budget-added")
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(BudgetID.self, "budgetId")
        return try await renderBudget(context, id: id, form: nil, notice: Notice.text(request))
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(BudgetForm.self, from: request, context: context)
        let id = try context.parameters.id(BudgetID.self, "budgetId")
        do {
            _ = try await budgets.update(context.access, id: id, try validating { try form.input() })
        } catch AppError.validation(let error) {
            var shown = form
            shown.show(error)
            return try await renderBudget(
                context, id: id, form: shown, failure: "Some fields need attention.", status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/budgets/\(id)?notice=budget-saved")
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await budgets.delete(context.access, id: try context.parameters.id(BudgetID.self, "budgetId"))
        return .seeOther("/orgs/\(context.access.tenantID)/budgets?notice=budget-deleted")
    }

    private func renderList(
        _ context: OrgRequestContext, form: BudgetForm, notice: String? = nil, failure: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let rows = try await budgets.list(access).map { BudgetRow($0, organization: access.tenantID) }
        var form = form
        form.offer(try await categories.list(access), base: access.organization.currency)
        let page = BudgetsPage(
            title: "Budgets of \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure, org: OrganizationChrome(access, csrf: context.csrfToken, tab: .budgets),
            base: access.organization.currency.code, budgets: rows, hasBudgets: !rows.isEmpty,
            canManage: access.role.can(.manageBudgets), form: form)
        return try pages.render(.budgets, page, status: status)
    }

    private func renderBudget(
        _ context: OrgRequestContext, id: BudgetID, form: BudgetForm?, notice: String? = nil,
        failure: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let view = try await budgets.find(access, id: id)
        let history = try await budgets.history(access, view.budget)
        var form = form ?? BudgetForm(view.budget)
        form.offer(try await categories.list(access), base: access.organization.currency)
        let page = BudgetPage(
            title: "\(view.budget.name) · Budgets of \(access.organization.name)",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure, org: OrganizationChrome(access, csrf: context.csrfToken, tab: .budgets),
            base: access.organization.currency.code, budget: BudgetRow(view, organization: access.tenantID),
            periods: history.reversed().map { BudgetBar($0, period: view.budget.period) },
            canManage: access.role.can(.manageBudgets), form: form)
        return try pages.render(.budget, page, status: status)
    }
}
