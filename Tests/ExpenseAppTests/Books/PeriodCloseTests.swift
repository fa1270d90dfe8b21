import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import ExpenseApp

/// Closed books through a real server on both backends: every way of writing to a closed
/// expense is refused (the API, the repositories below the service's check, and hand-written
/// SQL as the application's role), claims and late rates still reach closed expenses, only an
/// owner reopens, with a reason, and the audit log records both and verifies.
@Suite struct PeriodCloseTests {
    @Test("A closed period refuses every write; reopening is the owner's and audited", arguments: TestBackend.available)
    func closedPeriodRefusesEveryWrite(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let api = "/api/v1/orgs/\(org)"
            func log(_ date: String, _ amount: String = "12.50", currency: String = "EUR") async throws -> String {
                let expense = try await client.logExpense(
                    org, ["amount": amount, "date": date, "currency": currency, "merchant": "M \(date)"], by: member)
                return try #require(expense["id"] as? String)
            }
            let october = try await log("2026-10-15")
            let november = try await log("2026-11-10")
            let dollars = try await log("2026-10-20", "30.00", currency: "USD")
            let toClaim = try await log("2026-10-16")
            let receipt = try await client.uploadRaw(
                ReceiptFixtures.jpeg(2_000), to: "\(api)/expenses/\(october)/receipts", name: "a.jpg",
                auth: member.auth)
            let receiptID = try #require(receipt.json["id"] as? String)

            // Who closes, and through when.
            #expect(
                try await client.send(.post, "\(api)/closes", json: ["through": "2026-10-31"], headers: member.auth)
                    .status == .forbidden)
            let future = try await client.send(
                .post, "\(api)/closes", json: ["through": "2026-12-01"], headers: finance.auth)
            #expect(future.status == .unprocessableContent)
            let closed = try await client.send(
                .post, "\(api)/closes", json: ["through": "2026-10-31"], headers: finance.auth)
            #expect(closed.status == .created, "\(closed.body)")
            #expect(closed.json["through"] as? String == "2026-10-31")
            #expect(closed.json["action"] as? String == "close")
            let closeHead = try #require(closed.json["audit_head"] as? [String: Any])
            #expect((closeHead["hash"] as? String)?.count == 64)
            #expect(
                try await client.send(.post, "\(api)/closes", json: ["through": "2026-10-01"], headers: finance.auth)
                    .status == .conflict)

            // Every write path the API has, refused with the same problem.
            func refused(_ reply: Reply, _ what: Comment) {
                #expect(reply.status == .conflict, what)
                #expect(reply.json["type"] as? String == "/problems/period-closed", what)
            }
            refused(
                try await client.send(
                    .post, "\(api)/expenses", json: ["amount": "1", "date": "2026-10-31"], headers: member.auth),
                "create")
            #expect(
                try await client.send(
                    .post, "\(api)/expenses", json: ["amount": "1", "date": "2026-11-01"], headers: member.auth
                ).status == .created)
            refused(
                try await client.send(
                    .patch, "\(api)/expenses/\(october)", json: ["amount": "13"], headers: member.auth),
                "amount")
            refused(
                try await client.send(.patch, "\(api)/expenses/\(october)", json: ["note": "x"], headers: member.auth),
                "note")
            refused(
                try await client.send(
                    .patch, "\(api)/expenses/\(october)", json: ["date": "2026-11-02"], headers: member.auth),
                "moved out")
            refused(
                try await client.send(
                    .patch, "\(api)/expenses/\(november)", json: ["date": "2026-10-30"], headers: member.auth),
                "moved in")
            refused(try await client.send(.delete, "\(api)/expenses/\(october)", headers: member.auth), "delete")
            let upload = try await client.uploadRaw(
                ReceiptFixtures.jpeg(1_000, seed: 9), to: "\(api)/expenses/\(october)/receipts", name: "b.jpg",
                auth: member.auth)
            #expect(upload.status == .conflict)
            refused(try await client.send(.delete, "\(api)/receipts/\(receiptID)", headers: member.auth), "receipt")
            // A change that changes nothing is no write.
            #expect(
                try await client.send(
                    .patch, "\(api)/expenses/\(october)", json: ["amount": "12.50"], headers: member.auth
                )
                .status == .ok)

            // Claims and late rates still reach closed expenses.
            let claim = try await client.send(
                .post, "\(api)/claims", json: ["title": "October", "expense_ids": [toClaim]], headers: member.auth)
            #expect(claim.status == .created, "\(claim.body)")
            let rate = try await client.send(
                .post, "\(api)/rates", json: ["currency": "USD", "date": "2026-10-01", "rate": "0.9"],
                headers: owner.auth)
            #expect(rate.status == .created, "\(rate.body)")
            let converted = try await client.send(.get, "\(api)/expenses/\(dollars)", headers: member.auth)
            #expect(converted.json["base_amount"] as? String == "27.00")

            // Below the service: the repository's insert, and SQL as the application's role.
            let tenant = try #require(TenantID(uuidString: org))
            let store = harness.store
            let memberID = try #require(
                UserID(
                    uuidString: try await client.send(.get, "\(api)/expenses/\(october)", headers: member.auth)
                        .json["member_id"] as? String ?? ""))
            await #expect(throws: StoreError.periodClosed) {
                try await store.withTenant(tenant) { tx in
                    let draft = try ExpenseDraft(
                        amount: "5", currency: "EUR", date: "2026-10-05", categoryID: nil, merchant: "", note: "",
                        tags: [], defaultCurrency: try Currency(code: "EUR"))
                    let author = ExpenseRepository.Author(id: memberID, name: "Mia")
                    let id = ExpenseID()
                    let audit = AuditEntry(
                        id: UUID(), actorID: memberID, actorName: "Mia", action: .expenseCreated,
                        subjectType: .expense, subjectID: id.description, details: nil, createdAt: Date())
                    _ = try await store.expenses.create(tx, id: id, draft, by: author, audit: audit, at: Date())
                }
            }
            for statement in [
                "UPDATE expenses SET amount_minor = 1 WHERE id = '\(october)'",
                "UPDATE expenses SET occurred_on = '2026-11-03' WHERE id = '\(october)'",
                "UPDATE expenses SET occurred_on = '2026-10-03' WHERE id = '\(november)'",
                "UPDATE expenses SET tags = ',x,' WHERE id = '\(october)'",
                "UPDATE expenses SET currency = 'USD' WHERE id = '\(october)'",
                "UPDATE expenses SET merchant = 'Other' WHERE id = '\(october)'",
                "UPDATE expenses SET reimbursable = false WHERE id = '\(october)'",
                "UPDATE expenses SET member_id = member_id, category_id = NULL, note = 'n' WHERE id = '\(october)'",
                "UPDATE receipts SET expense_id = '\(november)' WHERE id = '\(receiptID)'",
                "UPDATE expenses SET base_amount_minor = 1 WHERE id = '\(dollars)'",
                "DELETE FROM expenses WHERE id = '\(october)'",
                "DELETE FROM receipts WHERE id = '\(receiptID)'",
            ] {
                await #expect(throws: StoreError.periodClosed, "\(statement)") {
                    try await store.withTenant(tenant) { tx in
                        try await tx.executor.execute(SQL(stringLiteral: statement))
                    }
                }
            }
            // A receipt of an open expense is not moved onto a closed one; stored bytes never change.
            let novemberReceipt = try await client.uploadRaw(
                ReceiptFixtures.jpeg(1_500, seed: 4), to: "\(api)/expenses/\(november)/receipts", name: "n.jpg",
                auth: member.auth)
            let novemberReceiptID = try #require(novemberReceipt.json["id"] as? String)
            await #expect(throws: StoreError.periodClosed) {
                try await store.withTenant(tenant) { tx in
                    try await tx.executor.execute(
                        SQL(
                            stringLiteral:
                                "UPDATE receipts SET expense_id = '\(october)' WHERE id = '\(novemberReceiptID)'"))
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.withTenant(tenant) { tx in
                    try await tx.executor.execute("UPDATE receipt_chunks SET position = position")
                }
            }
            // Nor is the closed-through date changed except by a close or reopen.
            await #expect(throws: (any Error).self) {
                try await store.withTenant(tenant) { tx in
                    try await tx.executor.execute("UPDATE organizations SET closed_through = NULL")
                }
            }

            // Reports mark what is closed.
            let report = try await client.send(
                .get, "\(api)/reports/totals?period=month&from=2026-09-01&to=2026-11-30", headers: finance.auth)
            #expect(report.json["closed_through"] as? String == "2026-10-31")
            let buckets = report.json["buckets"] as? [[String: Any]] ?? []
            #expect(buckets.map { $0["closed"] as? Bool } == [true, true, false])

            // Reopening: the owner's, with a reason, to an earlier date.
            let back = ["through": "2026-09-30", "reason": "Invoice booked in the wrong month"]
            #expect(
                try await client.send(.post, "\(api)/closes/reopen", json: back, headers: finance.auth).status
                    == .forbidden)
            let noReason = try await client.send(
                .post, "\(api)/closes/reopen", json: ["through": "2026-09-30"], headers: owner.auth)
            #expect(noReason.status == .unprocessableContent)
            let notEarlier = try await client.send(
                .post, "\(api)/closes/reopen", json: ["through": "2026-10-31", "reason": "x"], headers: owner.auth)
            #expect(notEarlier.status == .unprocessableContent)
            let reopened = try await client.send(.post, "\(api)/closes/reopen", json: back, headers: owner.auth)
            #expect(reopened.status == .created, "\(reopened.body)")
            #expect(
                try await client.send(
                    .patch, "\(api)/expenses/\(october)", json: ["amount": "13"], headers: member.auth
                )
                .status == .ok)
            let list = try await client.send(.get, "\(api)/closes", headers: member.auth)
            #expect(list.json["closed_through"] as? String == "2026-09-30")
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["action"] as? String } == ["reopen", "close"])
            #expect(items.first?["reason"] as? String == "Invoice booked in the wrong month")

            // Both are in the audit log, which verifies.
            let audit = try await client.send(.get, "\(api)/audit", headers: owner.auth)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("period.closed") && actions.contains("period.reopened"))
            let verify = try await client.send(.get, "\(api)/audit/verify", headers: finance.auth)
            #expect(verify.json["ok"] as? Bool == true, "\(verify.body)")
            #expect(verify.json["first_break"] is NSNull)
            let head = try #require(verify.json["head"] as? [String: Any])
            #expect(verify.json["entries"] as? Int == head["seq"] as? Int)
            #expect(try await client.send(.get, "\(api)/audit/verify", headers: member.auth).status == .forbidden)
        }
    }

    @Test("Recurring occurrences on closed dates are skipped and counted", arguments: TestBackend.available)
    func recurringSkipsClosedDates(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            var owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let api = "/api/v1/orgs/\(org)"
            let created = try await client.send(
                .post, "\(api)/recurring",
                json: ["amount": "4.50", "merchant": "Coffee", "frequency": "daily", "start_date": "2026-12-01"],
                headers: owner.auth)
            let id = try #require(created.json["id"] as? String)
            // Two days on, nobody ran the worker; the first of the days is closed meanwhile.
            harness.clock.advance(by: 2 * 86_400)
            owner = try await RecurringScheduleTests.again(owner, client)
            let closed = try await client.send(
                .post, "\(api)/closes", json: ["through": "2026-12-01"], headers: owner.auth)
            #expect(closed.status == .created, "\(closed.body)")
            let worker = RecurringWorker(
                writer: OccurrenceWriter(
                    store: harness.store, ids: .random,
                    alerts: BudgetAlerts(
                        store: harness.store, settings: AccountSettings(config: harness.config), ids: .random)),
                clock: harness.clock.clock, logger: Logger(label: "worker"))
            _ = try await worker.runOnce()
            let dates = try await client.allExpenses(org, by: owner).compactMap { $0["date"] as? String }
            #expect(dates == ["2026-12-02"])
            let schedule = try await client.send(.get, "\(api)/recurring/\(id)", headers: owner.auth)
            #expect(schedule.json["skipped_count"] as? Int == 1)
            #expect(schedule.json["last_skipped_date"] as? String == "2026-12-01")
            #expect(schedule.json["created_count"] as? Int == 1)
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, owner.email)
            let page = try await client.send(.get, "/orgs/\(org)/recurring/\(id)", headers: cookie)
            #expect(
                page.body.contains("1 occurrence fell in a closed period and was not logged, the last on 1 Dec 2026."))
        }
    }

    @Test("The Books page closes and reopens; forms say when a date is closed", arguments: TestBackend.available)
    func booksPage(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            let october = try #require(
                try await client.logExpense(org, ["amount": "9", "date": "2026-10-12", "merchant": "Ink"], by: owner)[
                    "id"] as? String)
            let (olga, olgaCSRF) = try await OrganizationPageTests.browserSession(client, owner.email)
            let (fin, finCSRF) = try await OrganizationPageTests.browserSession(client, finance.email)
            let books = "/orgs/\(org)/books"

            // Finance closes; the page offers finance no reopening.
            let future = try await client.send(
                .post, "\(books)/close", form: ["_csrf": finCSRF, "through": "2027-01-01"], headers: fin)
            #expect(future.status == .unprocessableContent)
            #expect(future.body.contains("days still to come cannot be closed"))
            let closed = try await client.send(
                .post, "\(books)/close", form: ["_csrf": finCSRF, "through": "2026-10-31"], headers: fin)
            #expect(closed.status == .seeOther)
            let finPage = try await client.send(.get, "\(books)?notice=closed", headers: fin)
            #expect(finPage.body.contains("The books are closed through <strong>31 Oct 2026</strong>"))
            #expect(!finPage.body.contains("Reopen the books"))
            let again = try await client.send(
                .post, "\(books)/close", form: ["_csrf": finCSRF, "through": "2026-10-15"], headers: fin)
            #expect(again.status == .conflict)
            #expect(again.body.contains("already closed through 2026-10-31"))

            // A closed date on the expense form is said beside the date; a closed expense has no Edit.
            let add = try await client.send(
                .post, "/orgs/\(org)/expenses",
                form: ["_csrf": olgaCSRF, "amount": "5", "date": "2026-10-20", "merchant": "Late"], headers: olga)
            #expect(add.status == .conflict)
            #expect(add.body.contains("The books are closed through 31 Oct 2026: use a later date"))
            let expense = try await client.send(.get, "/orgs/\(org)/expenses/\(october)", headers: olga)
            #expect(expense.body.contains("so this expense no longer changes"))
            #expect(!expense.body.contains("/expenses/\(october)/edit"))

            // The owner reopens: a reason is required.
            let noReason = try await client.send(
                .post, "\(books)/reopen", form: ["_csrf": olgaCSRF, "through": "2026-09-30", "reason": " "],
                headers: olga)
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.body.contains("Say why the books are reopened"))
            let reopened = try await client.send(
                .post, "\(books)/reopen",
                form: ["_csrf": olgaCSRF, "through": "", "reason": "Audit adjustment"], headers: olga)
            #expect(reopened.status == .seeOther)
            let page = try await client.send(.get, "\(books)?check=1", headers: olga)
            #expect(page.body.contains("The books are open"))
            #expect(page.body.contains("Reopened entirely"))
            #expect(page.body.contains("Audit adjustment"))
            #expect(page.body.contains("The audit log is intact"))
            #expect(
                try await client.send(.get, "/orgs/\(org)/expenses/\(october)/edit", headers: olga).status == .ok)
        }
    }
}
