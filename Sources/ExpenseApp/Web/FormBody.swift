import Hummingbird

/// Reads an `application/x-www-form-urlencoded` body. A body that does not parse is a 400, not
/// a 500; one over the size limit stays a 413.
enum FormBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws
        -> T
    {
        do {
            return try await URLEncodedFormDecoder().decode(T.self, from: request, context: context)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw AppError.malformedBody("The form could not be read. Reload the page and try again.")
        }
    }
}
