import Foundation
import Mustache

/// The messages' wording: a plain-text and an HTML mustache template per kind, under
/// `Templates/` in this module's resources. Text templates declare `CONTENT_TYPE: TEXT` (nothing
/// escaped); HTML templates escape every value and extend `layout.html`.
public enum MailTemplates {
    /// Read once. A bundle without its templates makes every message fail with this error (and
    /// `buildApplication` refuses to start), never crashes the process.
    static let loaded: Result<MustacheLibrary, Unavailable> = {
        do {
            return .success(try load())
        } catch {
            return .failure(Unavailable(reason: String(describing: error)))
        }
    }()

    public struct Unavailable: Error, Sendable, CustomStringConvertible {
        let reason: String
        public var description: String { "mail templates unavailable: \(reason)" }
    }

    /// Throws when the templates cannot be read, so a server can refuse to start instead of
    /// failing on its first email.
    public static func check() throws {
        _ = try loaded.get()
    }

    static func load() throws -> MustacheLibrary {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw Unavailable(reason: "no Templates directory in the ExpenseMail resource bundle")
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
    static func render(_ name: String, _ values: [String: String]) throws -> (text: String, html: String) {
        let library = try loaded.get()
        guard let text = library.render(values, withTemplate: "\(name).txt"),
            let html = library.render(values, withTemplate: "\(name).html")
        else {
            throw Unavailable(reason: "no templates for '\(name)'")
        }
        return (
            text.trimmingCharacters(in: .whitespacesAndNewlines), html.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }
}
