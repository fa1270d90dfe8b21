import Hummingbird
import HummingbirdAuth

/// The cookie that holds an invitation's token while its invitee logs in or registers: HttpOnly,
/// SameSite=Lax, sent only to the invitation page and to the registration form, gone after an
/// hour or once accepted. Registration reads it because an account created for the invited
/// address has proven that address: it is confirmed at once and no confirmation email is sent.
/// `__Secure-` over HTTPS (the prefix needs Secure; `__Host-` would need Path=/).
struct PendingInvitationCookie: Sendable {
    let secure: Bool

    var name: String { secure ? "__Secure-invitation" : "invitation" }

    /// The two paths the token is sent to, the invitation page first.
    static let paths = ["/invitations/accept", "/register"]

    func cookies(token: String) -> [Cookie] {
        Self.paths.map { path in
            Cookie(name: name, value: token, maxAge: 3600, path: path, secure: secure, httpOnly: true, sameSite: .lax)
        }
    }

    func expired() -> [Cookie] {
        Self.paths.map { path in
            Cookie(name: name, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true, sameSite: .lax)
        }
    }
}
