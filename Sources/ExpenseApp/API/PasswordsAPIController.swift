import ExpenseCore
import Foundation
import Hummingbird

/// `/api/v1/auth/password/...`: forgetting, resetting and changing a password over JSON.
struct PasswordsAPIController: Sendable {
    let accounts: AccountService

    struct EmailRequest: JSONRequestBody {
        var email: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email }
    }

    struct ResetRequest: JSONRequestBody {
        var token: String
        var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case token, password }
    }

    struct ChangePasswordRequest: JSONRequestBody {
        var currentPassword: String
        var newPassword: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    /// Routes that need no sign-in.
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("password/forgot", use: forgot)
        group.post("password/reset", use: reset)
    }

    /// Routes for a caller with a valid bearer token.
    func addSignedInRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("password/change", use: changePassword)
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
}
