import ExpenseCore
import Foundation

/// Files shipped in the ExpenseApp resource bundle: templates, static files, data.
enum AppResources {
    /// The folder of the page templates, one `.mustache` file each.
    static func templatesDirectory() throws -> String {
        guard let url = Bundle.module.url(forResource: "Resources/templates", withExtension: nil) else {
            throw AppResourcesMissing(what: "templates")
        }
        return url.path
    }

    /// The folder served at `/static`.
    static func publicDirectory() throws -> String {
        guard let url = Bundle.module.url(forResource: "Resources/public", withExtension: nil) else {
            throw AppResourcesMissing(what: "static files")
        }
        return url.path
    }

    /// The OpenAPI description of the JSON API, served at `/api/openapi.yaml` and shown at `/api/docs`.
    static func openAPIDescription() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Resources/openapi", withExtension: "yaml") else {
            throw AppResourcesMissing(what: "OpenAPI description")
        }
        return url
    }

    /// The common passwords refused by the password policy (one a line, `#` comments).
    static func commonPasswords() throws -> Set<String> {
        guard let url = Bundle.module.url(forResource: "Resources/common-passwords", withExtension: "txt") else {
            throw AppResourcesMissing(what: "common passwords")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return Set(
            text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty })
    }
}
