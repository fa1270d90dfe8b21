import Foundation
import HTTPTypes
import Hummingbird

/// ETags and `If-Match` for versioned records: the ETag is the quoted version number.
enum HTTPPreconditions {
    static func eTag(version: Int) -> String { "\"\(version)\"" }

    /// The version `If-Match` names; nil when the header is absent or `*`. A header naming no
    /// version this server gave (or several) can never match: 412.
    static func version(from request: Request) throws -> Int? {
        guard let raw = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if raw == "*" { return nil }
        var tag = Substring(raw)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let version = Int(tag.dropFirst().dropLast()) else {
            throw AppError.preconditionFailed
        }
        return version
    }
}

extension Request {
    /// The query string's parameters, the last value winning when one is repeated.
    var queryValues: [String: String] {
        var values: [String: String] = [:]
        for (key, value) in uri.queryParameters { values[String(key)] = String(value) }
        return values
    }

    /// The query of a page's GET form: a field left blank is sent empty and means "not given".
    /// (The API reads `queryValues`, where an empty value is an error like any other bad one.)
    var formQueryValues: [String: String] {
        queryValues.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
