import Foundation
import Hummingbird

/// Reads a JSON request body strictly: `application/json` only (415 otherwise), within the size
/// limit (413), and a clear 400 naming the field when it does not decode.
enum JSONBody {
    /// One decoder for every request: it holds no state between calls, so sharing it is safe
    /// and saves building one per request.
    static let decoder = JSONDecoder()

    static func decode<T: JSONRequestBody>(_ type: T.Type, from request: Request, context: some RequestContext)
        async throws -> T
    {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard mediaType == "application/json" else { throw AppError.unsupportedMediaType }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        try refuseUnknownFields(in: data, known: Set(T.CodingKeys.allCases.map(\.stringValue)))
        try refuseNulls(in: data, except: (T.self as? any NullableJSONFields.Type)?.nullableFields ?? [])
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw AppError.malformedBody(describe(error))
        } catch {
            throw AppError.malformedBody("The body is not valid JSON.")
        }
    }

    /// A field the request does not take is refused, not ignored: a client that sends
    /// `category` for `category_id` learns at once instead of losing the value.
    static func refuseUnknownFields(in data: Data, known: Set<String>) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        let unknown = Set(object.keys).subtracting(known).sorted()
        guard !unknown.isEmpty else { return }
        let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
        throw AppError.malformedBody(
            (unknown.count == 1 ? "Unknown field \(names)" : "Unknown fields \(names)")
                + "; this request takes " + known.sorted().joined(separator: ", ") + ".")
    }

    /// `null` only where the contract allows it (`category_id`, to clear it): elsewhere a null
    /// would read as "absent" and slip past the schema's types.
    static func refuseNulls(in data: Data, except allowed: Set<String>) throws {
        // Most bodies hold no null at all: only those are parsed a second time.
        guard data.range(of: Data("null".utf8)) != nil,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return }
        if let field = object.keys.sorted().first(where: { object[$0] is NSNull && !allowed.contains($0) }) {
            throw AppError.malformedBody("The field '\(field)' must not be null.")
        }
    }

    /// A message naming the field, never the decoder's internals.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "The field '\(field)' is required."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "The body must be a JSON object." : "The field '\(field)' has the wrong type."
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "The body is not valid JSON." : "The field '\(field)' has an invalid value."
        @unknown default:
            return "The body is not valid JSON."
        }
    }
}

/// A JSON request body that names every field it takes (its `CodingKeys`), so that any other
/// field is refused.
protocol JSONRequestBody: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

/// A request body with fields that may be `null` on purpose.
protocol NullableJSONFields {
    static var nullableFields: Set<String> { get }
}

extension ExpenseInput: JSONRequestBody {}
extension OrganizationService.SettingsInput: JSONRequestBody {}
extension CategoryService.Change: JSONRequestBody {}

/// `receipt_required_above: null` lifts the receipt rule.
extension OrganizationService.SettingsInput: NullableJSONFields {
    static let nullableFields: Set<String> = ["receipt_required_above"]
}
