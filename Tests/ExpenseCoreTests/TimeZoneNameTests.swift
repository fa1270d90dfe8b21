import ExpenseCore
import Foundation
import Testing

/// Time zone names: the tz database's, stored and shown as given; never an abbreviation.
@Suite struct TimeZoneNameTests {
    @Test func tzDatabaseNamesAreAcceptedAndKeepTheirName() throws {
        for name in ["UTC", "Europe/Lisbon", "America/New_York", "Asia/Kolkata", "Asia/Tokyo"] {
            #expect(try TimeZoneName.parse(" \(name) ").name == name)
        }
        // Foundation calls UTC "GMT"; the name kept is UTC.
        #expect(TimeZone.utc.name == "UTC")
        #expect(try TimeZoneName.parse("GMT").secondsFromGMT() == 0)
    }

    @Test func abbreviationsOffsetsAndUnknownNamesAreRefused() {
        for name in [
            "", "EST", "GMT+3", "Etc/GMT+3", "Etc/Unknown", "CET", "Mars/Olympus_Mons", "Europe/Atlantis",
            String(repeating: "A/", count: 40),
        ] {
            #expect(throws: ValidationError.self, "\(name)") { try TimeZoneName.parse(name) }
        }
    }
}
