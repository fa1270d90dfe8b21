import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// `/api/v1/auth/...`: accounts over JSON, authenticated by bearer tokens.
struct AuthAPIController: Sendable {
    let accounts: AccountService

    struct RegisterRequest: Decodable {
        var email: String
        var password: String
        var name: String
        var currency: String?
        var timezone: String?
    }

    struct LoginRequest: Decodable {
        var email: String
        var password: String
        /// A label for the token, shown in the token list.
        var tokenName: String?

        enum CodingKeys: String, CodingKey {
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

    struct EmailRequest: Decodable {
        var email: String
    }

    struct ResetRequest: Decodable {
        var token: String
        var password: String
    }

    struct TokenRequest: Decodable {
        var token: String
    }

    struct ChangePasswordRequest: Decodable {
        var currentPassword: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    struct Accepted: ResponseEncodable {
        var status = "accepted"
        var detail: String
    }

    /// Routes that need no sign-in.
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("register", use: register)
        group.post("login", use: login)
        group.post("password/forgot", use: forgot)
        group.post("password/reset", use: reset)
        group.post("verify", use: verify)
    }

    /// Routes for a caller with a valid bearer token.
    func addSignedInRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("logout", use: logout)
        group.post("password/change", use: changePassword)
        group.post("verify/resend", use: resendVerification)
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
        let issued = try await accounts.issueToken(for: user, name: name)
        return LoginResponse(token: issued.token, expiresAt: issued.record.expiresAt, user: UserResponse(user))
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await accounts.signOut(try context.requireAccount())
        return Response(status: .noContent)
    }

    /// 202 with the same body whether or not the email has an account.
    @Sendable func forgot(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Accepted> {
        let body = try await JSONBody.decode(EmailRequest.self, from: request, context: context)
        try await accounts.requestPasswordReset(email: body.email, client: context.client)
        return .init(
            status: .accepted,
            response: Accepted(
                detail: "If an account exists for that email, a link to reset its password is on its way.")
        )
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(ResetRequest.self, from: request, context: context)
        try await accounts.resetPassword(token: body.token, newPassword: body.password, client: context.client)
        return Response(status: .noContent)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(ChangePasswordRequest.self, from: request, context: context)
        try await accounts.changePassword(
            of: try context.requireAccount(), current: body.currentPassword, new: body.newPassword)
        return Response(status: .noContent)
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(TokenRequest.self, from: request, context: context)
        try await accounts.verifyEmail(token: body.token)
        return Response(status: .noContent)
    }

    @Sendable func resendVerification(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<
        Accepted
    > {
        try await accounts.resendVerification(to: try context.requireAccount().user)
        return .init(
            status: .accepted,
            response: Accepted(detail: "Unless the address is already confirmed, a new link is on its way."))
    }
}
