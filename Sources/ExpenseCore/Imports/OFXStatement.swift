import Foundation

/// The transactions of an OFX statement, 1.x (SGML: leaf elements need no closing tag) or 2.x
/// (XML): each `<STMTTRN>` block's `TRNAMT`, `DTPOSTED`, `FITID`, `NAME`, `PAYEE`'s `NAME` and
/// `MEMO`, with the statement's `CURDEF` and account id.
///
/// A scanner of tags rather than an XML parser: 1.x files are not XML, and Foundation's XML
/// parser would add libxml2 to the runtime for the 2.x ones. The file is read whole (uploads are
/// limited); a statement's bytes are small beside the expenses they become.
public struct OFXStatement: Sendable, Equatable {
    public struct Transaction: Sendable, Equatable {
        /// Its place in the file, from 1.
        public var index: Int
        public var fitID: String?
        /// `YYYYMMDD…` as the bank wrote it.
        public var posted: String?
        /// Signed, with a point: money out is negative.
        public var amount: String?
        public var name: String?
        public var memo: String?
        public var currency: String?
    }

    public var currency: String?
    public var account: String?
    public var transactions: [Transaction]

    /// The text is not OFX.
    public struct Malformed: Error, Equatable {
        public var detail: String
    }

    public init(parsing bytes: [UInt8]) throws {
        guard let text = String(validating: bytes, as: UTF8.self) ?? String(bytes: bytes, encoding: .isoLatin1) else {
            throw Malformed(detail: "The file is not text.")
        }
        guard text.range(of: "<OFX>", options: .caseInsensitive) != nil else {
            throw Malformed(detail: "This is not an OFX file: it has no <OFX> element.")
        }
        currency = Self.value(of: "CURDEF", in: Substring(text))
        account = Self.value(of: "ACCTID", in: Substring(text))
        var transactions: [Transaction] = []
        let rest = Substring(text)
        // One forward pass: a block ends at its closing tag, or (1.x files may leave it out) at
        // the next block or the list's end, whichever comes first; the closing tag is looked
        // for only before the next block, so no search runs past it.
        var open = rest.range(of: "<STMTTRN>", options: .caseInsensitive)
        while let start = open {
            let after = rest[start.upperBound...]
            let next = after.range(of: "<STMTTRN>", options: .caseInsensitive)
            let bounded = after[..<(next?.lowerBound ?? after.endIndex)]
            let end =
                bounded.range(of: "</STMTTRN>", options: .caseInsensitive)?.lowerBound
                ?? bounded.range(of: "</BANKTRANLIST>", options: .caseInsensitive)?.lowerBound ?? bounded.endIndex
            let block = after[..<end]
            let payee = block.range(of: "<PAYEE>", options: .caseInsensitive).map { block[$0.upperBound...] }
            transactions.append(
                Transaction(
                    index: transactions.count + 1, fitID: Self.value(of: "FITID", in: block),
                    posted: Self.value(of: "DTPOSTED", in: block), amount: Self.value(of: "TRNAMT", in: block),
                    name: Self.value(of: "NAME", in: block) ?? payee.flatMap { Self.value(of: "NAME", in: $0) },
                    memo: Self.value(of: "MEMO", in: block),
                    // In a <CURRENCY> aggregate the amount is in its CURSYM; in <ORIGCURRENCY>
                    // it is already in the statement's own currency.
                    currency: block.range(of: "<CURRENCY>", options: .caseInsensitive).flatMap {
                        Self.value(of: "CURSYM", in: block[$0.upperBound...])
                    }))
            open = next
        }
        self.transactions = transactions
    }

    /// The text of the first leaf element `tag` in `text`: up to the next `<` or line end,
    /// trimmed, with the five XML entities and numeric references decoded. Nil when absent or empty.
    static func value(of tag: String, in text: Substring) -> String? {
        guard let open = text.range(of: "<\(tag)>", options: .caseInsensitive) else { return nil }
        let rest = text[open.upperBound...]
        let end = rest.firstIndex { $0 == "<" || $0 == "\n" || $0 == "\r" } ?? rest.endIndex
        let raw = rest[..<end].trimmingCharacters(in: .whitespaces)
        guard !raw.isEmpty else { return nil }
        return decodeEntities(raw)
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semicolon = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semicolon) <= 8
            else {
                result += "&"
                rest = after
                continue
            }
            let name = after[..<semicolon]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let character = named[String(name)] {
                result += character
            } else if name.hasPrefix("#x"), let code = UInt32(name.dropFirst(2), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                result.unicodeScalars.append(scalar)
            } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "&" + name + ";"
            }
            rest = after[after.index(after: semicolon)...]
        }
        return result + rest
    }

    /// `YYYYMMDD…` (a time and zone may follow) as `YYYY-MM-DD`.
    public static func isoDate(_ posted: String) -> String? {
        let digits = posted.prefix(8)
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
    }
}
