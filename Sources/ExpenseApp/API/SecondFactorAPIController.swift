import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// Two-factor sign-in over JSON: `/api/v1/me/totp` (enrol, confirm, turn off) and the second
/// step of a sign-in, `/api/v1/auth/login/totp`.
struct SecondFactorAPIController: Sendable {
    let accounts: AccountService
    let secondFactor: SecondFactorService

    struct EnrolmentResponse: ResponseEncodable {
        var secret: String
        var otpauthURI: String

        enum CodingKeys: String, CodingKey {
            case secret
            case otpauthURI = "otpauth_uri"
        }
    }

    struct CodeRequest: JSONRequestBody {
        var code: String
        enum CodingKeys: String, CodingKey, CaseIterable { case code }
    }

    struct RecoveryCodes: ResponseEncodable {
        var recoveryCodes: [String]
        enum CodingKeys: String, CodingKey { case recoveryCodes = "recovery_codes" }
    }

    struct LoginRequest: JSONRequestBody {
        var mfaToken: String
        var code: String
        var tokenName: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case code
            case mfaToken = "mfa_token"
            case tokenName = "token_name"
        }
    }

    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("login/totp", use: login)
    }

    func addSignedInRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("totp", use: begin)
        group.post("totp/confirm", use: confirm)
        group.delete("totp", use: disable)
    }

    @Sendable func begin(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<
        EnrolmentResponse
    > {
        let enrolment = try await secondFactor.begin(try context.requireAccount())
        return .init(
            status: .created, headers: [.cacheControl: "no-store"],
            response: EnrolmentResponse(secret: enrolment.secret, otpauthURI: enrolment.uri))
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<
        RecoveryCodes
    > {
        let body = try await JSONBody.decode(CodeRequest.self, from: request, context: context)
        let codes = try await secondFactor.confirm(try context.requireAccount(), code: body.code)
        return .init(status: .ok, headers: [.cacheControl: "no-store"], response: RecoveryCodes(recoveryCodes: codes))
    }

    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(CodeRequest.self, from: request, context: context)
        try await secondFactor.disable(try context.requireAccount(), code: body.code)
        return Response(status: .noContent)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws
        -> AuthAPIController
        .LoginResponse
    {
        let body = try await JSONBody.decode(LoginRequest.self, from: request, context: context)
        let name =
            try validating { try body.tokenName.map { try DisplayName.validate($0, field: "token_name") } }
            ?? "API sign-in"
        let user = try await secondFactor.complete(challenge: body.mfaToken, code: body.code, client: context.client)
        let issued = try await accounts.issueToken(for: user, name: name)
        return .init(token: issued.token, expiresAt: issued.record.expiresAt, user: UserResponse(user))
    }
}
