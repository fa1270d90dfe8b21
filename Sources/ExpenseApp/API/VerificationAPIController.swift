import ExpenseCore
import Foundation
import Hummingbird

/// `/api/v1/auth/verify`: confirming an email address over JSON, and asking for the link again.
struct VerificationAPIController: Sendable {
    let accounts: AccountService

    struct TokenRequest: JSONRequestBody {
        var token: String
        enum CodingKeys: String, CodingKey, CaseIterable { case token }
    }

    /// The route that needs no sign-in: the emailed token is the proof.
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("verify", use: verify)
    }

    /// The route for a caller with a valid bearer token.
    func addSignedInRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("verify/resend", use: resendVerification)
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
