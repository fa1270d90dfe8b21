import ExpenseCore
import Foundation
import Testing

@testable import ExpenseApp

/// Times on pages are where the organization is, and the page names the zone.
@Suite struct PageFormatTests {
    @Test func timestampsAreInTheOrganizationsZone() throws {
        let instant = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30 00:53:20 UTC
        #expect(PageFormat.timestamp(instant, in: .utc) == "2026-11-30 00:53")
        #expect(PageFormat.timestamp(instant, in: try TimeZoneName.parse("America/New_York")) == "2026-11-29 19:53")
        #expect(PageFormat.timestamp(instant, in: try TimeZoneName.parse("Asia/Tokyo")) == "2026-11-30 09:53")
    }
}
