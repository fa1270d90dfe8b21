import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird
import Mustache

/// Renders the server-side pages from the Mustache templates shipped in the resource bundle.
/// Mustache escapes every `{{value}}` for HTML.
///
/// `load()` refuses a library that lacks a page template, so a server with an incomplete bundle
/// does not start; a page that still cannot be rendered is an error (answered 500), never an
/// empty page.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> PageRenderer {
        let library = try await MustacheLibrary(directory: try AppResources.templatesDirectory())
        try check(library)
        return PageRenderer(library: library)
    }

    /// Throws, naming them, when templates of `PageTemplate` are not in the library.
    static func check(_ library: MustacheLibrary) throws {
        let missing = (PageTemplate.allCases.map(\.rawValue) + PageTemplate.partials)
            .filter { library.getTemplate(named: $0) == nil }
        guard missing.isEmpty else { throw PageTemplatesMissing(templates: missing) }
    }

    /// An HTML response of the template. Pages are never cached: they show a person's data.
    func render(_ template: PageTemplate, _ model: some Sendable, status: HTTPResponse.Status = .ok) throws
        -> Response
    {
        guard let html = library.render(model, withTemplate: template.rawValue) else {
            throw PageTemplatesMissing(templates: [template.rawValue])
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}

struct AppResourcesMissing: Error, CustomStringConvertible {
    let what: String
    var description: String { "the \(what) are missing from the ExpenseApp resource bundle" }
}

/// Page templates (pages or the partials they include) the renderer's library does not hold.
struct PageTemplatesMissing: Error, CustomStringConvertible {
    let templates: [String]
    var description: String {
        "page templates missing from the ExpenseApp templates: "
            + templates.map { "\($0).mustache" }.joined(separator: ", ")
    }
}

/// What the shared layout shows of the signed-in person: their name, the CSRF token of the
/// logout form, and the organization switcher.
struct LayoutAccount: Sendable {
    struct OrganizationLink: Sendable {
        var id: String
        var name: String
        var current: Bool
    }

    var name: String
    var csrf: String
    var organizations: [OrganizationLink] = []
    var currentOrganization: String? = nil
    /// Until the address is confirmed every page offers to send the link again.
    var unverified: Bool

    init?(_ identity: AccountIdentity?) {
        guard let identity, case .session(let session) = identity.credential else { return nil }
        name = identity.user.name
        csrf = session.csrfToken
        unverified = identity.user.emailVerifiedAt == nil
    }

    /// The layout with the switcher filled in.
    static func load(_ identity: AccountIdentity?, organizations: OrganizationService) async throws -> LayoutAccount? {
        guard let identity else { return nil }
        return fill(LayoutAccount(identity), list: try await organizations.list(for: identity.user), current: nil)
    }

    /// The layout of an organization's page: the switcher read in the request's transaction,
    /// this organization marked.
    static func load(_ identity: AccountIdentity?, organizations: OrganizationService, in access: TenantAccess)
        async throws -> LayoutAccount?
    {
        fill(LayoutAccount(identity), list: try await organizations.list(in: access), current: access.tenantID)
    }

    private static func fill(_ account: LayoutAccount?, list: [(Organization, Role)], current: OrganizationID?)
        -> LayoutAccount?
    {
        guard var account else { return nil }
        account.organizations = list.map { organization, _ in
            OrganizationLink(
                id: organization.id.description, name: organization.name, current: organization.id == current)
        }
        account.currentOrganization = list.first { $0.0.id == current }?.0.name
        return account
    }
}

/// What every page model carries for the shared layout. Templates render stored properties
/// only (swift-mustache reads them through `Mirror`), so models are plain structs.
protocol PageModel: Sendable {
    var title: String { get }
    var account: LayoutAccount? { get }
    var notice: String? { get }
    var failure: String? { get }
}
