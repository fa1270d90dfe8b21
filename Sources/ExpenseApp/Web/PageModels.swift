import ExpenseCore
import ExpenseStore
import Hummingbird

/// The page models, one per template; each holds exactly what its template shows.
struct LoginPage: PageModel {
    var title = "Log in"
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var email = ""
    /// Where to go after signing in (a local path), e.g. back to an invitation.
    var next = ""
}

/// The second step of signing in: the code from the authenticator app, or a recovery code.
struct LoginCodePage: PageModel {
    var title = "Enter your code"
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var mfaToken = ""
    var next = ""
    /// The sign-in ended (expired or too many wrong codes): only a new one from the password helps.
    var ended = false
}

struct RegisterPage: PageModel {
    var title = "Create your account"
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var name = ""
    var email = ""
    var nameError: String? = nil
    var emailError: String? = nil
    var passwordError: String? = nil
    var next = ""
}

struct ForgotPage: PageModel {
    var title = "Forgot your password?"
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var email = ""
}

struct ResetPage: PageModel {
    var title = "Choose a new password"
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var token = ""
    var passwordError: String? = nil
}

struct VerifyPage: PageModel {
    var title = "Confirm your email address"
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var token: String? = nil
}

struct ChangePasswordPage: PageModel {
    var title = "Change password"
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var csrf: String
    var currentError: String? = nil
    var newError: String? = nil
}

struct DashboardPage: PageModel {
    struct OrganizationItem: Sendable {
        var id: String
        var name: String
        var role: String
    }

    var title = "Your account"
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var name: String
    var organizations: [OrganizationItem]
}

struct MessagePage: PageModel {
    struct Link: Sendable {
        var href: String
        var label: String
    }

    var title: String
    var account: LayoutAccount? = nil
    var notice: String? = nil
    var failure: String? = nil
    var heading: String
    var body: String
    var link: Link? = nil

    /// An emailed link that no longer works, saying why and where to go instead.
    static func deadLink(account: LayoutAccount?, body: String, link: Link) -> MessagePage {
        MessagePage(
            title: AppError.invalidToken.title, account: account, heading: AppError.invalidToken.title, body: body,
            link: link)
    }
}

/// Fixed notices shown after a redirect (`?notice=...`): the URL names one, never carries text.
enum Notice: String {
    case passwordReset = "password-reset"
    case passwordChanged = "password-changed"
    case secondFactorOff = "second-factor-off"
    case tokenRevoked = "token-revoked"
    case webhookEnabled = "webhook-enabled"
    case webhookDisabled = "webhook-disabled"
    case webhookTestQueued = "webhook-test-queued"
    case webhookDeleted = "webhook-deleted"
    case signedOut = "signed-out"
    case emailVerified = "email-verified"
    case verificationSent = "verification-sent"
    case expenseAdded = "expense-added"
    case expenseSaved = "expense-saved"
    case expenseDeleted = "expense-deleted"
    case receiptAdded = "receipt-added"
    case receiptRemoved = "receipt-removed"
    case changed
    case categoryAdded = "category-added"
    case categorySaved = "category-saved"
    case categoryArchived = "category-archived"
    case categoryRestored = "category-restored"
    case categoryDeleted = "category-deleted"
    case roleChanged = "role-changed"
    case invitationRoleChanged = "invitation-role-changed"
    case memberRemoved = "member-removed"
    case invited
    case resent
    case revoked
    case saved
    case transferred
    case deleted
    case left
    case joined
    case created
    case claimCreated = "claim-created"
    case claimSaved = "claim-saved"
    case claimSubmitted = "claim-submitted"
    case claimApproved = "claim-approved"
    case claimRejected = "claim-rejected"
    case claimReimbursed = "claim-reimbursed"
    case claimsReimbursed = "claims-reimbursed"
    case claimDeleted = "claim-deleted"
    case budgetAdded = "budget-added"
    case budgetSaved = "budget-saved"
    case budgetDeleted = "budget-deleted"

    /// The notice a request's `?notice=` names, if any.
    static func text(_ request: Request) -> String? {
        request.uri.queryParameters["notice"].flatMap { Notice(rawValue: String($0)) }?.text
    }

    var text: String {
        switch self {
        case .passwordReset: "Your password was changed. Log in with the new one."
        case .passwordChanged: "Your password was changed. Your other sessions were signed out."
        case .secondFactorOff: "Two-factor sign-in is off: your password alone signs you in."
        case .tokenRevoked: "The token was revoked: it no longer works."
        case .webhookEnabled: "The endpoint is on: new events are sent to it, and those that waited go now."
        case .webhookDisabled: "The endpoint is off: events wait until it is turned on again."
        case .webhookTestQueued: "A test event is on its way. Its delivery appears below."
        case .webhookDeleted: "The endpoint was removed, with its delivery log."
        case .signedOut: "You are logged out."
        case .emailVerified: "Thank you: your email address is confirmed."
        case .verificationSent: "We sent you a new confirmation link."
        case .expenseAdded: "Expense added."
        case .expenseSaved: "Expense saved."
        case .expenseDeleted: "Expense deleted."
        case .receiptAdded: "Receipt attached."
        case .receiptRemoved: "Receipt removed."
        case .changed: "Someone changed this expense since you opened it; check it before deleting."
        case .categoryAdded: "Category added."
        case .categorySaved: "Category saved."
        case .categoryArchived: "Category archived: old expenses keep it; new ones cannot use it."
        case .categoryRestored: "Category restored."
        case .categoryDeleted: "Category deleted."
        case .roleChanged: "The role was changed."
        case .invitationRoleChanged: "The invitation now offers the new role; its link stays the same."
        case .memberRemoved: "The member was removed."
        case .invited: "The invitation is on its way."
        case .resent: "The invitation was sent again with a fresh link."
        case .revoked: "The invitation was revoked."
        case .saved: "Settings saved."
        case .transferred: "Ownership was transferred. You are now an admin."
        case .deleted: "The organization was deleted."
        case .left: "You left the organization."
        case .joined: "Welcome: you joined the organization."
        case .created: "Organization created. Invite the people who will log expenses in it."
        case .claimCreated: "Claim started. Submit it when its expenses and receipts are all there."
        case .claimSaved: "Claim saved."
        case .claimSubmitted:
            "Claim submitted: the approvers have been told. Its expenses are locked until they decide."
        case .claimApproved: "Claim approved: its member has been told, and finance can pay it back."
        case .claimRejected: "Claim rejected: its member has been told why, and can change it and submit again."
        case .claimReimbursed: "Reimbursement recorded: its member has been told."
        case .claimsReimbursed: "Reimbursements recorded: their members have been told."
        case .claimDeleted: "Draft deleted; its expenses can go in another claim."
        case .budgetAdded: "Budget set up. Owners, admins and finance are told when it reaches an alert percent."
        case .budgetSaved: "Budget saved."
        case .budgetDeleted: "Budget deleted."
        }
    }
}
