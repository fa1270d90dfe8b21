import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The main pages' HTML, byte for byte, compared with the reviewed copies in `Snapshots/`, so a
/// change to what people see shows as a diff. The clock, ids and secrets are pinned, so every run
/// (on either database) renders the same bytes. After a deliberate change to a page, run the tests
/// once with `SNAPSHOT_RECORD=1`, read the diff of the `.html` files, and commit them.
@Suite struct PageSnapshotTests {
    /// Each page: its snapshot's name and its path under `/orgs/{org}` (or from the root).
    static let pages: [(name: String, path: String, inOrganization: Bool)] = [
        ("login", "/login", false),
        ("register", "/register", false),
        ("account-dashboard", "/dashboard", false),
        ("organizations", "/orgs", false),
        ("organization-dashboard", "/dashboard", true),
        ("expenses", "/expenses", true),
        ("expense-new", "/expenses/new", true),
        // Rail & Co, with a receipt: the ids are sequential, so its id is known.
        ("expense", "/expenses/00000000-0000-0000-0000-00000000002c", true),
        ("members", "/members", true),
        ("settings", "/settings", true),
        ("reports", "/reports?period=week&from=2026-11-01&to=2026-11-29&group_by=category", true),
        ("categories", "/categories", true),
        ("audit", "/audit", true),
    ]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    @Test(arguments: TestBackend.available)
    func theMainPagesMatchTheirReviewedSnapshots(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(
            backend, ids: .sequential(), tokens: .sequential(), configure: { $0.webhookAllowPrivate = true })
        try await harness.run { client async throws in
            let owner = try await client.signUp("olga@example.org", name: "Olga Owner", harness: harness)
            let bo = try await client.signUp("bo@example.org", name: "Bo <Member>", harness: harness)
            let org = try await client.createOrganization("Green & Fair Co-op", by: owner)
            try await client.inviteAndAccept(bo, role: "member", into: org, by: owner, harness: harness)
            let pending = try await client.send(
                .post, "/api/v1/orgs/\(org)/invitations", json: ["email": "cy@example.org", "role": "viewer"],
                headers: owner.auth)
            #expect(pending.status == .created)
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let travel = try #require(
                (categories.json["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Travel" }?["id"]
                    as? String)
            for fields: [String: Any] in [
                [
                    "amount": "42.50", "date": "2026-11-03", "merchant": "Rail & Co", "category_id": travel,
                    "tags": ["trip", "client-x"],
                ],
                ["amount": "7.20", "date": "2026-11-20", "merchant": "Café", "note": "Team coffee"],
                ["amount": "3200", "currency": "JPY", "date": "2026-11-24", "merchant": "Kiosk"],
                ["amount": "120", "date": "2026-10-15", "merchant": "Printer ink"],
            ] {
                _ = try await client.logExpense(org, fields, by: owner)
            }
            let receipt = try await client.uploadRaw(
                ReceiptFixtures.jpeg(2048),
                to: "/api/v1/orgs/\(org)/expenses/00000000-0000-0000-0000-00000000002c/receipts",
                name: "ticket <1>.jpg", auth: owner.auth)
            #expect(receipt.status == .created)
            // Bo's claim, submitted: Olga's queue and the claim's own page.
            let taxi = try await client.logExpense(
                org, ["amount": "18.40", "date": "2026-11-21", "merchant": "Taxi <night>"], by: bo)
            let claim = try await client.send(
                .post, "/api/v1/orgs/\(org)/claims", json: ["title": "Late meeting", "expense_ids": [taxi["id"]!]],
                headers: bo.auth)
            let claimID = try #require(claim.json["id"] as? String)
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/claims/\(claimID)/submit", headers: bo.auth).status
                    == .ok)
            // A dollar rate (set last: the ids above are sequential); the yen kiosk waits for one.
            let rate = try await client.send(
                .post, "/api/v1/orgs/\(org)/rates", json: ["currency": "USD", "date": "2026-11-01", "rate": "0.8612"],
                headers: owner.auth)
            #expect(rate.status == .created)
            // A monthly budget past its first alert (the kiosk's yen wait for a rate).
            let budget = try await client.send(
                .post, "/api/v1/orgs/\(org)/budgets",
                json: ["name": "Everything <all>", "amount": "80.00", "period": "month"], headers: owner.auth)
            let budgetID = try #require(budget.json["id"] as? String)
            // Monthly rent from today: today's occurrence is logged at once.
            let rent = try await client.send(
                .post, "/api/v1/orgs/\(org)/recurring",
                json: [
                    "amount": "950", "merchant": "Harbour <Lofts>", "frequency": "monthly", "start_date": "2026-11-30",
                    "count": 12,
                ], headers: owner.auth)
            let rentID = try #require(rent.json["id"] as? String, "\(rent.body)")
            // October is closed: the reports and the dashboard say so, and the Books page shows
            // the close with the audit chain's head, which both databases compute alike.
            let close = try await client.send(
                .post, "/api/v1/orgs/\(org)/closes", json: ["through": "2026-10-31"], headers: owner.auth)
            #expect(close.status == .created)
            // Made last: an endpoint takes an id, and every page above keeps the ids it had.
            let hook = try await client.send(
                .post, "/api/v1/orgs/\(org)/webhooks",
                json: ["url": "http://127.0.0.1:9/books", "events": ["expense.created", "claim.approved"]],
                headers: owner.auth)
            #expect(hook.status == .created)
            let pages =
                Self.pages + [
                    ("claims", "/claims", true), ("claim", "/claims/\(claimID)", true), ("rates", "/rates", true),
                    ("reports-base", "/reports?period=month&from=2026-10-01&to=2026-11-29&currency=base", true),
                    ("budgets", "/budgets", true), ("budget", "/budgets/\(budgetID)", true),
                    ("recurring", "/recurring", true), ("recurring-schedule", "/recurring/\(rentID)", true),
                    ("books", "/books?check=1", true), ("webhooks", "/webhooks", true),
                    ("security", "/settings/security", false),
                ]
            let (cookie, _) = try await OrganizationPageTests.browserSession(client, "olga@example.org")

            var mismatches: [String] = []
            for page in pages {
                let path = page.inOrganization ? "/orgs/\(org)\(page.path)" : page.path
                let needsSession = page.name != "login" && page.name != "register"
                let reply = try await client.send(.get, path, headers: needsSession ? cookie : [:])
                #expect(reply.status == .ok, "\(page.name): \(reply.status)")
                let file = Self.directory.appendingPathComponent("\(page.name).html")
                if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
                    try reply.body.write(to: file, atomically: true, encoding: .utf8)
                    // A recording run compares nothing, so it must not pass as a check.
                    Issue.record(
                        "recorded Snapshots/\(page.name).html: review the diff, then run without SNAPSHOT_RECORD")
                }
                let expected = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                if reply.body != expected { mismatches.append(page.name) }
            }
            #expect(
                mismatches.isEmpty,
                "pages differ from Snapshots/ (\(backend)): \(mismatches.joined(separator: ", ")); diff them with SNAPSHOT_RECORD=1 and review"
            )
        }
    }
}
