import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import ExpenseApp

/// The reports page opens on a range that holds the data: this year to date, or from the first
/// expense when that is later.
@Suite struct ReportDefaultRangeTests {
    @Test(arguments: TestBackend.available)
    func theReportsPageOpensOnThisYearOrTheOrganizationsLife(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)  // today is 2026-11-30
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga", harness: harness)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)
            func range(_ org: String) async throws -> (String, String) {
                let page = try await client.send(.get, "/orgs/\(org)/reports", headers: cookie)
                #expect(page.status == .ok)
                func value(_ id: String) -> String {
                    guard
                        let start = page.body.range(
                            of: #"id="\#(id)" name="\#(id)" type="date" min="1900-01-01" max="2999-12-31" value=""#)
                    else {
                        return ""
                    }
                    return String(page.body[start.upperBound...].prefix { $0 != "\"" })
                }
                return (value("from"), value("to"))
            }

            let young = try await client.createOrganization("Young Co-op", by: owner)
            #expect(try await range(young) == ("2026-11-30", "2026-11-30"))
            let empty = try await client.send(.get, "/orgs/\(young)/reports", headers: cookie)
            #expect(empty.body.contains("Whole range: nothing spent."))
            _ = try await client.logExpense(young, ["amount": "5", "date": "2026-10-15"], by: owner)
            _ = try await client.logExpense(young, ["amount": "7", "date": "2026-11-20"], by: owner)
            #expect(try await range(young) == ("2026-10-15", "2026-11-30"))

            let old = try await client.createOrganization("Old Co-op", by: owner)
            _ = try await client.logExpense(old, ["amount": "9", "date": "2025-05-01"], by: owner)
            #expect(try await range(old) == ("2026-01-01", "2026-11-30"))
        }
    }
}
