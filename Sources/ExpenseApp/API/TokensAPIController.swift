import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `/api/v1/auth/tokens...`: the caller's API tokens (a login's and personal access tokens),
/// created, listed and revoked.
struct TokensAPIController: Sendable {
    let accounts: AccountService

    struct TokenItem: Encodable {
        var id: String
        var name: String
        var kind: APIToken.Kind
        var scopes: [String]
        var organizationID: String?
        var createdAt: Date
        var lastUsedAt: Date
        var expiresAt: Date
        var current: Bool

        enum CodingKeys: String, CodingKey {
            case id, name, kind, scopes, current
            case organizationID = "organization_id"
            case createdAt = "created_at"
            case lastUsedAt = "last_used_at"
            case expiresAt = "expires_at"
        }

        init(_ token: APIToken, current: Bool) {
            id = token.id.uuidString.lowercased()
            name = token.name
            kind = token.kind
            scopes = token.canWrite ? ["read", "write"] : ["read"]
            organizationID = token.organizationID?.description
            createdAt = token.createdAt
            lastUsedAt = token.lastUsedAt
            expiresAt = token.expiresAt
            self.current = current
        }
    }

    struct TokenList: ResponseEncodable {
        var items: [TokenItem]
    }

    struct CreateRequest: JSONRequestBody {
        var name: String
        var scopes: [String]
        var organizationID: String?
        /// RFC 3339 (`2027-03-01T00:00:00Z`).
        var expiresAt: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, scopes
            case organizationID = "organization_id"
            case expiresAt = "expires_at"
        }
    }

    /// The new token with its secret: the only time the secret is shown.
    struct Created: ResponseEncodable {
        var token: String
        var details: TokenItem

        func encode(to encoder: any Encoder) throws {
            try details.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(token, forKey: .token)
        }

        enum Key: String, CodingKey { case token }
    }

    /// Routes for a caller with a valid bearer token.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("tokens", use: listTokens)
        group.post("tokens", use: createToken)
        group.delete("tokens/:id", use: revokeToken)
    }

    @Sendable func listTokens(_ request: Request, context: AppRequestContext) async throws -> TokenList {
        let identity = try context.requireAccount()
        let currentID: UUID? = if case .apiToken(let token) = identity.credential { token.id } else { nil }
        // A token limited to one organization is an integration's: it sees itself, not the
        // account's other tokens.
        let tokens = try await accounts.tokens(of: identity.user.id).filter {
            identity.limitedOrganization == nil || $0.id == currentID
        }
        return TokenList(items: tokens.map { TokenItem($0, current: $0.id == currentID) })
    }

    @Sendable func createToken(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Created> {
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let expiresAt = try body.expiresAt.map { text in
            guard let date = Self.timestamp(text) else {
                throw AppError.validation(
                    .init("expires_at", "Give the expiry as a date and time such as 2027-03-01T00:00:00Z."))
            }
            return date
        }
        let created = try await accounts.createPersonalToken(
            .init(name: body.name, scopes: body.scopes, organizationID: body.organizationID, expiresAt: expiresAt),
            by: try context.requireAccount())
        return .init(
            status: .created, headers: [.cacheControl: "no-store"],
            response: Created(token: created.token, details: TokenItem(created.record, current: false)))
    }

    /// An RFC 3339 timestamp, with or without fractional seconds.
    static func timestamp(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireAccount()
        try identity.requireSignInCredential()
        let id = try context.parameters.uuid("id")
        try await accounts.revokeToken(id, of: identity.user.id)
        return Response(status: .noContent)
    }
}
