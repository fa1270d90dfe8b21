import Foundation
import Testing

@testable import ExpenseApp

/// The QR encoder against the standard's worked example and its structure rules. (The end-to-end
/// enrolment journey has zbar read the code off the page, as a phone would.)
struct QRCodeTests {
    /// "HELLO WORLD" at 1-M: the data codewords of the worked example (in alphanumeric mode) and
    /// the ten error correction codewords it gives them.
    @Test func reedSolomonMatchesTheWorkedExample() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let ec = ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
        #expect(ec == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test func theSmallestVersionThatHoldsTheBytesIsChosen() throws {
        #expect(try QRCode(String(repeating: "a", count: 14)).version == 1)
        #expect(try QRCode(String(repeating: "a", count: 15)).version == 2)
        let uri =
            "otpauth://totp/ExpenseTracker:someone.with.a.long.address@example.org?secret="
            + String(repeating: "A", count: 52) + "&issuer=ExpenseTracker"
        let code = try QRCode(uri)
        #expect(code.size == code.version * 4 + 17)
        #expect(code.version >= 7)  // carries version information blocks
        #expect(throws: QRCode.Failure.self) { try QRCode(String(repeating: "a", count: 700)) }
    }

    /// Finder patterns in three corners, timing patterns between them, the dark module.
    @Test func theFixedPatternsAreWhereReadersLook() throws {
        let code = try QRCode("otpauth://totp/ExpenseTracker:ana@example.org?secret=ABC&issuer=ExpenseTracker")
        let m = code.modules
        let n = code.size
        for (cx, cy) in [(3, 3), (n - 4, 3), (3, n - 4)] {
            #expect(m[cy][cx] && m[cy - 3][cx - 3] && !m[cy - 2][cx - 2] && m[cy - 1][cx - 1])
        }
        for index in 8..<(n - 8) {
            #expect(m[6][index] == (index % 2 == 0))
            #expect(m[index][6] == (index % 2 == 0))
        }
        #expect(m[n - 8][8])
        let svg = code.svg(label: "QR code <for> \"Ana\"")
        #expect(svg.hasPrefix("<svg") && svg.contains("&lt;for&gt;") && svg.contains("&quot;Ana&quot;"))
    }
}
