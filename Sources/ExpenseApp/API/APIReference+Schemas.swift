import Foundation
import Yams

/// Schemas written out for a person: a type line ("string, format email") and the rules a value
/// must keep ("1 to 200 characters", "matches `…`", "one of: owner, admin"), read from the
/// description's `$ref`s, parameters, request bodies and responses.
struct SchemaText {
    let root: Node

    /// Enums longer than this are listed apart (a currency or time zone list), not in the line.
    static let inlineValues = 12

    struct Summary {
        var type: String
        var rules: [String] = []
        var pattern: String?
        var description: String?
        var values: APIReference.Values?
    }

    func parameter(_ node: Node) -> APIReference.Field {
        let parameter = node.resolved(in: root)
        let schema = parameter["schema"].map(summary) ?? Summary(type: "string")
        return APIReference.Field(
            name: parameter["name"]?.string ?? "", location: parameter["in"]?.string ?? "",
            required: parameter["required"]?.bool ?? false, type: schema.type, rules: schema.rules,
            pattern: schema.pattern, explanation: parameter["description"]?.string ?? schema.description,
            values: schema.values)
    }

    func body(_ node: Node) -> APIReference.Body? {
        let body = node.resolved(in: root)
        guard let (mediaType, content) = body["content"]?.mapping?.first, let schemaNode = content["schema"] else {
            return nil
        }
        let schema = schemaNode.resolved(in: root)
        let required = Set((schema["required"]?.array() ?? []).compactMap(\.string))
        let fields = (schema["properties"]?.mapping ?? [:]).map { name, property in
            let text = summary(property)
            return APIReference.Field(
                name: name.string ?? "", location: "body", required: required.contains(name.string ?? ""),
                type: text.type, rules: text.rules, pattern: text.pattern, explanation: text.description,
                values: text.values)
        }
        var rules: [String] = []
        for (field, needs) in schema["dependentRequired"]?.mapping ?? [:] {
            let names = needs.array().compactMap(\.string).joined(separator: ", ")
            rules.append("With \(field.string ?? ""), \(names) is required too.")
        }
        if schema["additionalProperties"]?.bool == false {
            rules.append("A field not listed here is refused (400).")
        }
        let name = schemaNode.referenceName.map { " (\($0))" } ?? ""
        return APIReference.Body(
            mediaType: mediaType.string ?? "", type: (schema["type"]?.string ?? "object") + name,
            rules: rules + (schema["description"]?.string.map { [$0] } ?? []), fields: fields,
            hasFields: !fields.isEmpty)
    }

    func reply(status: String, _ node: Node) -> APIReference.Reply {
        let reply = node.resolved(in: root)
        let content = (reply["content"]?.mapping ?? [:]).map { mediaType, media in
            let schema = media["schema"]
            let name = schema?.referenceName ?? schema.map { summary($0).type } ?? ""
            return [mediaType.string ?? "", name].filter { !$0.isEmpty }.joined(separator: ": ")
        }
        return APIReference.Reply(
            status: status, description: node["description"]?.string ?? reply["description"]?.string ?? "",
            content: content.isEmpty ? nil : content.joined(separator: "; "))
    }

    /// The type line and rules of a schema; a `$ref` is followed, and its name kept in the type.
    func summary(_ node: Node) -> Summary {
        let schema = node.resolved(in: root)
        var text: Summary
        if let alternatives = schema["anyOf"] ?? schema["oneOf"] {
            let parts = alternatives.array().map(summary)
            text = Summary(type: parts.map(\.type).joined(separator: " or "))
            text.rules = parts.flatMap(\.rules)
            text.values = parts.lazy.compactMap(\.values).first
            text.pattern = parts.lazy.compactMap(\.pattern).first
        } else {
            text = Summary(type: typeLine(schema))
            text.rules = rules(schema)
            text.values = values(schema)
            text.pattern = schema["pattern"]?.string
        }
        if let name = node.referenceName, schema["properties"] == nil { text.type += " (\(name))" }
        text.description = node["description"]?.string ?? schema["description"]?.string
        return text
    }

    private func typeLine(_ schema: Node) -> String {
        if schema["const"]?.string == "" { return "empty string" }
        var types =
            schema["type"].map { $0.sequence != nil ? $0.array().compactMap(\.string) : [$0.string ?? ""] } ?? []
        if types.isEmpty { types = ["any"] }
        var line = types.joined(separator: " or ")
        if types.contains("array"), let items = schema["items"] { line = "array of " + summary(items).type }
        if let format = schema["format"]?.string { line += ", format \(format)" }
        return line
    }

    private func rules(_ schema: Node) -> [String] {
        var rules: [String] = []
        switch (schema["minLength"]?.int, schema["maxLength"]?.int) {
        case (let low?, let high?): rules.append("\(low) to \(high) characters")
        case (let low?, nil): rules.append("at least \(low) characters")
        case (nil, let high?): rules.append("at most \(high) characters")
        case (nil, nil): break
        }
        switch (schema["minimum"]?.string, schema["maximum"]?.string) {
        case (let low?, let high?): rules.append("from \(low) to \(high)")
        case (let low?, nil): rules.append("at least \(low)")
        case (nil, let high?): rules.append("at most \(high)")
        case (nil, nil): break
        }
        if let most = schema["maxItems"]?.int { rules.append("at most \(most) items") }
        if let items = schema["items"] {
            let item = summary(items)
            rules += item.rules.map { "each item: \($0)" }
            rules += item.pattern.map { ["each item matches \($0)"] } ?? []
        }
        let allowed = schema["enum"]?.array().compactMap(\.string) ?? []
        if !allowed.isEmpty {
            rules.append(
                allowed.count <= Self.inlineValues
                    ? "one of: " + allowed.joined(separator: ", ") : "one of the \(allowed.count) values listed")
        }
        if let fallback = schema["default"]?.string { rules.append("default: \(fallback)") }
        return rules
    }

    private func values(_ schema: Node) -> APIReference.Values? {
        let allowed = schema["enum"]?.array().compactMap(\.string) ?? []
        guard allowed.count > Self.inlineValues else { return nil }
        return APIReference.Values(count: allowed.count, list: allowed.joined(separator: ", "))
    }
}
