/// The kinds of file a receipt may be, decided from the file's first bytes (its magic number),
/// never from its name or the Content-Type a client sends: an HTML page named `receipt.png` is
/// not a PNG. Anything else (HTML, SVG, an executable, a ZIP, an empty file) is no receipt.
public enum ReceiptKind: String, Sendable, CaseIterable {
    case jpeg, png, webp, heic, pdf

    /// How many leading bytes `detect` needs to decide.
    public static let signatureLength = 12

    /// The kind whose signature `bytes` starts with, or nil.
    public static func detect(_ bytes: some Collection<UInt8>) -> ReceiptKind? {
        let head = Array(bytes.prefix(signatureLength))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        // HEIF in an ISO base media file: a `ftyp` box whose major brand is one of HEIC's.
        if starts(Array("ftyp".utf8), at: 4), head.count >= 12,
            heifBrands.contains(String(decoding: head[8..<12], as: UTF8.self))
        {
            return .heic
        }
        return nil
    }

    /// The media type it is served with.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .pdf: "application/pdf"
        }
    }

    /// The file name extension of exports and downloads.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .heic: "heic"
        default: rawValue
        }
    }

    /// Images may be shown inline; a PDF is offered as a download.
    public var isImage: Bool { self != .pdf }

    /// Whether browsers draw it in an `<img>`: HEIC they mostly cannot, so it is a link.
    public var isPreviewable: Bool { self == .jpeg || self == .png || self == .webp }

    /// Major brands of HEIF still images and sequences (ISO/IEC 23008-12).
    private static let heifBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]
}
