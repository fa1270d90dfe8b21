import ExpenseCore
import Foundation
import Testing

@Suite struct OrganizationVocabularyTests {
    @Test func rolesAreOrderedByPower() {
        #expect(Role.owner > Role.admin)
        #expect(Role.admin > Role.finance)
        #expect(Role.finance > Role.member)
        #expect(Role.member > Role.viewer)
        #expect(Role.allCases.map(\.rawValue) == ["owner", "admin", "finance", "member", "viewer"])
    }

    @Test func kindsMatchTheSchema() {
        #expect(
            OrganizationKind.allCases.map(\.rawValue) == ["business", "cooperative", "agency", "school", "personal"])
    }

    @Test func weekdaysAreNumberedAsISO8601() {
        #expect(Weekday.monday.rawValue == 1)
        #expect(Weekday.sunday.rawValue == 7)
        #expect(Weekday(name: "Sunday") == .sunday)
        #expect(Weekday(name: "funday") == nil)
    }

    @Test func fastTextFormMatchesFoundation() {
        for _ in 0..<1000 {
            let uuid = UUID()
            #expect(UserID(uuid).description == uuid.uuidString.lowercased())
        }
    }
}
