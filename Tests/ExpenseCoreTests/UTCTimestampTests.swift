import Foundation
import Testing

@testable import ExpenseCore

@Suite struct UTCTimestampTests {
    @Test func matchesFoundationsISO8601() {
        for seconds in stride(from: -2_208_988_800.0, to: 32_503_680_000.0, by: 86_399.37 * 53) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.format(date) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))
        }
    }
}
