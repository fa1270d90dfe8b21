import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mustache
import Testing

@testable import ExpenseApp

/// Every page the code renders has its template in the bundle; a library that lacks one is
/// refused before the server starts; a page that still cannot be rendered is an error answered
/// 500, never an empty page.
@Suite struct PageRendererTests {
    @Test func theShippedTemplatesHoldEveryPage() async throws {
        let pages = try await PageRenderer.load()
        try PageRenderer.check(pages.library)
    }

    /// A page template extends the layout; each has its case, and each case its file. Every
    /// other template is a listed partial.
    @Test func everyPageTemplateFileHasACase() throws {
        let directory = try AppResources.templatesDirectory()
        let pages = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".mustache") }
            .filter { try String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8).hasPrefix("{{<layout}}") }
            .map { String($0.dropLast(".mustache".count)) }
        #expect(Set(pages) == Set(PageTemplate.allCases.map(\.rawValue)))
        let all = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mustache") }
            .map { String($0.dropLast(".mustache".count)) }
        #expect(Set(all).subtracting(pages) == Set(PageTemplate.partials))
    }

    @Test func aLibraryMissingPageTemplatesIsRefusedNamingThem() async throws {
        let shipped = try AppResources.templatesDirectory()
        let partial = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID())")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: partial) }
        let left: Set = ["members.mustache", "audit.mustache", "organization-tabs.mustache"]
        for file in try FileManager.default.contentsOfDirectory(atPath: shipped) where !left.contains(file) {
            try FileManager.default.copyItem(
                atPath: "\(shipped)/\(file)", toPath: partial.appendingPathComponent(file).path)
        }
        let library = try await MustacheLibrary(directory: partial.path)
        #expect(library.getTemplate(named: "reports") != nil)

        let error = try #require(throws: PageTemplatesMissing.self) { try PageRenderer.check(library) }
        #expect(Set(error.templates) == ["members", "audit", "organization-tabs"])
        #expect(error.description.contains("members.mustache") && error.description.contains("audit.mustache"))
        #expect(!error.description.contains("reports"))

        let empty = try #require(throws: PageTemplatesMissing.self) { try PageRenderer.check(MustacheLibrary()) }
        #expect(empty.templates == PageTemplate.allCases.map(\.rawValue) + PageTemplate.partials)
    }

    /// With no templates at all: a page is an error, and the error middleware answers it (and any
    /// other error) with its status and words as plain text, never an empty body.
    @Test func aPageThatCannotBeRenderedIsAnErrorAnsweredAsPlainText() async throws {
        let pages = PageRenderer(library: MustacheLibrary())
        let page = MessagePage(title: "Title", heading: "Heading", body: "Body")
        #expect(throws: PageTemplatesMissing.self) { try pages.render(.reports, page) }

        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorRenderingMiddleware(pages: pages, allowedMethods: .init()))
        router.get("page") { _, _ in try pages.render(.reports, page) }
        router.get("missing") { _, _ -> Response in throw AppError.notFound }
        try await Application(router: router).test(.router) { client in
            let unrendered = try await client.execute(uri: "/page", method: .get)
            #expect(unrendered.status == .internalServerError)
            #expect(unrendered.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(unrendered.headers[.cacheControl] == "no-store")
            let text = String(buffer: unrendered.body)
            #expect(text.hasPrefix("Something went wrong\n") && text.contains("Quote the request id"))

            let missing = try await client.execute(uri: "/missing", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(String(buffer: missing.body).hasPrefix("\(AppError.notFound.title)\n"))
        }
    }
}
