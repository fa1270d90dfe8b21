import Foundation
import Mustache

/// The messages' wording: a plain-text and an HTML mustache template per kind, under
/// `Templates/` in this module's resources. Text templates declare `CONTENT_TYPE: TEXT` (nothing
/// escaped); HTML templates escape every value and extend `layout.html`.
enum MailTemplates {
    /// Loaded once. The templates ship inside the binary's resource bundle and every one of them
    /// is rendered by the tests, so a failure here is a broken build, not a runtime condition.
    static let library: MustacheLibrary = {
        do {
            return try load()
        } catch {
            fatalError("mail templates could not be loaded from the resource bundle: \(error)")
        }
    }()

    static func load() throws -> MustacheLibrary {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where file.hasSuffix(".mustache") {
            let source = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            try library.register(source, named: String(file.dropLast(".mustache".count)))
        }
        return library
    }

    /// Both bodies of one kind of message.
    static func render(_ name: String, _ values: [String: String]) -> (text: String, html: String) {
        let text = library.render(values, withTemplate: "\(name).txt") ?? ""
        let html = library.render(values, withTemplate: "\(name).html") ?? ""
        return (
            text.trimmingCharacters(in: .whitespacesAndNewlines), html.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }
}
