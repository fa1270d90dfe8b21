import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird

/// Every failure a request can meet on purpose, with its HTTP status and RFC 9457 problem type.
/// `ErrorRenderingMiddleware` answers them: problem+json under `/api/`, an HTML page elsewhere.
public enum AppError: Error, Sendable, Equatable {
    /// 422 with per-field messages.
    case validation(ValidationError)
    /// 401: email and password do not match an account that may sign in (never says which).
    case invalidCredentials
    /// 401: no valid session or token; the API adds `WWW-Authenticate: Bearer`.
    case unauthenticated
    /// 409: registration with an email that has an account (behind the registration rate limit).
    case emailTaken
    /// 400: a reset, verification or invitation link that is unknown, used or expired.
    case invalidToken
    /// 429, with `Retry-After` in seconds.
    case rateLimited(retryAfter: Int)
    /// 403: a form posted from another site, or without this session's CSRF token.
    case crossSiteRequest
    /// 404
    case notFound
    /// 415: the body is not JSON.
    case unsupportedMediaType
    /// 400: the body is not valid JSON for this request.
    case malformedBody(String)
    /// 403: signed in and a member, but the role does not allow this.
    case forbidden(String)
    /// 409: the request conflicts with the current state (already a member, the last owner...).
    case conflict(String)
    /// 412: the record changed since the version the caller sent in `If-Match`.
    case preconditionFailed
    /// 413: an uploaded file over the receipt size limit (in bytes).
    case fileTooLarge(limit: Int)
    /// 413: the text fields of a multipart form over their limit.
    case fieldsTooLarge
    /// 415: an uploaded file that is none of the receipt kinds, whatever its name or type said.
    case notAReceipt
    /// 422: an uploaded file with no bytes, or an upload with no file.
    case emptyFile
    /// 409: the organization's receipt storage would pass its quota.
    case quotaExceeded(String)
    /// 409: the expense is in a submitted, approved or reimbursed claim.
    case expenseLocked
    /// 409: the claim is not in a state this move starts from (or someone moved it first).
    case claimState(String)
    /// 403: approving or rejecting one's own claim.
    case selfApproval
    /// A claim's costlier expenses lack receipts: one `errors` entry per expense.
    case receiptRequired([MissingReceipt])
    /// 409: the expense's date is in a closed period (the closed-through date when known).
    case periodClosed(through: CalendarDate?)
    /// 403: a personal access token whose scopes do not cover the request (a read token that
    /// writes, or any personal token managing credentials).
    case insufficientScope(String)
    /// 401: the password was right and the account also takes a code: `mfa_token` carries the
    /// sign-in to `POST /api/v1/auth/login/totp`.
    case secondFactorRequired(mfaToken: String)
    /// 401: the code (or recovery code) is wrong or was used already, or the sign-in it would
    /// finish is unknown or expired.
    case invalidSecondFactor(String)
    /// 403: the organization requires two-factor sign-in and the caller has not enrolled.
    case secondFactorEnrolmentRequired

    /// An expense the claim policy asks a receipt of, and why.
    public struct MissingReceipt: Sendable, Equatable {
        public var expenseID: ExpenseID
        public var message: String
    }
}

extension AppError {
    public var status: HTTPResponse.Status {
        switch self {
        case .validation: .unprocessableContent
        case .invalidCredentials, .unauthenticated: .unauthorized
        case .emailTaken: .conflict
        case .invalidToken, .malformedBody: .badRequest
        case .rateLimited: .tooManyRequests
        case .crossSiteRequest: .forbidden
        case .notFound: .notFound
        case .unsupportedMediaType: .unsupportedMediaType
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        case .fileTooLarge, .fieldsTooLarge: .contentTooLarge
        case .notAReceipt: .unsupportedMediaType
        case .emptyFile: .unprocessableContent
        case .quotaExceeded: .conflict
        case .expenseLocked, .claimState: .conflict
        case .selfApproval: .forbidden
        case .receiptRequired: .unprocessableContent
        case .periodClosed: .conflict
        case .insufficientScope: .forbidden
        case .secondFactorRequired, .invalidSecondFactor: .unauthorized
        case .secondFactorEnrolmentRequired: .forbidden
        }
    }

    /// The stable `type` of the problem document.
    var problemType: String {
        switch self {
        case .validation: "/problems/validation"
        case .invalidCredentials: "/problems/invalid-credentials"
        case .unauthenticated: "/problems/unauthenticated"
        case .emailTaken: "/problems/email-taken"
        case .invalidToken: "/problems/invalid-token"
        case .rateLimited: "/problems/rate-limited"
        case .crossSiteRequest: "/problems/cross-site-request"
        case .notFound: "/problems/not-found"
        case .unsupportedMediaType: "/problems/unsupported-media-type"
        case .malformedBody: "/problems/malformed-body"
        case .forbidden: "/problems/forbidden"
        case .conflict: "/problems/conflict"
        case .preconditionFailed: "/problems/stale-version"
        case .fileTooLarge, .fieldsTooLarge: "/problems/too-large"
        case .notAReceipt: "/problems/not-a-receipt"
        case .emptyFile: "/problems/empty-file"
        case .quotaExceeded: "/problems/quota-exceeded"
        case .expenseLocked: "/problems/expense-locked"
        case .claimState: "/problems/claim-state"
        case .selfApproval: "/problems/self-approval"
        case .receiptRequired: "/problems/receipt-required"
        case .periodClosed: "/problems/period-closed"
        case .insufficientScope: "/problems/insufficient-scope"
        case .secondFactorRequired: "/problems/second-factor-required"
        case .invalidSecondFactor: "/problems/invalid-second-factor"
        case .secondFactorEnrolmentRequired: "/problems/second-factor-enrolment-required"
        }
    }

