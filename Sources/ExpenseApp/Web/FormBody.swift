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
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard mediaType == "application/x-www-form-urlencoded" else { throw AppError.unsupportedMediaType }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try decoder.decode(T.self, from: String(buffer: body))
        } catch {
            throw AppError.malformedBody("The form could not be read. Reload the page and try again.")
        }
    }
}
