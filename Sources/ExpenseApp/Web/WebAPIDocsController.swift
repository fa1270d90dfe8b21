import Foundation
import Hummingbird

/// `GET /api/docs`: the API reference as a page, rendered on the server from `openapi.yaml`
/// (read once, at start-up). Public, like the description itself; a signed-in person sees their
/// usual header.
struct WebAPIDocsController: Sendable {
    let reference: APIReference
    let organizations: OrganizationService
    let pages: PageRenderer

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("api/docs", use: page)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await LayoutAccount.load(context.identity, organizations: organizations)
        return try pages.render(.apiDocs, APIDocsPage(account: account, reference: reference))
    }
}

struct APIDocsPage: PageModel {
    var title = "API reference"
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var reference: APIReference
}
