import Foundation

/// A `next` target that stays on this site: a path, never `//host` or a scheme.
enum LocalRedirect {
    static func path(_ candidate: String?) -> String? {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.contains("\\"),
            !candidate.contains(where: { $0.isNewline || $0 == "\t" }), candidate.count <= 512
        else { return nil }
        return candidate
    }
}
