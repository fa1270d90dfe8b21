import ExpenseCore
import ExpenseStore
import Foundation

/// Account security: two-factor sign-in and API tokens.
struct SecurityPage: PageModel {
    struct Enrolment: Sendable {
        /// The QR code of the `otpauth://` URI, as inline SVG.
        var qr: String
        var secret: String
    }

    struct TokenRow: Sendable {
        var id: String
        var name: String
        var kind: String
        var scopes: String
        var organization: String
        var lastUsed: String
        var expires: String
    }

    struct OrganizationChoice: Sendable {
        var id: String
        var name: String
    }

    var title = "Security"
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var csrf: String
    var enabled = false
    var recoveryLeft = 0
    var enrolment: Enrolment? = nil
    var codeError: String? = nil
    /// Shown once, right after enrolment is confirmed.
    var recoveryCodes: [String] = []
    var showRecoveryCodes = false
    var tokens: [TokenRow] = []
    var hasTokens = false
    var organizations: [OrganizationChoice] = []
    /// A personal access token just created: its secret, shown once.
    var newToken: String? = nil
    var tokenNameError: String? = nil
    var tokenName = ""
    /// Why the page was opened: an organization requires two-factor sign-in.
    var required = false

    static func rows(_ tokens: [APIToken], organizations: [OrganizationChoice]) -> [TokenRow] {
        let names = Dictionary(uniqueKeysWithValues: organizations.map { ($0.id, $0.name) })
        return tokens.map { token in
            TokenRow(
                id: token.id.uuidString.lowercased(), name: token.name,
                kind: token.kind == .personal ? "Personal access token" : "Sign-in",
                scopes: token.canWrite ? "Read and write" : "Read only",
                organization: token.organizationID.map { names[$0.description] ?? "One organization" }
                    ?? "All your organizations",
                lastUsed: PageFormat.timestamp(token.lastUsedAt, in: .gmt),
                expires: PageFormat.day(CalendarDate(token.expiresAt, in: .gmt)))
        }
    }
}
