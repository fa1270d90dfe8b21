import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Budgets through a real server on both backends: who may set them up, what they refuse, how
/// they stand, and their alerts: once per budget, period and percent, to owners, admins and
/// finance, never for falling back under a percent or for a past period. The clock stands at
/// 30 November 2026 (the organization is in Lisbon).
@Suite struct BudgetFlowTests {
    @Test("Budgets stand per period and alert once per percent", arguments: TestBackend.available)
    func budgetsAndTheirAlerts(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let stranger = try await client.signUp("sam@example.org", name: "Sam", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: owner.auth)
            let travel = try #require(
                (categories.json["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Travel" }?["id"]
                    as? String)
            let path = "/api/v1/orgs/\(org)/budgets"
            func create(_ body: [String: Any], by user: TestUser) async throws -> Reply {
                try await client.send(.post, path, json: body, headers: user.auth)
            }
            func alerts(_ email: String) async throws -> [String] {
                try await harness.outbox(email).filter { $0.kind == .budgetAlert }.map(\.subject)
            }
            func log(_ amount: String, _ date: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
                try await client.logExpense(org, ["amount": amount, "date": date].merging(extra) { $1 }, by: member)
            }

            let everything = try await create(
                ["name": "Everything", "amount": "100.00", "period": "month"], by: owner)
            #expect(everything.status == .created, "\(everything.body)")
            #expect(everything.json["alert_percents"] as? [Int] == [80, 100])
            #expect(
                everything.json["spent"] as? String == "0.00" && everything.json["remaining"] as? String == "100.00")
            let everythingID = try #require(everything.json["id"] as? String)
            let trips = try await create(
                [
                    "name": "Trips", "amount": "50", "period": "quarter", "category_id": travel,
                    "alert_percents": [100, 50],
                ], by: finance)
            #expect(trips.status == .created && trips.json["alert_percents"] as? [Int] == [50, 100])
            #expect(trips.json["category_name"] as? String == "Travel")
            let tripsID = try #require(trips.json["id"] as? String)
            #expect(
                try await create(["name": "Mine", "amount": "5", "period": "month"], by: member).status == .forbidden)
            #expect(
                try await create(["name": "X", "amount": "5", "period": "month"], by: stranger).status == .notFound)
            for bad: [String: Any] in [
                ["amount": "0"], ["amount": "-5"], ["amount": "1.234"], ["period": "week"], ["alert_percents": [0]],
                ["alert_percents": [80, 80]], ["alert_percents": [1, 2, 3, 4, 5, 6]], ["name": " "],
                ["category_id": UUID().uuidString],
            ] {
                let body = ["name": "Bad", "amount": "10", "period": "month"].merging(bad) { $1 }
                #expect(try await create(body, by: owner).status == .unprocessableContent, "\(bad)")
            }

            // 70 of 100: nothing; 85: the 80% alert, to owner and finance but not the member.
            _ = try await log("70.00", "2026-11-20")
            #expect(try await alerts("owner@example.org").isEmpty)
            let eightyFive = try await log("15.00", "2026-11-21")
            #expect(
                try await alerts("owner@example.org") == [
                    "Budget \u{201C}Everything\u{201D} reached 80% for November 2026"
                ])
            #expect(try await alerts("fin@example.org").count == 1)
            #expect(try await alerts("mia@example.org").isEmpty)
            let body = try #require(try await harness.outbox("fin@example.org").first { $0.kind == .budgetAlert })
            #expect(body.bodyText.contains("€85.00 of €100.00 spent"))
            #expect(body.bodyText.contains("https://expenses.example.org/orgs/\(org)/budgets/\(everythingID)"))

            // Dollars without a rate wait; the rate that converts them reaches 100%.
            _ = try await log("20.00", "2026-11-22", ["currency": "USD"])
            let waiting = try await client.send(.get, "\(path)/\(everythingID)", headers: member.auth).json
            #expect(waiting["spent"] as? String == "85.00" && waiting["unconverted"] as? Int == 1)
            #expect(waiting["percent"] as? Int == 85)
            let rate = try await client.send(
                .post, "/api/v1/orgs/\(org)/rates", json: ["currency": "USD", "date": "2026-11-01", "rate": "1"],
                headers: finance.auth)
            #expect(rate.status == .created)
            #expect(try await alerts("owner@example.org").count == 2)
            #expect(try await alerts("owner@example.org").last?.contains("reached 100%") == true)

            // Past 100%, back under 80% and over it again: nothing more this month.
            _ = try await log("5.00", "2026-11-23")
            let deleted = try await client.send(
                .delete, "/api/v1/orgs/\(org)/expenses/\(eightyFive["id"] as? String ?? "")", headers: owner.auth)
            #expect(deleted.status == .noContent)
            _ = try await log("40.00", "2026-11-24")
            #expect(try await alerts("owner@example.org").count == 2)
            // A past month's spending changes that month, tells nobody.
            _ = try await log("500.00", "2026-10-10")
            #expect(try await alerts("owner@example.org").count == 2)

            // The quarter's travel budget: 30 of 50 reaches 50% (October is in this quarter).
            _ = try await log("30.00", "2026-10-15", ["category_id": travel])
            #expect(try await alerts("owner@example.org").last?.contains("Trips") == true)
            #expect(try await alerts("owner@example.org").last?.contains("reached 50% for Q4 2026") == true)

            // Twelve months, oldest first, October's 530.00 in its place.
            let history = try await client.send(.get, "\(path)/\(everythingID)", headers: member.auth).json
            let periods = history["periods"] as? [[String: Any]] ?? []
            #expect(periods.count == 12 && periods.last?["start"] as? String == "2026-11-01")
            #expect(periods.first?["start"] as? String == "2025-12-01")
            #expect(periods[10]["spent"] as? String == "530.00" && periods[10]["percent"] as? Int == 530)
            let list = try await client.send(.get, path, headers: member.auth).json["items"] as? [[String: Any]] ?? []
            #expect(list.compactMap { $0["name"] as? String } == ["Everything", "Trips"])

            // Changes: a larger amount, the category lifted; a member may not.
            let changed = try await client.send(
                .patch, "\(path)/\(tripsID)", json: ["amount": "1000", "category_id": NSNull()], headers: finance.auth)
            #expect(changed.status == .ok && changed.json["category_id"] is NSNull, "\(changed.body)")
            #expect(changed.json["amount"] as? String == "1000.00")
            #expect(
                try await client.send(.patch, "\(path)/\(tripsID)", json: ["name": "x"], headers: member.auth).status
                    == .forbidden)
            // A category a budget is kept for is not deleted.
            let travelBudget = try await create(
                ["name": "T", "amount": "1", "period": "year", "category_id": travel], by: owner)
            #expect(travelBudget.status == .created)
            let other = try await client.send(
                .post, "/api/v1/orgs/\(org)/categories", json: ["name": "Postage"], headers: owner.auth)
            let postage = try #require(other.json["id"] as? String)
            _ = try await client.send(
                .patch, "\(path)/\(travelBudget.json["id"] as? String ?? "")", json: ["category_id": postage],
                headers: owner.auth)
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/categories/\(postage)", headers: owner.auth).status
                    == .conflict)

            #expect(try await client.send(.delete, "\(path)/\(tripsID)", headers: owner.auth).status == .noContent)
            #expect(try await client.send(.get, "\(path)/\(tripsID)", headers: owner.auth).status == .notFound)

            // An organization with a budget and nothing else keeps its currency.
            let fresh = try await client.createOrganization("Fresh Co", by: owner)
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs/\(fresh)/budgets", json: ["name": "All", "amount": "1", "period": "year"],
                    headers: owner.auth
                ).status == .created)
            #expect(
                try await client.send(.patch, "/api/v1/orgs/\(fresh)", json: ["currency": "USD"], headers: owner.auth)
                    .status == .conflict)

            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.filter { $0.hasPrefix("budget.") }.sorted().first == "budget.created")
            #expect(actions.contains("budget.updated") && actions.contains("budget.deleted"))
        }
    }

    @Test("Fifty expenses at once: each percent alerts exactly once", arguments: TestBackend.available)
    func concurrentExpensesAlertOnce(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let budget = try await client.send(
                .post, "/api/v1/orgs/\(org)/budgets", json: ["name": "All", "amount": "80.00", "period": "month"],
                headers: owner.auth)
            #expect(budget.status == .created)
            // 50 × 2.00 = 100.00: 80% is reached by the 32nd, 100% by the 40th, whichever they are.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        _ = try await client.logExpense(
                            org, ["amount": "2.00", "date": "2026-11-\(10 + index % 20)"], by: owner)
                    }
                }
                try await group.waitForAll()
            }
            let subjects = try await harness.outbox("owner@example.org").filter { $0.kind == .budgetAlert }
                .map(\.subject).sorted()
            #expect(
                subjects == [
                    "Budget \u{201C}All\u{201D} reached 100% for November 2026",
                    "Budget \u{201C}All\u{201D} reached 80% for November 2026",
                ])
        }
    }
}
