import ExpenseCore
import Testing

/// A receipt's kind comes from its bytes: the five accepted signatures are recognised, and
/// what only looks like them by name, or is another kind of file, is not.
@Suite struct ReceiptKindTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func theFiveKindsAreRecognisedByTheirSignatures() {
        #expect(ReceiptKind.detect([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10] + Self.bytes("JFIF")) == .jpeg)
        #expect(ReceiptKind.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]) == .png)
        #expect(ReceiptKind.detect(Self.bytes("RIFF") + [0x24, 0, 0, 0] + Self.bytes("WEBPVP8 ")) == .webp)
        #expect(ReceiptKind.detect([0, 0, 0, 0x18] + Self.bytes("ftypheic") + [0, 0, 0, 0]) == .heic)
        #expect(ReceiptKind.detect([0, 0, 0, 0x1C] + Self.bytes("ftypmif1")) == .heic)
        #expect(ReceiptKind.detect(Self.bytes("%PDF-1.7\n%âãÏÓ")) == .pdf)
    }

    @Test(arguments: [
        ("html named receipt.png", "<!DOCTYPE html><html><body>receipt</body></html>"),
        ("svg", #"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>"#),
        ("bare svg", "<svg onload=alert(1)>"),
        ("zip", "PK\u{3}\u{4}\u{14}\u{0}\u{0}\u{0}"),
        ("wave audio in RIFF", "RIFF$\u{0}\u{0}\u{0}WAVEfmt "),
        ("avif", "\u{0}\u{0}\u{0}\u{1C}ftypavif"),
        ("text", "total 12.50 EUR"),
        ("empty", ""),
        ("pdf signature not at the start", " %PDF-1.7"),
    ])
    func otherFilesAreNoReceipts(name: String, content: String) {
        #expect(ReceiptKind.detect(Array(content.utf8)) == nil, "\(name)")
    }

    @Test func executablesAndCutSignaturesAreNoReceipts() {
        #expect(ReceiptKind.detect([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1]) == nil)  // ELF
        #expect(ReceiptKind.detect(Self.bytes("MZ") + [0x90, 0]) == nil)  // a Windows executable
        #expect(ReceiptKind.detect([0xFF, 0xD8]) == nil)
        #expect(ReceiptKind.detect([0x89, 0x50, 0x4E, 0x47]) == nil)
        #expect(ReceiptKind.detect(Self.bytes("RIFF")) == nil)
    }

    @Test func eachKindHasItsMediaTypeExtensionAndPresentation() {
        #expect(
            ReceiptKind.allCases.map(\.mediaType) == [
                "image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf",
            ])
        #expect(ReceiptKind.allCases.map(\.fileExtension) == ["jpg", "png", "webp", "heic", "pdf"])
        #expect(ReceiptKind.allCases.filter(\.isImage) == [.jpeg, .png, .webp, .heic])
    }
}