    var title: String {
        switch self {
        case .validation: "Some fields need attention"
        case .invalidCredentials: "Email or password is incorrect"
        case .unauthenticated: "Sign-in required"
        case .emailTaken: "Email already registered"
        case .invalidToken: "Link invalid or expired"
        case .rateLimited: "Too many requests"
        case .crossSiteRequest: "Request refused"
        case .notFound: "Not found"
        case .unsupportedMediaType: "Unsupported media type"
        case .malformedBody: "Malformed request body"
        case .forbidden: "Not allowed"
        case .conflict: "Conflict"
        case .preconditionFailed: "Changed since you read it"
        case .fileTooLarge: "File too large"
        case .fieldsTooLarge: "Form too large"
        case .notAReceipt: "Not a receipt file"
        case .emptyFile: "No file"
        case .quotaExceeded: "Receipt storage full"
        case .expenseLocked: "Expense locked by its claim"
        case .claimState: "Claim not in that state"
        case .selfApproval: "Not your own claim"
        case .receiptRequired: "Receipts required"
        case .periodClosed: "Period closed"
        case .insufficientScope: "Token not allowed to do this"
        case .secondFactorRequired: "Code required"
        case .invalidSecondFactor: "Code not accepted"
        case .secondFactorEnrolmentRequired: "Two-factor sign-in required"
        }
    }

    /// What a person should read and do.
    var detail: String {
        switch self {
        case .validation: "Correct the fields listed in errors and try again."
        case .invalidCredentials:
            "The email or password is incorrect, or the account is locked for a while after too many "
                + "failed attempts. You can reset your password."
        case .unauthenticated: "Sign in, or send a valid bearer token."
        case .emailTaken: "An account with this email already exists. Sign in, or reset your password."
        case .invalidToken: "This link is invalid, was already used, or has expired. Ask for a new one."
        case .rateLimited(let seconds): "Too many attempts. Try again in \(seconds) seconds."
        case .crossSiteRequest: "This form was not sent from this site, or the page is stale. Reload it and try again."
        case .notFound: "There is nothing here."
        case .unsupportedMediaType: "Send the request body as application/json."
        case .malformedBody(let reason): reason
        case .forbidden(let reason): reason
        case .conflict(let reason): reason
        case .preconditionFailed:
            "Someone changed this record since you read it. Read it again (for its new ETag) and reapply your change."
        case .fileTooLarge(let limit):
            "The file is larger than \(Receipt.sizeText(Int64(limit))), the most a receipt may be."
        case .fieldsTooLarge: "The form's fields are larger than this server accepts."
        case .notAReceipt: Upload.kindsMessage
        case .emptyFile: "The file is empty. Choose the receipt's file (a photo or a PDF) and send it again."
        case .quotaExceeded(let reason): reason
        case .expenseLocked:
            "This expense is in a claim that was submitted, approved or reimbursed, so it cannot change. "
                + "A rejected claim frees its expenses again."
        case .claimState(let reason): reason
        case .selfApproval: "Nobody approves or rejects their own claim: another approver must decide it."
        case .receiptRequired:
            "The organization asks for a receipt with every expense above its threshold (and with every "
                + "expense in another currency). Attach the receipts listed in errors, then submit again."
        case .periodClosed(let through):
            "The books are closed through \(through.map(\.description) ?? "this date"), so expenses dated then or "
                + "before cannot be added, changed, deleted or given receipts. An owner can reopen the period."
        case .insufficientScope(let reason): reason
        case .secondFactorRequired:
            "The password is right. Send a code from your authenticator app (or a recovery code) with mfa_token "
                + "to POST /api/v1/auth/login/totp within five minutes."
        case .invalidSecondFactor(let reason): reason
        case .secondFactorEnrolmentRequired:
            "This organization requires two-factor sign-in. Turn it on for your account (POST /api/v1/me/totp, "
                + "or Account, then Security, on the pages), then try again."
        }
    }
}

extension AppError {
    /// The HTTP answer to a refused membership change.
    init(_ violation: MembershipRuleViolation) {
        switch violation {
        case .notAllowed: self = .forbidden("Your role does not allow changing members.")
        case .ownersOnly: self = .forbidden("Only an owner can change, remove or appoint an owner.")
        case .lastOwner:
            self = .conflict("An organization always keeps an owner: appoint another owner first.")
        }
    }
}

/// Runs domain validation, reporting its failures as `AppError.validation` (422).
func validating<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ValidationError {
        throw AppError.validation(error)
    }
}
