import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

@testable import ExpenseApp

/// Files for receipt tests: real signatures, then bytes no two fixtures share.
enum ReceiptFixtures {
    static func jpeg(_ size: Int, seed: UInt8 = 1) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0] + filler(size - 4, seed: seed)
    }

    static func pdf(_ size: Int, seed: UInt8 = 2) -> [UInt8] {
        Array("%PDF-1.7\n".utf8) + filler(size - 9, seed: seed)
    }

    /// Bytes with every value, carriage returns and a boundary-like `\r\n--` among them, so a
    /// multipart parser that mistook them for a boundary would corrupt the file.
    static func filler(_ count: Int, seed: UInt8) -> [UInt8] {
        var state = UInt32(seed) &* 2_654_435_761 &+ 1
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count {
            state = state &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: state >> 16))
            if bytes.count % 997 == 0 { bytes.append(contentsOf: Array("\r\n--".utf8)) }
        }
        return Array(bytes.prefix(count))
    }

    static let boundary = "----receipt-test-boundary-7MA4YWxkTrZu0gW"

    /// A `multipart/form-data` body: the text fields in order, then the file part.
    static func multipart(
        fields: [(String, String)] = [], file: [UInt8]?, filename: String = "receipt.jpg",
        contentType: String = "application/octet-stream"
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (name, value) in fields {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let file {
            buffer.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
                    + "Content-Type: \(contentType)\r\n\r\n")
            buffer.writeBytes(file)
            buffer.writeString("\r\n")
        }
        buffer.writeString("--\(boundary)--\r\n")
        return buffer
    }

    static var multipartType: String { "multipart/form-data; boundary=\(boundary)" }
}

/// A response with its body as bytes.
struct BinaryReply {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

extension TestClientProtocol {
    func sendBytes(
        _ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer? = nil, headers: HTTPFields = [:]
    ) async throws -> BinaryReply {
        try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            BinaryReply(
                status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
        }
    }

    /// Uploads `bytes` as the raw body; the reply's JSON.
    func uploadRaw(
        _ bytes: [UInt8], to path: String, name: String? = nil, contentType: String = "application/octet-stream",
        auth: HTTPFields
    ) async throws -> BinaryReply {
        var headers = auth
        headers[.contentType] = contentType
        if let name { headers[.contentDisposition] = "attachment; filename=\"\(name)\"" }
        return try await sendBytes(.post, path, body: ByteBuffer(bytes: bytes), headers: headers)
    }

    func uploadMultipart(
        _ bytes: [UInt8]?, to path: String, filename: String = "receipt.jpg",
        contentType: String = "application/octet-stream", fields: [(String, String)] = [], headers: HTTPFields
    ) async throws -> BinaryReply {
        var headers = headers
        headers[.contentType] = ReceiptFixtures.multipartType
        return try await sendBytes(
            .post, path,
            body: ReceiptFixtures.multipart(fields: fields, file: bytes, filename: filename, contentType: contentType),
            headers: headers)
    }
}
