import ExpenseCore
import Foundation
import Hummingbird

/// `/invitations/accept?token=`: the page an invitation email opens, for a signed-in member to
/// be, or for someone who must log in or register first (and comes back here after).
struct WebInvitationController: Sendable {
    let members: MemberService
    let organizations: OrganizationService
    let pages: PageRenderer
    let pending: PendingInvitationCookie

    struct AcceptForm: Decodable { var token: String? }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("invitations/accept", use: page)
        group.post("invitations/accept", use: accept)
    }

    /// The emailed link's page. Someone who must log in or register first keeps the token in a
    /// short-lived cookie while they do, and comes back to this page without it in the URL: the
    /// login and register pages' addresses never hold the token, so no Referer or log line does.
    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let linked = request.uri.queryParameters["token"].map(String.init)
        let token = linked ?? request.cookies[pending.name]?.value ?? ""
        var response: Response
        do {
            let preview = try await members.preview(token: token)
            let user = context.identity?.user
            let next = "/invitations/accept"
            response = try pages.render(
                .acceptInvitation,
                AcceptInvitationPage(
                    title: "Join \(preview.organizationName)",
                    account: try await LayoutAccount.load(context.identity, organizations: organizations),
                    organizationName: preview.organizationName,
                    role: preview.invitation.role.rawValue,
                    email: preview.invitation.email,
                    token: token,
                    csrf: LayoutAccount(context.identity)?.csrf ?? "",
                    canAccept: user?.email == preview.invitation.email,
                    wrongAccount: user != nil && user?.email != preview.invitation.email,
                    signedOut: user == nil,
                    signedInEmail: user?.email ?? "",
                    next: next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                )
            )
            if user?.email != preview.invitation.email, linked != nil {
                pending.cookies(token: token).forEach { response.setCookie($0) }
            }
        } catch let error as AppError {
            response = try pages.render(
                .message,
                MessagePage(
                    title: "Invitation", account: LayoutAccount(context.identity),
                    heading: "This invitation cannot be used",
                    body: error.detail, link: .init(href: "/", label: "Go to the start page")
                ),
                status: error.status
            )
            pending.expired().forEach { response.setCookie($0) }
        }
        // The URL holds the token: send no referrer from this page.
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(AcceptForm.self, from: request, context: context)
        guard let identity = context.identity else { return .seeOther("/login") }
        let (organization, _) = try await members.accept(token: form.token ?? "", by: identity.user)
        var response = Response.seeOther("/orgs/\(organization.id)/dashboard?notice=joined")
        pending.expired().forEach { response.setCookie($0) }
        return response
    }
}
