import ExpenseCore
import Testing

/// Audit details as stored: written once by `json`, read back by `decode`, nothing guessed.
@Suite struct AuditDetailsTests {
    @Test func changesAndFactsRoundTripThroughTheirStoredText() {
        let cases: [AuditDetails] = [
            .change(before: ["role": "member"], after: ["role": "admin"]),
            .before(["name": "Travel", "archived": "false"]),
            .after(["currency": "EUR", "timezone": "Europe/Lisbon"]),
            .facts(["email": "new@example.org", "role": "viewer"]),
            .change(before: [:], after: [:]),
            .facts([:]),
        ]
        for details in cases {
            #expect(AuditDetails.decode(details.json) == details)
        }
        #expect(
            AuditDetails.change(before: ["role": "member"], after: ["role": "admin"]).json
                == #"{"after":{"role":"admin"},"before":{"role":"member"}}"#)
        #expect(AuditDetails.facts(["note": "a/b"]).json == #"{"note":"a/b"}"#)
    }

    @Test func textThatIsNotDetailsIsRefused() {
        for text in ["", "[]", "42", #"{"before":"member"}"#, #"{"count":3}"#, "{not json"] {
            #expect(AuditDetails.decode(text) == nil, "\(text)")
        }
    }
}
