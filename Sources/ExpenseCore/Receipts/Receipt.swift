import Foundation

public enum ReceiptTag {}
public typealias ReceiptID = Identifier<ReceiptTag>

/// A file attached to an expense as its proof. Its bytes are kept once per organization and
/// content: two receipts of the same file share them (and count once against the quota).
public struct Receipt: Sendable, Equatable {
    public var id: ReceiptID
    public var expenseID: ExpenseID
    public var kind: ReceiptKind
    /// Bytes in the file.
    public var size: Int64
    /// SHA-256 of the file: what identifies its stored bytes, and its ETag.
    public var sha256: [UInt8]
    /// CRC-32 of the file, which a ZIP entry's header states before its bytes.
    public var crc32: UInt32
    /// The name it was uploaded under, cleaned (`ReceiptName.clean`).
    public var filename: String
    public var uploadedBy: UserID
    public var createdAt: Date

    public init(
        id: ReceiptID, expenseID: ExpenseID, kind: ReceiptKind, size: Int64, sha256: [UInt8], crc32: UInt32,
        filename: String, uploadedBy: UserID, createdAt: Date
    ) {
        self.id = id
        self.expenseID = expenseID
        self.kind = kind
        self.size = size
        self.sha256 = sha256
        self.crc32 = crc32
        self.filename = filename
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
    }

    /// The SHA-256 in lowercase hex, as the API shows it.
    public var sha256Hex: String { Hex.lowercase(sha256) }

    /// The name a download is saved under: the uploaded name, with the extension of what the
    /// bytes are when it names something else (`scan.pdf` holding a JPEG becomes `scan.pdf.jpg`),
    /// so the saved file opens in the right program.
    public var downloadName: String { ReceiptName.withExtension(filename, of: kind) }

    /// Storage used, as people read it: "12.4 MB", "640 KB", "1.2 GB" (decimal units, a tenth
    /// shown below 100, so a 10 MiB limit reads "10.5 MB", never less than it is).
    public static func sizeText(_ bytes: Int64) -> String {
        if bytes < 1000 { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 999.95, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let text = value < 100 ? String(format: "%.1f", value) : String(format: "%.0f", value)
        return "\(text) \(units[unit])"
    }
}

/// The file names receipts are kept and offered under.
public enum ReceiptName {
    /// The longest name kept, in Unicode scalars (so in characters too).
    public static let limit = 120

    /// The last path component of a client's file name, without control characters and
    /// separators, in Unicode NFC, at most `limit` characters with the extension kept; a name
    /// with nothing left becomes `receipt.<ext>`.
    public static func clean(_ raw: String?, kind: ReceiptKind) -> String {
        let base = (raw ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(
            String.UnicodeScalarView(
                base.precomposedStringWithCanonicalMapping.unicodeScalars.filter {
                    !$0.properties.isNoncharacterCodePoint && $0.properties.generalCategory != .control
                        && $0.properties.generalCategory != .format && $0 != "\""
                })
        ).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        guard !name.isEmpty else { return "receipt.\(kind.fileExtension)" }
        if name.unicodeScalars.count > limit {
            let ext = (name as NSString).pathExtension
            let keep = ext.isEmpty || ext.unicodeScalars.count > 10 ? "" : "." + ext
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: name.unicodeScalars.prefix(limit - keep.unicodeScalars.count))
            name = String(scalars) + keep
        }
        return name
    }

    /// `name` ending in an extension `kind` is known by (`.jpg` and `.jpeg` for JPEG), adding
    /// one when it has another or none.
    public static func withExtension(_ name: String, of kind: ReceiptKind) -> String {
        let ext = (name as NSString).pathExtension.lowercased()
        let known: Set<String> =
            switch kind {
            case .jpeg: ["jpg", "jpeg"]
            case .heic: ["heic", "heif"]
            default: [kind.fileExtension]
            }
        return known.contains(ext) ? name : "\(name).\(kind.fileExtension)"
    }

    /// A name made of a few words for an archive entry: letters and digits of any script kept,
    /// every other run of characters one `-`, at most `length` characters ("Café Central, Lda" →
    /// "Café-Central-Lda").
    public static func slug(_ text: String, length: Int = 40) -> String {
        var slug = ""
        var pendingDash = false
        for character in text.precomposedStringWithCanonicalMapping {
            if character.isLetter || character.isNumber {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.append(character)
            } else {
                pendingDash = true
            }
            if slug.count >= length { break }
        }
        return String(slug.prefix(length))
    }
}
