import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `/api/v1/auth/tokens...`: the caller's API tokens, listed and revoked.
struct TokensAPIController: Sendable {
    let accounts: AccountService

    struct TokenList: ResponseEncodable {
        struct Item: Encodable {
            var id: String
            var name: String
            var createdAt: Date
            var lastUsedAt: Date
            var expiresAt: Date
            var current: Bool

            enum CodingKeys: String, CodingKey {
                case id, name, current
                case createdAt = "created_at"
                case lastUsedAt = "last_used_at"
                case expiresAt = "expires_at"
            }
        }

        var items: [Item]
    }

    /// Routes for a caller with a valid bearer token.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("tokens", use: listTokens)
        group.delete("tokens/:id", use: revokeToken)
    }

    @Sendable func listTokens(_ request: Request, context: AppRequestContext) async throws -> TokenList {
        let identity = try context.requireAccount()
        let currentID: UUID? = if case .apiToken(let token) = identity.credential { token.id } else { nil }
        let tokens = try await accounts.tokens(of: identity.user.id)
        return TokenList(
            items: tokens.map {
                .init(
                    id: $0.id.uuidString.lowercased(), name: $0.name, createdAt: $0.createdAt,
                    lastUsedAt: $0.lastUsedAt, expiresAt: $0.expiresAt, current: $0.id == currentID
                )
            }
        )
    }

    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireAccount()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        try await accounts.revokeToken(id, of: identity.user.id)
        return Response(status: .noContent)
    }
}
