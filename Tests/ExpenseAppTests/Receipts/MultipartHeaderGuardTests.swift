import NIOCore
import Testing

@testable import ExpenseApp

/// The check in front of MultipartKit's parser: what it passes the parser can be given, what it
/// refuses would crash it or grow without end; the same whether the body comes whole or a byte
/// at a time.
@Suite struct MultipartHeaderGuardTests {
    static func passes(_ body: String, boundary: String = "X", pieceSize: Int? = nil) -> Bool {
        var guardian = MultipartHeaderGuard(boundary: boundary)
        let bytes = Array(body.utf8)
        let size = pieceSize ?? max(bytes.count, 1)
        do {
            for start in stride(from: 0, to: bytes.count, by: size) {
                try guardian.check(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + size)]))
            }
            return true
        } catch {
            return false
        }
    }

    static let form =
        "--X\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntoken\r\n"
        + "--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"caf\u{E9} \u{1F9FE}.jpg\"\r\n"
        + "Content-Type: image/jpeg\r\n\r\n\u{FF}\u{D8}\r\n-\r\n--Y\r\n\u{80}: not a header, file bytes\r\n--X--\r\nafter"

    @Test func aFormWithUTF8NamesAndAnyFileBytesPasses() {
        #expect(Self.passes(Self.form))
        #expect(Self.passes("\r\n" + Self.form))
        for size in [1, 2, 3, 7, 64] { #expect(Self.passes(Self.form, pieceSize: size), "pieces of \(size)") }
    }

    @Test func aHeaderNameWithAByteOverSevenBitsIsRefusedWherever() {
        for body in [
            "--X\r\n\u{E9}: a\r\n\r\nb\r\n--X--\r\n",
            "--X\r\nContent-Disposition: form-data; name=\"a\"\r\nx\u{FF}y: 1\r\n\r\nb\r\n--X--\r\n",
            "--X\r\nA: v\r\n\r\nbody\r\n--X\r\n\u{80}: v\r\n\r\n",
        ] {
            #expect(!Self.passes(body), "\(body.debugDescription)")
            #expect(!Self.passes(body, pieceSize: 1), "\(body.debugDescription) a byte at a time")
        }
    }

    @Test func aPreambleIsRefused() {
        // The parser finds a delimiter anywhere in a preamble; the check would not follow it there.
        for body in ["a--X\r\n\u{80}: v\r\n\r\n", "\n--X\r\n\u{80}: v\r\n\r\n", "\r\n\r\n--X\r\nA: v\r\n\r\n"] {
            #expect(!Self.passes(body), "\(body.debugDescription)")
        }
    }

    @Test func endlessHeadersAndTooManyPartsAreRefused() {
        let long = "--X\r\nContent-Disposition: form-data; name=\"" + String(repeating: "a", count: 9000)
        #expect(!Self.passes(long))
        #expect(!Self.passes(long, pieceSize: 100))
        let part = "--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n"
        #expect(Self.passes(String(repeating: part, count: MultipartHeaderGuard.partLimit) + "--X--\r\n"))
        #expect(!Self.passes(String(repeating: part, count: MultipartHeaderGuard.partLimit + 1) + "--X--\r\n"))
    }
}
