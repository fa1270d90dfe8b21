import ExpenseCore
import ExpenseTestSupport
import HTTPTypes
import Testing

@testable import ExpenseApp

/// Long text does not swamp a page: the form says each limit, lists and the audit log show the
/// start of a long note, and the expense's own form shows all of it.
@Suite struct LongTextPageTests {
    @Test func excerptsCutAtAWordAndSayTheyWereCut() {
        #expect(PageFormat.excerpt("short", limit: 10) == "short")
        #expect(PageFormat.excerpt("exactly10!", limit: 10) == "exactly10!")
        #expect(PageFormat.excerpt("one two three four", limit: 10) == "one two…")
        #expect(
            PageFormat.excerpt(String(repeating: "x", count: 30), limit: 10) == String(repeating: "x", count: 9) + "…")
        #expect(PageFormat.excerpt("Café Ünïon Ørsted", limit: 12).count <= 12)
        // A short first word and a long link: cut in the link rather than after "A".
        #expect(PageFormat.excerpt("A https://example.org/" + String(repeating: "p", count: 40), limit: 20).count == 20)
        // Combining marks and joined emoji are cut whole, never in half.
        let family = "👩‍👩‍👧‍👦"
        let accented = "e\u{301}"
        #expect(
            PageFormat.excerpt(String(repeating: accented, count: 30), limit: 10) == String(
                repeating: accented, count: 9) + "…")
        #expect(
            PageFormat.excerpt(String(repeating: family, count: 30), limit: 10) == String(repeating: family, count: 9)
                + "…")
    }

    @Test(arguments: TestBackend.available)
    func aLongNoteShowsItsStartInListsAndWhollyOnItsForm(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Green Co-op", by: owner)
            let note = (1...250).map { "word\($0)" }.joined(separator: " ")  // about 1,900 characters
            #expect(note.unicodeScalars.count <= ExpenseDraft.noteLimit)
            let expense = try await client.logExpense(
                org, ["amount": "5", "date": "2026-11-20", "merchant": "Kiosk", "note": "short"], by: owner)
            let id = try #require(expense["id"] as? String)
            let edited = try await client.send(
                .patch, "/api/v1/orgs/\(org)/expenses/\(id)", json: ["note": note], headers: owner.auth)
            #expect(edited.status == .ok)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)

            let form = try await client.send(.get, "/orgs/\(org)/expenses/new", headers: cookie)
            #expect(form.status == .ok && form.body.contains("Up to 2,000 characters"))
            #expect(form.body.contains(#"aria-describedby="note-hint""#))
            let list = try await client.send(.get, "/orgs/\(org)/expenses", headers: cookie)
            #expect(list.status == .ok && list.body.contains("word1 word2") && list.body.contains("…"))
            #expect(!list.body.contains("word250"))
            let audit = try await client.send(.get, "/orgs/\(org)/audit", headers: cookie)
            #expect(audit.status == .ok && audit.body.contains("Olga changed &#39;Kiosk&#39;: note short → word1"))
            #expect(!audit.body.contains("word250"))
            let edit = try await client.send(.get, "/orgs/\(org)/expenses/\(id)/edit", headers: cookie)
            #expect(edit.status == .ok && edit.body.contains("word250"))
        }
    }
}
