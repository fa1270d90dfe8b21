import Foundation
import Yams

/// The OpenAPI description (`openapi.yaml`) read into what the reference page at `/api/docs`
/// shows: every operation with its parameters, request body fields and their rules, and its
/// answers. Read once at start-up from the same file `/api/openapi.yaml` serves, so the page
/// cannot drift from the contract; a file it cannot read stops the server from starting.
///
/// Templates read stored properties only, so everything here is plain text, lists and flags.
struct APIReference: Sendable {
    struct Section: Sendable {
        var name: String
        var operations: [Operation]
    }

    struct Operation: Sendable {
        var method: String
        var path: String
        /// The operationId: the page's anchor for it.
        var anchor: String
        var summary: String?
        var description: [String]
        /// Whether it takes a bearer token (`security: []` is a public operation).
        var signedIn: Bool
        var parameters: [Field]
        var body: Body?
        var responses: [Reply]
        /// Stored, not computed: templates read stored properties only.
        var hasParameters = false
    }

    /// A parameter, or a field of a request body.
    struct Field: Sendable {
        var name: String
        /// `path`, `query`, `header`, or `body`.
        var location: String
        var required: Bool
        var type: String
        var rules: [String]
        /// The regular expression (ECMA-262) a value must match, if any.
        var pattern: String?
        /// What the field means (named apart from the operation's `description`, which a
        /// template would show in its place when this is nil).
        var explanation: String?
        /// The allowed values when there are too many to read in a line (currencies, zones).
        var values: Values?
    }

    struct Values: Sendable {
        var count: Int
        var list: String
    }

    struct Body: Sendable {
        var mediaType: String
        var type: String
        var rules: [String]
        var fields: [Field]
        var hasFields = false
    }

    struct Reply: Sendable {
        var status: String
        var description: String
        var content: String?
    }

    var title: String
    var version: String
    var introduction: [String]
    var sections: [Section]
    var operationCount: Int

    /// The reference of the `openapi.yaml` shipped in the resource bundle.
    static func load() throws -> APIReference {
        try APIReference(yaml: try String(contentsOf: try AppResources.openAPIDescription(), encoding: .utf8))
    }

    init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml), let paths = root["paths"]?.mapping else {
            throw APIReferenceUnreadable(reason: "no paths")
        }
        let schemas = SchemaText(root: root)
        title = root["info"]?["title"]?.string ?? "API"
        version = root["info"]?["version"]?.string ?? ""
        introduction = Self.paragraphs(root["info"]?["description"]?.string)
        let signedInByDefault = !(root["security"]?.array().isEmpty ?? true)
        let methods = ["get", "put", "post", "patch", "delete", "head", "options"]
        var byTag: [String: [Operation]] = [:]
        var count = 0
        for (pathNode, item) in paths {
            guard let path = pathNode.string else { continue }
            let shared = item["parameters"]?.array() ?? []
            for (methodNode, node) in item.mapping ?? [:] {
                guard let method = methodNode.string, methods.contains(method) else { continue }
                var operation = Operation(
                    method: method.uppercased(), path: path,
                    anchor: node["operationId"]?.string ?? "\(method)-\(path)",
                    summary: node["summary"]?.string, description: Self.paragraphs(node["description"]?.string),
                    signedIn: node["security"].map { !$0.array().isEmpty } ?? signedInByDefault,
                    parameters: (shared + (node["parameters"]?.array() ?? [])).map { schemas.parameter($0) },
                    body: node["requestBody"].flatMap { schemas.body($0) },
                    responses: (node["responses"]?.mapping ?? [:]).map { status, reply in
                        schemas.reply(status: status.string ?? "", reply)
                    })
                operation.hasParameters = !operation.parameters.isEmpty
                byTag[node["tags"]?.array().first?.string ?? "other", default: []].append(operation)
                count += 1
            }
        }
        let tagOrder = (root["tags"]?.array() ?? []).compactMap { $0["name"]?.string }
        let names = tagOrder + byTag.keys.filter { !tagOrder.contains($0) }.sorted()
        sections = names.compactMap { name in byTag[name].map { Section(name: name, operations: $0) } }
        operationCount = count
    }

    /// Blank-line separated paragraphs, each on one line.
    static func paragraphs(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.components(separatedBy: "\n\n")
            .map { $0.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}

/// The OpenAPI description in the bundle could not be read as one.
struct APIReferenceUnreadable: Error, CustomStringConvertible {
    let reason: String
    var description: String { "openapi.yaml cannot be read for the API reference: \(reason)" }
}

extension Node {
    /// The node a local `$ref` (`#/components/...`) names, or the node itself.
    func resolved(in root: Node) -> Node {
        guard let reference = self["$ref"]?.string, reference.hasPrefix("#/") else { return self }
        var node: Node? = root
        for key in reference.dropFirst(2).split(separator: "/") { node = node?[String(key)] }
        return node ?? self
    }

    /// The component name a `$ref` points at (`CurrencyCode`), if this node is one.
    var referenceName: String? {
        self["$ref"]?.string.flatMap { $0.split(separator: "/").last.map(String.init) }
    }
}
