import ExpenseCore
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// What an upload request carried: its text fields, and the file, spooled and checked, or why
/// the file was refused.
struct Upload: Sendable {
    /// The text fields of a `multipart/form-data` body in the order sent (none for a raw body).
    var fields: [(name: String, value: String)] = []
    /// The file, when one was sent and it is a receipt within the size limit.
    var file: SpooledFile?
    /// Why the file sent was not taken; the body was not read past it.
    var refusal: FileSpool.Refusal?

    func field(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// For an API route whose form takes exactly `known` besides the file: a field sent twice is
    /// ambiguous and one it does not take would be silently lost, so both are refused (400), as
    /// a JSON body's unknown fields are.
    func requireFields(known: Set<String>) throws {
        var seen = Set<String>()
        for field in fields {
            // A `file` part without a filename is no file: alone, the missing file is answered
            // first (422); beside a real file part it is ignored, as on every upload route.
            guard known.contains(field.name) || field.name == "file" else {
                throw AppError.malformedBody(
                    "Unknown field '\(field.name)'; this request takes file, " + known.sorted().joined(separator: ", ")
                        + ".")
            }
            guard seen.insert(field.name).inserted else {
                throw AppError.malformedBody("The field '\(field.name)' is sent more than once.")
            }
        }
    }

    /// The fields as an `application/x-www-form-urlencoded` string, so a multipart form is read
    /// by the same decoder as every other form.
    var urlEncodedFields: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
    }

    /// The upload's file, or the error that refuses it (none sent: 422).
    static func requireFile(_ upload: Upload?, limit: Int) throws -> SpooledFile {
        if let refusal = upload?.refusal { throw error(for: refusal, limit: limit) }
        guard let file = upload?.file else {
            throw AppError.validation(.init("file", "Send the file as the body, or in the form field \"file\"."))
        }
        return file
    }

    /// The error an API answers for a refused file.
    static func error(for refusal: FileSpool.Refusal, limit: Int) -> AppError {
        switch refusal {
        case .tooLarge: .fileTooLarge(limit: limit)
        case .notAReceipt: .notAReceipt
        case .empty: .emptyFile
        case .notText: .validation(.init("file", "The file is not text: it holds a NUL byte."))
        }
    }

    func remove() async { await file?.remove() }

    /// What a refused kind of file is told.
    static let kindsMessage = "This file is not a receipt: send a JPEG, PNG, WebP or HEIC photo, or a PDF."
}

/// Reads an upload as it streams in: `multipart/form-data` (the file in the part named `file`,
/// parsed by MultipartKit) or the raw file as the body (its name from `Content-Disposition`).
///
/// Only the file is ever large: it goes to a `FileSpool`, which refuses it past `fileLimit`
/// bytes or once its first bytes show it is no receipt, and reading stops there. Text fields
/// together are held to `fieldLimit` bytes (413 past it); one file per request.
struct UploadReader {
    let fileLimit: Int
    /// Receipts, or a text file such as a rate file.
    var accepting: FileSpool.Accepting = .receipts
    /// What the caller's role must allow for the file to be read at all, on a route that does
    /// not name an expense (one that does is decided by who may change that expense).
    var permission: Permission = .createExpenses
    var fieldLimit = 64 * 1024

