import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A receipt's file as a response, the same for the API and the pages: opaque bytes that no
/// browser may sniff, run or frame, streamed a stored row at a time.
enum ReceiptResponses {
    /// The file, or 304 when `If-None-Match` names it (a receipt's bytes never change, so its
    /// SHA-256 is its ETag). Images are served inline (the expense page previews them); a PDF
    /// is always a download.
    static func file(_ receipt: Receipt, bytes: ReceiptBytes, request: Request) -> Response {
        let etag = "\"\(receipt.sha256Hex)\""
        var headers: HTTPFields = [
            .eTag: etag,
            .cacheControl: "private, no-cache",
            .contentSecurityPolicy: SecurityHeaders.filePolicy,
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Cross-Origin-Resource-Policy")!: "same-origin",
        ]
        if let match = request.headers[.ifNoneMatch], matches(match, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = receipt.kind.mediaType
        headers[.contentLength] = String(receipt.size)
        headers[.contentDisposition] = contentDisposition(
            receipt.isShownInline ? "inline" : "attachment", name: receipt.downloadName)
        let body = ResponseBody { writer in
            try await bytes.forEachChunk { chunk in try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Whether an `If-None-Match` list names `etag` (weak or strong), or is `*` alone.
    static func matches(_ header: String, etag: String) -> Bool {
        if header.trimmingCharacters(in: .whitespaces) == "*" { return true }
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == etag || tag == "W/" + etag
        }
    }

    /// `disposition; filename="…"; filename*=UTF-8''…`: an ASCII name for old clients, the
    /// real one (RFC 6266) for the rest.
    static func contentDisposition(_ disposition: String, name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar.value != 0x7F
                    ? Character(scalar) : "_"
            })
        let allowed = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&+^`|")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "\(disposition); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

extension Receipt {
    /// Images open in the browser (previews); a PDF, which can carry scripts and forms, is
    /// always saved.
    var isShownInline: Bool { kind.isImage }
}
