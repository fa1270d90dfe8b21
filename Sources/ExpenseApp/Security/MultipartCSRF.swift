import Hummingbird
import MultipartKit
import NIOCore

/// The synchronizer-token check of a `multipart/form-data` form, made while its body streams.
///
/// A file upload cannot be read into memory to find `_csrf` the way a small form is, so a form
/// that sends a file carries `_csrf` as its first field, and this body checks that field before
/// it hands on a single byte: the upload reader that iterates it never sees, let alone spools,
/// a file that came without this session's token. The bytes it read to decide are handed on
/// unchanged, then the rest of the body.
struct CSRFCheckedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let boundary: String
    let expectedToken: String
    /// The most the first field may take before it must have ended.
    static let firstFieldLimit = 16 * 1024

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let boundary: String
        let expectedToken: String
        var checked = false
        var replay: [ByteBuffer] = []

        mutating func next() async throws -> ByteBuffer? {
            if !checked {
                try await check()
                checked = true
            }
            if !replay.isEmpty { return replay.removeFirst() }
            return try await base.next()
        }

        private final class FirstField {
            var name: String?
            var value: [UInt8] = []
            var complete = false
        }

        private mutating func check() async throws {
            let parser = MultipartParser(boundary: boundary)
            var headerGuard = MultipartHeaderGuard(boundary: boundary)
            let field = FirstField()
            parser.onHeader = { name, value in
                // The parser reads on into the next parts of the same buffer: only the first counts.
                if !field.complete, name.lowercased() == "content-disposition" {
                    field.name = MultipartHeader.parameter("name", in: value)
                }
            }
            parser.onBody = { bytes in
                if !field.complete { field.value.append(contentsOf: bytes.readableBytesView) }
            }
            parser.onPartComplete = { field.complete = true }
            var read = 0
            while !field.complete {
                guard let buffer = try await base.next() else { break }
                replay.append(buffer)
                read += buffer.readableBytes
                // Only the bytes up to the first field's end matter; a parse error is a refusal
                // (and a body the parser cannot be given safely is one before it sees it).
                // The parser is never fed again after an error: it keeps the state it had.
                do {
                    try headerGuard.check(buffer)
                    try parser.execute(buffer)
                } catch {
                    throw AppError.crossSiteRequest
                }
                if !field.complete, read > CSRFCheckedBody.firstFieldLimit { break }
            }
            let token = String(decoding: field.value, as: UTF8.self)
            guard field.complete, field.name == "_csrf", CSRFProtection.constantTimeEquals(token, expectedToken)
            else { throw AppError.crossSiteRequest }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), boundary: boundary, expectedToken: expectedToken)
    }
}