    func read(_ request: Request) async throws -> Upload {
        let contentType = request.headers[.contentType] ?? ""
        // A body that says it is larger than any file and its fields could be is refused unread.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > fileLimit + 2 * fieldLimit {
            return Upload(refusal: .tooLarge)
        }
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == "multipart/form-data" {
            guard let boundary = MultipartHeader.parameter("boundary", in: contentType),
                (1...70).contains(boundary.utf8.count)
            else { throw AppError.malformedBody("The multipart body has no boundary of 1 to 70 characters.") }
            return try await readMultipart(request.body, boundary: boundary)
        }
        if mediaType == "application/x-www-form-urlencoded" || mediaType == "application/json" {
            throw AppError.malformedBody("Send the file as multipart/form-data (field \"file\") or as the raw body.")
        }
        let name = request.headers[.contentDisposition].flatMap { MultipartHeader.filename(in: $0) }
        var upload = Upload()
        var spool = try await FileSpool.open(limit: Int64(fileLimit), accepting: accepting)
        do {
            for try await buffer in request.body { try await spool.write(buffer) }
            upload.file = try await spool.finish(filename: name)
        } catch let refusal as FileSpool.Refusal {
            await spool.discard()
            upload.refusal = refusal
        } catch {
            await spool.discard()
            throw error
        }
        return upload
    }

    /// What the parser's callbacks report, handled after each piece of the body is parsed (the
    /// callbacks cannot wait for a file write).
    private enum Event {
        case header(String, String)
        case body(ByteBuffer)
        case partEnd
    }

    private final class Events {
        var list: [Event] = []

        /// The parser hands a part's bytes over in pieces that end at every carriage return:
        /// consecutive ones are joined, so the file is written in pieces of the network's size.
        func body(_ bytes: ByteBuffer) {
            if case .body(var last) = list.last {
                list.removeLast()
                last.writeImmutableBuffer(bytes)
                list.append(.body(last))
            } else {
                list.append(.body(bytes))
            }
        }
    }

    private struct Part {
        var name: String?
        var filename: String?
        var headersDone = false
        var text: [UInt8] = []
        var spool: FileSpool?
        /// File bytes not yet written: the spool is written in pieces of about `writeSize`.
        var pending = ByteBuffer()
    }

    /// The size of the spool's writes.
    static let writeSize = 256 * 1024

    private func readMultipart(_ body: RequestBody, boundary: String) async throws -> Upload {
        let parser = MultipartParser(boundary: boundary)
        var headerGuard = MultipartHeaderGuard(boundary: boundary)
        let events = Events()
        parser.onHeader = { events.list.append(.header($0, $1)) }
        parser.onBody = { events.body($0) }
        parser.onPartComplete = { events.list.append(.partEnd) }
        var upload = Upload()
        var part = Part()
        var fieldBytes = 0
        var bodyBytes = 0
        var sawFile = false
        do {
            for try await buffer in body {
                // The file, the fields and their headers together: nothing else may add up.
                bodyBytes += buffer.readableBytes
                if bodyBytes > fileLimit + 2 * fieldLimit { throw AppError.fieldsTooLarge }
                do {
                    try headerGuard.check(buffer)
                    try parser.execute(buffer)
                } catch {
                    throw AppError.malformedBody("The multipart body could not be read.")
                }
                for event in events.list {
                    switch event {
                    case .header(let name, let value):
                        fieldBytes += name.utf8.count + value.utf8.count
                        if fieldBytes > fieldLimit { throw AppError.fieldsTooLarge }
                        guard name.lowercased() == "content-disposition" else { continue }
                        part.name = MultipartHeader.parameter("name", in: value)
                        part.filename = MultipartHeader.filename(in: value)
                    case .body(let bytes):
                        if !part.headersDone {
                            part.headersDone = true
                            if part.name == "file", part.filename != nil {
                                if sawFile { throw AppError.malformedBody("Send one file per upload.") }
                                sawFile = true
                                part.spool = try await FileSpool.open(
                                    limit: Int64(fileLimit), accepting: accepting)
                            }
                        }
                        if part.spool != nil {
                            part.pending.writeImmutableBuffer(bytes)
                            if part.pending.readableBytes >= Self.writeSize {
                                try await part.spool!.write(part.pending)
                                part.pending.clear()
                            }
                        } else {
                            fieldBytes += bytes.readableBytes
                            if fieldBytes > fieldLimit { throw AppError.fieldsTooLarge }
                            part.text.append(contentsOf: bytes.readableBytesView)
                        }
                    case .partEnd:
                        if part.spool != nil {
                            // Written while the spool is still the part's, so a refusal discards it.
                            try await part.spool!.write(part.pending)
                            let spool = part.spool!
                            part.spool = nil
                            upload.file = try await spool.finish(filename: part.filename)
                        } else if part.name == "file", part.filename != nil {
                            // An empty file part: a form sent with no file chosen names an empty
                            // file, which is "no file"; a chosen file with no bytes is refused.
                            if sawFile { throw AppError.malformedBody("Send one file per upload.") }
                            if part.filename?.isEmpty == false { upload.refusal = .empty }
                            sawFile = true
                        } else if let name = part.name {
                            upload.fields.append((name, String(decoding: part.text, as: UTF8.self)))
                        }
                        part = Part()
                    }
                }
                events.list.removeAll(keepingCapacity: true)
            }
        } catch let refusal as FileSpool.Refusal {
            await part.spool?.discard()
            await upload.remove()
            return Upload(fields: upload.fields, file: nil, refusal: refusal)
        } catch {
            await part.spool?.discard()
            await upload.remove()
            throw error
        }
        if part.spool != nil || part.headersDone {
            await part.spool?.discard()
            await upload.remove()
            throw AppError.malformedBody("The multipart body ended before its last part.")
        }
        return upload
    }
}

/// Parameters of `Content-Type` and `Content-Disposition` header values.
enum MultipartHeader {
    /// The value of `name=` in a header value (quoted or not), nil when absent.
    static func parameter(_ name: String, in value: String) -> String? {
        for piece in split(value).dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var text = pair[1]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return text
        }
        return nil
    }

    /// The file name of a `Content-Disposition` value: `filename*=UTF-8''…` (RFC 5987) before
    /// `filename=`.
    static func filename(in value: String) -> String? {
        if let extended = parameter("filename*", in: value) {
            let parts = extended.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3, parts[0].lowercased() == "utf-8", let decoded = parts[2].removingPercentEncoding {
                return decoded
            }
        }
        return parameter("filename", in: value)
    }

    /// `value` split at the semicolons outside quotes.
    private static func split(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        return pieces
    }
}
