import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An organization's categories: the page, adding, renaming, archiving, restoring and deleting one.
struct WebCategoryController: Sendable {
    let categories: CategoryService
    let organizations: OrganizationService
    let pages: PageRenderer

    struct NameForm: Decodable { var name: String? }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("categories", use: categoriesPage)
        group.post("categories", use: createCategory)
        group.post("categories/:categoryId", use: renameCategory)
        group.post("categories/:categoryId/archive", use: archiveCategory)
        group.post("categories/:categoryId/restore", use: restoreCategory)
        group.post("categories/:categoryId/delete", use: deleteCategory)
    }

    @Sendable func categoriesPage(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderCategories(context, notice: Notice.text(request))
    }

    @Sendable func createCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(NameForm.self, from: request, context: context)
        do {
            _ = try await categories.create(context.access, name: form.name ?? "")
        } catch AppError.validation(let error) {
            return try await renderCategories(
                context, newName: form.name ?? "", nameError: error.message(for: "name"), status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/categories?notice=category-added")
    }

    @Sendable func renameCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(NameForm.self, from: request, context: context)
        return try await change(context, .init(name: form.name ?? ""), notice: "category-saved")
    }

    @Sendable func archiveCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await change(context, .init(archived: true), notice: "category-archived")
    }

    @Sendable func restoreCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await change(context, .init(archived: false), notice: "category-restored")
    }

    @Sendable func deleteCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        do {
            try await categories.delete(context.access, id: try context.parameters.id(CategoryID.self, "categoryId"))
        } catch AppError.conflict(let reason) {
            return try await renderCategories(context, failure: reason, status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/categories?notice=category-deleted")
    }

    private func change(_ context: OrgRequestContext, _ change: CategoryService.Change, notice: String) async throws
        -> Response
    {
        do {
            _ = try await categories.update(
                context.access, id: try context.parameters.id(CategoryID.self, "categoryId"), change)
        } catch AppError.validation(let error) {
            return try await renderCategories(
                context, failure: error.fields.map(\.message).joined(separator: " "), status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/categories?notice=\(notice)")
    }

    private func renderCategories(
        _ context: OrgRequestContext, notice: String? = nil, failure: String? = nil, newName: String = "",
        nameError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let list = try await categories.list(access)
        let rows = list.map { CategoriesPage.Row(id: $0.id.description, name: $0.name, archived: $0.isArchived) }
        let archived = rows.filter(\.archived)
        let page = CategoriesPage(
            title: "Categories of \(access.organization.name)",
            account: try await LayoutAccount.load(
                context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure,
            org: OrganizationChrome(access, csrf: context.csrfToken, tab: .categories),
            active: rows.filter { !$0.archived }, archived: archived, hasArchived: !archived.isEmpty,
            newName: newName, nameError: nameError)
        return try pages.render(.categories, page, status: status)
    }
}
