import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird

/// Expenses of one organization.
struct ExpensesAPIController: Sendable {
    let expenses: ExpenseService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("expenses", use: list)
        group.post("expenses", use: create)
        group.get("expenses/:expenseId", use: show)
        group.patch("expenses/:expenseId", use: update)
        group.delete("expenses/:expenseId", use: delete)
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let query = request.queryValues
        let filter = try ExpenseQuery.filter(query, defaultCurrency: context.access.organization.currency)
        // Blank is a mistake here as for every other parameter: leave it out for the first page.
        let cursor = try query["cursor"].map { token in
            try validating {
                guard !token.isEmpty else { throw ValidationError("cursor", "Leave it out or give a value.") }
                return try ExpenseCursor(token: token)
            }
        }
        var limit: Int?
        if let raw = query["limit"] {
            guard let value = Int(raw) else { throw AppError.validation(.init("limit", "Ask for 1 to 200 items.")) }
            limit = value
        }
        let page = try await expenses.list(context.access, filter, cursor: cursor, limit: limit)
        // The bytes of `ExpensePageResponse`, written without the encoder.
        return ExpenseJSON.response(
            ExpenseJSON.page(
                page.items, nextCursor: page.nextCursor?.token, base: context.access.organization.currency))
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(ExpenseInput.self, from: request, context: context)
        let expense = try await expenses.create(context.access, body)
        return Self.answer(
            expense, base: context.access.organization.currency, status: .created,
            location: request.uri.path + "/" + expense.id.description)
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let expense = try await expenses.find(
            context.access, id: try context.parameters.id(ExpenseID.self, "expenseId"))
        return Self.answer(expense, base: context.access.organization.currency, status: .ok)
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> Response {
        // An address that names no expense is a 404 whatever the headers say.
        let id = try context.parameters.id(ExpenseID.self, "expenseId")
        let version = try HTTPPreconditions.version(from: request)
        let body = try await JSONBody.decode(ExpenseInput.self, from: request, context: context)
        let expense = try await expenses.update(context.access, id: id, body, ifMatch: version)
        return Self.answer(expense, base: context.access.organization.currency, status: .ok)
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try context.parameters.id(ExpenseID.self, "expenseId")
        let version = try HTTPPreconditions.version(from: request)
        try await expenses.delete(context.access, id: id, ifMatch: version)
        return Response(status: .noContent)
    }

    /// The bytes of `ExpenseResponse`, written without the encoder, with its ETag.
    static func answer(_ expense: Expense, base: Currency, status: HTTPResponse.Status, location: String? = nil)
        -> Response
    {
        var headers: HTTPFields = [.eTag: HTTPPreconditions.eTag(version: expense.version)]
        if let location { headers[.location] = location }
        return ExpenseJSON.response(ExpenseJSON.expense(expense, base: base), status: status, headers: headers)
    }
}
