import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The expense pages driven as a browser's forms are: cookies, CSRF tokens, redirects.
@Suite struct ExpensePageTests {
    @Test(
        "Add, list, edit (stale edits refused), delete with confirmation; hostile text is escaped",
        arguments: TestBackend.available)
    func expensePages(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, "owner@example.org")
            let base = "/orgs/\(org)"

            #expect(try await client.send(.get, base, headers: cookie).headers[.location] == "\(base)/dashboard")
            let form = try await client.send(.get, "\(base)/expenses/new", headers: cookie)
            for label in ["Amount", "Currency", "Date", "Category", "Merchant", "Note", "Tags"] {
                #expect(form.body.contains(">\(label)</label>"), "\(label)")
            }
            #expect(form.body.contains(#"value="EUR""#))

            let invalid = try await client.send(
                .post, "\(base)/expenses",
                form: ["_csrf": csrf, "amount": "12.345", "currency": "EUR", "date": "2026-02-30"], headers: cookie)
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.body.contains(#"id="amount-error""#) && invalid.body.contains(#"id="date-error""#))
            #expect(invalid.body.contains(#"value="12.345""#))

            let hostile = "<script>alert(1)</script>"
            let added = try await client.send(
                .post, "\(base)/expenses",
                form: [
                    "_csrf": csrf, "amount": "12.34", "currency": "EUR", "date": "2026-11-02", "merchant": hostile,
                    "tags": "travel, client-x",
                ], headers: cookie)
            #expect(added.status == .seeOther)
            let list = try await client.send(.get, "\(base)/expenses", headers: cookie)
            #expect(list.status == .ok)
            #expect(list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!list.body.contains(hostile))
            #expect(list.body.contains("€12.34"))
            #expect(list.body.contains(#"<span class="tag">travel</span> <span class="tag">client-x</span>"#))
            let dashboard = try await client.send(.get, "\(base)/dashboard", headers: cookie)
            #expect(dashboard.status == .ok && dashboard.body.contains("<svg"))
            #expect(!dashboard.body.contains(hostile))

            let expense = try #require(try await client.allExpenses(org, by: owner).first)
            let id = try #require(expense["id"] as? String)
            let edit = try await client.send(.get, "\(base)/expenses/\(id)/edit", headers: cookie)
            #expect(edit.body.contains(#"name="version" value="1""#))
            let saved = try await client.send(
                .post, "\(base)/expenses/\(id)",
                form: [
                    "_csrf": csrf, "version": "1", "amount": "15", "currency": "EUR", "date": "2026-11-03",
                    "merchant": "Taxi",
                ],
                headers: cookie)
            #expect(saved.status == .seeOther)
            let stale = try await client.send(
                .post, "\(base)/expenses/\(id)",
                form: ["_csrf": csrf, "version": "1", "amount": "99", "currency": "EUR", "date": "2026-11-03"],
                headers: cookie)
            #expect(stale.status == .conflict)
            #expect(stale.body.contains("Someone changed this expense"))
            #expect(try await client.allExpenses(org, by: owner).first?["amount"] as? String == "15.00")

            let confirm = try await client.send(.get, "\(base)/expenses/\(id)/delete", headers: cookie)
            #expect(
                confirm.body.contains("Delete this expense?") && confirm.body.contains(#"name="version" value="2""#))
            let deleted = try await client.send(
                .post, "\(base)/expenses/\(id)/delete", form: ["_csrf": csrf, "version": "2"], headers: cookie)
            #expect(deleted.status == .seeOther)
            #expect(try await client.allExpenses(org, by: owner).isEmpty)
            // A form without the CSRF token changes nothing.
            let forged = try await client.send(
                .post, "\(base)/expenses", form: ["amount": "1", "date": "2026-11-01"], headers: cookie)
            #expect(forged.status == .forbidden)
        }
    }

    @Test(
        "Categories, reports and CSV downloads from the pages; a member sees no download",
        arguments: TestBackend.available)
    func categoriesAndReports(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let member = try await client.signUp("mem@example.org", name: "Max", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let (cookie, csrf) = try await OrganizationPageTests.browserSession(client, "owner@example.org")
            let base = "/orgs/\(org)"

            let created = try await client.send(
                .post, "\(base)/categories", form: ["_csrf": csrf, "name": "<i>Fuel</i>"], headers: cookie)
            #expect(created.status == .seeOther)
            let duplicate = try await client.send(
                .post, "\(base)/categories", form: ["_csrf": csrf, "name": "<I>FUEL</I>"], headers: cookie)
            #expect(duplicate.status == .unprocessableContent && duplicate.body.contains(#"id="new-name-error""#))
            let page = try await client.send(.get, "\(base)/categories", headers: cookie)
            #expect(page.status == .ok)
            #expect(page.body.contains("&lt;i&gt;Fuel&lt;/i&gt;") && !page.body.contains("<i>Fuel</i>"))
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let fuel = (categories.json["items"] as? [[String: Any]] ?? []).first {
                $0["name"] as? String == "<i>Fuel</i>"
            }
            let fuelID = try #require(fuel?["id"] as? String)
            try await client.logExpense(org, ["amount": "40", "date": "2026-11-05", "category_id": fuelID], by: owner)
            #expect(
                try await client.send(
                    .post, "\(base)/categories/\(fuelID)/archive", form: ["_csrf": csrf], headers: cookie
                )
                .status == .seeOther)
            let newForm = try await client.send(.get, "\(base)/expenses/new", headers: cookie)
            #expect(newForm.status == .ok && newForm.body.contains(#"name="category_id""#))
            #expect(!newForm.body.contains(fuelID))
            let blocked = try await client.send(
                .post, "\(base)/categories/\(fuelID)/delete", form: ["_csrf": csrf], headers: cookie)
            #expect(blocked.status == .conflict && blocked.body.contains("archive it instead"))

            let reports = try await client.send(
                .get, "\(base)/reports?period=week&from=2026-11-01&to=2026-11-30&group_by=category", headers: cookie)
            #expect(reports.status == .ok)
            #expect(reports.body.contains("<svg") && reports.body.contains("€40.00"))
            #expect(reports.body.contains("Download CSV"))
            let badReport = try await client.send(.get, "\(base)/reports?period=fortnight", headers: cookie)
            #expect(badReport.status == .unprocessableContent && badReport.body.contains("Choose day, week"))
            let csv = try await client.send(
                .get, "\(base)/exports/totals.csv?period=month&from=2026-11-01&to=2026-11-30", headers: cookie)
            #expect(csv.status == .ok && parseCSV(csv.body).last == ["2026-11-01", "2026-11-30", "EUR", "40.00", "1"])
            let expensesCSV = try await client.send(.get, "\(base)/exports/expenses.csv", headers: cookie)
            #expect(expensesCSV.status == .ok && parseCSV(expensesCSV.body).count == 2)

            let (memberCookie, _) = try await OrganizationPageTests.browserSession(client, "mem@example.org")
            let memberReports = try await client.send(.get, "\(base)/reports", headers: memberCookie)
            #expect(memberReports.status == .ok && !memberReports.body.contains("Download CSV"))
            #expect(
                try await client.send(.get, "\(base)/exports/expenses.csv", headers: memberCookie).status == .forbidden)
            let memberCategories = try await client.send(.get, "\(base)/categories", headers: memberCookie)
            #expect(memberCategories.status == .ok && memberCategories.body.contains("Travel"))
            #expect(!memberCategories.body.contains("Add a category"))
        }
    }
}
