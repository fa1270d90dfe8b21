import ExpenseCore
import Foundation
import Hummingbird

/// `/invitations/accept?token=`: the page an invitation email opens, for a signed-in member to
/// be, or for someone who must log in or register first (and comes back here after).
struct WebInvitationController: Sendable {
    let members: MemberService
    let organizations: OrganizationService
    let pages: PageRenderer

    struct AcceptForm: Decodable { var token: String? }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("invitations/accept", use: page)
        group.post("invitations/accept", use: accept)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        var response: Response
        do {
            let preview = try await members.preview(token: token)
            let user = context.identity?.user
            let next = "/invitations/accept?token=" + token
            response = pages.render(
                "accept-invitation",
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
        } catch let error as AppError {
            response = pages.render(
                "message",
                MessagePage(
                    title: "Invitation", account: LayoutAccount(context.identity),
                    heading: "This invitation cannot be used",
                    body: error.detail, link: .init(href: "/", label: "Go to the start page")
                ),
                status: error.status
            )
        }
        // The URL holds the token: send no referrer from this page.
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.decode(AcceptForm.self, from: request, context: context)
        guard let identity = context.identity else { return .seeOther("/login") }
        let (organization, _) = try await members.accept(token: form.token ?? "", by: identity.user)
        return .seeOther("/orgs/\(organization.id)/dashboard?notice=joined")
    }
}

/// Sends a visitor who is not signed in to the login page, to come back afterwards.
struct RequireSession: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard context.identity != nil else {
            let back = request.method == .get ? request.uri.path : "/"
            return .redirect(
                to: "/login?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
                type: .normal)
        }
        return try await next(request, context)
    }
}

/// A `next` target that stays on this site: a path, never `//host` or a scheme.
enum LocalRedirect {
    static func path(_ candidate: String?) -> String? {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.contains("\\"),
            !candidate.contains(where: { $0.isNewline || $0 == "\t" }), candidate.count <= 512
        else { return nil }
        return candidate
    }
}
