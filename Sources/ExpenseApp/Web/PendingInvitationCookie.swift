import Hummingbird
import HummingbirdAuth

/// The cookie that holds an invitation's token while its invitee logs in or registers: HttpOnly,
/// SameSite=Lax, sent only to the invitation page, gone after an hour or once accepted.
/// `__Secure-` over HTTPS (the prefix needs Secure; `__Host-` would need Path=/).
struct PendingInvitationCookie: Sendable {
    let secure: Bool

    var name: String { secure ? "__Secure-invitation" : "invitation" }

    func cookie(token: String) -> Cookie {
        Cookie(
            name: name, value: token, maxAge: 3600, path: "/invitations/accept", secure: secure, httpOnly: true,
            sameSite: .lax)
    }

    func expired() -> Cookie {
        Cookie(
            name: name, value: "", maxAge: 0, path: "/invitations/accept", secure: secure, httpOnly: true,
            sameSite: .lax)
    }
}
