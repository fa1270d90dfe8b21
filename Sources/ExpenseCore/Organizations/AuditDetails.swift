import Foundation

/// The values an audited change touched: what they were and became (a settings change, a role
/// change), or plain facts of the event (the address an invitation went to).
///
/// Stored as a JSON object: `{"before": {...}, "after": {...}}` (either side may be absent) for
/// a change, the facts' own flat object otherwise. The stored form is read back by `decode`, the
/// one place that knows it.
public enum AuditDetails: Sendable, Equatable {
    case change(before: [String: String], after: [String: String])
    case facts([String: String])

    public static func before(_ values: [String: String]) -> AuditDetails { .change(before: values, after: [:]) }
    public static func after(_ values: [String: String]) -> AuditDetails { .change(before: [:], after: values) }

    /// The stored JSON text, keys sorted.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data? =
            switch self {
            case .change(let before, let after) where before.isEmpty && after.isEmpty:
                // Still a change (of nothing), so it reads back as one rather than as no facts.
                try? encoder.encode(["after": after])
            case .change(let before, let after):
                try? encoder.encode(["before": before, "after": after].filter { !$0.value.isEmpty })
            case .facts(let values): try? encoder.encode(values)
            }
        // Encoding a dictionary of strings cannot fail.
        return String(decoding: data ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads the stored JSON text: a non-empty object whose keys are only `before` and `after`,
    /// each an object of strings, is a change; an object of strings without those two keys is
    /// facts; anything else is nil.
    public static func decode(_ json: String) -> AuditDetails? {
        let data = Data(json.utf8)
        if let sides = try? JSONDecoder().decode([String: [String: String]].self, from: data), !sides.isEmpty,
            Set(sides.keys).isSubset(of: ["before", "after"])
        {
            return .change(before: sides["before"] ?? [:], after: sides["after"] ?? [:])
        }
        // Facts never use the two keys of a change, so no text reads as both.
        guard let facts = try? JSONDecoder().decode([String: String].self, from: data),
            facts["before"] == nil, facts["after"] == nil
        else { return nil }
        return .facts(facts)
    }
}
