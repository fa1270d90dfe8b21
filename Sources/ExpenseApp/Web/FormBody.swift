import Foundation
import Hummingbird

/// Reads an `application/x-www-form-urlencoded` body: another media type is a 415, a body over
/// the size limit a 413, and one that does not parse a 400, never a 500.
enum FormBody {
    /// One decoder for every form: it holds no state between calls.
    static let decoder = URLEncodedFormDecoder()

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws
        -> T
    {
        try await decode(T.self, from: request, limit: context.maxUploadSize)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard mediaType == "application/x-www-form-urlencoded" else { throw AppError.unsupportedMediaType }
        let body = try await request.body.collect(upTo: limit)
        return try decode(T.self, from: String(buffer: body))
    }

    /// A form of a route that takes a file: sent as `multipart/form-data` (its text fields were
    /// read while the file was spooled) or, without a file, as any other form.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: OrgRequestContext) async throws
        -> T
    {
        if let upload = context.upload { return try decode(T.self, from: upload.urlEncodedFields) }
        return try await decode(T.self, from: request, limit: context.maxUploadSize)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        do {
            return try decoder.decode(T.self, from: text)
        } catch {
            throw AppError.malformedBody("The form could not be read. Reload the page and try again.")
        }
    }
}
