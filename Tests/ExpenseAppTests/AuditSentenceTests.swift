import ExpenseCore
import ExpenseTestSupport
import Foundation
import Testing

@testable import ExpenseApp

/// Audit entries read as sentences with names, never ids.
@Suite struct AuditSentenceTests {
    static let ids = IDGenerator.sequential()
    static let travel: CategoryID = ids()
    static let ana: UserID = ids()
    static let names = AuditNames(people: [ana: "Ana"], categories: [travel: "Travel"])

    static func entry(_ action: AuditAction, _ subject: AuditSubject, _ id: String?, _ details: AuditDetails?)
        -> AuditEntry
    {
        AuditEntry(
            id: UUID(), actorID: nil, actorName: "Olga", action: action, subjectType: subject, subjectID: id,
            details: details, createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test func changesNameWhatChangedWithNamesForIds() {
        let before = ["amount": "12.00", "currency": "EUR", "merchant": "Lunch", "category_id": "", "note": ""]
        var after = before
        after["amount"] = "14.00"
        after["category_id"] = Self.travel.description
        #expect(
            AuditSentence.make(
                Self.entry(.expenseUpdated, .expense, nil, .change(before: before, after: after)), names: Self.names)
                == "Olga changed 'Lunch': amount 12.00 → 14.00, category Uncategorized → Travel.")
        #expect(
            AuditSentence.make(
                Self.entry(
                    .memberRoleChanged, .member, Self.ana.description,
                    .change(before: ["role": "member"], after: ["role": "admin"])), names: Self.names)
                == "Olga changed the role of Ana: role member → admin.")
        #expect(
            AuditSentence.make(Self.entry(.memberRemoved, .member, UUID().uuidString, nil), names: Self.names)
                == "Olga removed a former member.")
        #expect(
            AuditSentence.make(
                Self.entry(.memberInvited, .invitation, nil, .facts(["email": "xu@example.org", "role": "viewer"])),
                names: Self.names) == "Olga invited xu@example.org as viewer.")
    }
}
