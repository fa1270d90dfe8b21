import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `/api/v1/auth/register`, `login` and `logout`: accounts and their bearer tokens over JSON.
struct AuthAPIController: Sendable {
    let accounts: AccountService
    let secondFactor: SecondFactorService

    struct RegisterRequest: JSONRequestBody {
        var email: String
        var password: String
        var name: String
        var currency: String?
        var timezone: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password, name, currency, timezone }
    }

    struct LoginRequest: JSONRequestBody {
        var email: String
        var password: String
        /// A label for the token, shown in the token list.
        var tokenName: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case email, password
            case tokenName = "token_name"
        }
    }

    struct LoginResponse: ResponseEncodable {
        var token: String
        var expiresAt: Date
        var user: UserResponse

        enum CodingKeys: String, CodingKey {
            case token, user
            case expiresAt = "expires_at"
        }
    }

    /// Routes that need no sign-in.
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("register", use: register)
        group.post("login", use: login)
    }

    /// Routes for a caller with a valid bearer token.
    func addSignedInRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("logout", use: logout)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<UserResponse>
    {
        let body = try await JSONBody.decode(RegisterRequest.self, from: request, context: context)
        let user = try await accounts.register(
            .init(
                email: body.email, password: body.password, name: body.name, currency: body.currency,
                timeZone: body.timezone),
            client: context.client
        )
        return .init(status: .created, headers: [.location: "/api/v1/me"], response: UserResponse(user))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> LoginResponse {
        let body = try await JSONBody.decode(LoginRequest.self, from: request, context: context)
        let name =
            try validating { try body.tokenName.map { try DisplayName.validate($0, field: "token_name") } }
            ?? "API sign-in"
        let user = try await accounts.authenticate(
            email: body.email, password: body.password, client: context.client)
        // The password alone does not sign in an account that also takes a code.
        if user.secondFactorEnabled {
            throw AppError.secondFactorRequired(mfaToken: try await secondFactor.challenge(for: user))
        }
        let issued = try await accounts.issueToken(for: user, name: name)
        return LoginResponse(token: issued.token, expiresAt: issued.record.expiresAt, user: UserResponse(user))
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await accounts.signOut(try context.requireAccount())
        return Response(status: .noContent)
    }
}
