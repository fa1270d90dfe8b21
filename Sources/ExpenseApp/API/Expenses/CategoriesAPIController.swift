import ExpenseCore
import Foundation
import Hummingbird

/// Categories of one organization.
struct CategoriesAPIController: Sendable {
    let categories: CategoryService

    struct NewCategory: JSONRequestBody {
        var name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("categories", use: listCategories)
        group.post("categories", use: createCategory)
        group.patch("categories/:categoryId", use: updateCategory)
        group.delete("categories/:categoryId", use: deleteCategory)
    }

    @Sendable func listCategories(_ request: Request, context: OrgRequestContext) async throws -> ItemList<
        CategoryResponse
    > {
        ItemList(items: try await categories.list(context.access).map(CategoryResponse.init))
    }

    @Sendable func createCategory(_ request: Request, context: OrgRequestContext) async throws -> EditedResponse<
        CategoryResponse
    > {
        let body = try await JSONBody.decode(NewCategory.self, from: request, context: context)
        return .init(
            status: .created, response: CategoryResponse(try await categories.create(context.access, name: body.name)))
    }

    @Sendable func updateCategory(_ request: Request, context: OrgRequestContext) async throws -> CategoryResponse {
        let body = try await JSONBody.decode(CategoryService.Change.self, from: request, context: context)
        return CategoryResponse(
            try await categories.update(
                context.access, id: try context.parameters.id(CategoryID.self, "categoryId"), body))
    }

    @Sendable func deleteCategory(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await categories.delete(context.access, id: try context.parameters.id(CategoryID.self, "categoryId"))
        return Response(status: .noContent)
    }
}
