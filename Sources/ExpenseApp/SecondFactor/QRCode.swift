import Foundation

/// A QR code (ISO/IEC 18004, model 2) of some bytes, drawn as SVG: what the security page shows
/// an authenticator app to scan. Byte mode, error correction level M (15% of the code may be
/// lost), versions 1 to 20 (up to 666 bytes: an `otpauth://` URI needs about 150).
///
/// Written here because no Swift package on hand encodes QR codes; it is checked against the
/// standard's worked example, and the end-to-end enrolment journey has zbar read it off the page.
public struct QRCode: Sendable {
    public let version: Int
    public let mask: Int
    /// `modules[y][x]`: true is dark.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    public enum Failure: Error { case tooLong }

    /// Level M's blocks per version: error correction codewords per block, then the blocks of
    /// the first group and their data codewords (the second group's blocks hold one more).
    static let blocks: [(ec: Int, group1: Int, data1: Int, group2: Int)] = [
        (10, 1, 16, 0), (16, 1, 28, 0), (26, 1, 44, 0), (18, 2, 32, 0), (24, 2, 43, 0),
        (16, 4, 27, 0), (18, 4, 31, 0), (22, 2, 38, 2), (22, 3, 36, 2), (26, 4, 43, 1),
        (30, 1, 50, 4), (22, 6, 36, 2), (22, 8, 37, 1), (24, 4, 40, 5), (24, 5, 41, 5),
        (28, 7, 45, 3), (28, 10, 46, 1), (26, 9, 43, 4), (26, 3, 44, 11), (26, 3, 41, 13),
    ]

    /// The centres of the alignment patterns along each axis, per version.
    static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
        [6, 30, 54], [6, 32, 58], [6, 34, 62], [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74],
        [6, 30, 54, 78], [6, 30, 56, 82], [6, 30, 58, 86], [6, 34, 62, 90],
    ]

    public init(_ text: String) throws {
        try self.init(bytes: Array(text.utf8))
    }

    public init(bytes: [UInt8]) throws {
        guard
            let version = (1...20).first(where: { version in
                let countBits = version < 10 ? 8 : 16
                return 4 + countBits + 8 * bytes.count <= Self.dataCodewords(version) * 8
            })
        else { throw Failure.tooLong }
        let codewords = Self.codewords(Self.data(bytes, version: version), version: version)
        var grid = Grid(version: version)
        grid.place(codewords)
        // The mask that leaves the fewest patterns a reader could mistake (the standard's penalty).
        var best: (mask: Int, penalty: Int, modules: [[Bool]])?
        for mask in 0..<8 {
            var candidate = grid
            candidate.apply(mask: mask)
            candidate.drawFormat(mask: mask)
            let penalty = candidate.penalty()
            if best == nil || penalty < best!.penalty { best = (mask, penalty, candidate.modules) }
        }
        self.version = version
        self.mask = best!.mask
        self.modules = best!.modules
    }

    static func dataCodewords(_ version: Int) -> Int {
        let b = blocks[version - 1]
        return b.group1 * b.data1 + b.group2 * (b.data1 + 1)
    }

    /// Mode, length, the bytes, the terminator and the padding, as codewords.
    static func data(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = dataCodewords(version) * 8
        append(0, min(4, capacity - bits.count))
        if bits.count % 8 != 0 { append(0, 8 - bits.count % 8) }
        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < dataCodewords(version) {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// The data split into blocks, each followed by its Reed-Solomon codewords, interleaved.
    static func codewords(_ data: [UInt8], version: Int) -> [UInt8] {
        let b = blocks[version - 1]
        let divisor = ReedSolomon.divisor(degree: b.ec)
        var blocks: [(data: [UInt8], ec: [UInt8])] = []
        var offset = 0
        for index in 0..<(b.group1 + b.group2) {
            let length = b.data1 + (index < b.group1 ? 0 : 1)
            let part = Array(data[offset..<offset + length])
            blocks.append((part, ReedSolomon.remainder(part, divisor: divisor)))
            offset += length
        }
        var result: [UInt8] = []
        for index in 0...b.data1 {
            for block in blocks where index < block.data.count { result.append(block.data[index]) }
        }
        for index in 0..<b.ec {
            for block in blocks { result.append(block.ec[index]) }
        }
        return result
    }

    /// The code as an SVG image: one path of dark squares on a light square with the four-module
    /// quiet zone readers need, scaled by the page.
    public func svg(label: String) -> String {
        let side = size + 8
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark { path += "M\(x + 4),\(y + 4)h1v1h-1z" }
        }
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * 5)" \
            height="\(side * 5)" role="img" aria-label="\(escaped)" shape-rendering="crispEdges" \
            data-version="\(version)" data-mask="\(mask)"><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path d="\(path)" fill="#000"/></svg>
            """
    }
}

/// Reed-Solomon error correction over GF(256) with the QR polynomial x^8+x^4+x^3+x^2+1.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var result = 0
        for shift in stride(from: 7, through: 0, by: -1) {
            result = (result << 1) ^ ((result >> 7) * 0x11D)
            result ^= ((Int(y) >> shift) & 1) * Int(x)
        }
        return UInt8(result)
    }

    /// The generator polynomial's coefficients (highest first, the leading 1 left out).
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for index in 0..<degree {
                result[index] = multiply(result[index], root)
                if index + 1 < degree { result[index] ^= result[index + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for index in result.indices { result[index] ^= multiply(divisor[index], factor) }
        }
        return result
    }
}
