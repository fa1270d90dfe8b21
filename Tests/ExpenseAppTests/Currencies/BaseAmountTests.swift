import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Base amounts through a real server on both backends: converted once when written, filled in
/// when a rate arrives, converted again only when what they convert changes.
@Suite struct BaseAmountTests {
    @Test("Expenses carry their amount in the organization's currency, exactly", arguments: TestBackend.available)
    func baseAmounts(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR
            let expenses = "/api/v1/orgs/\(org)/expenses"
            func log(_ fields: [String: Any]) async throws -> [String: Any] {
                try await client.logExpense(org, fields, by: owner)
            }
            func setRate(_ currency: String, _ date: String, _ rate: String) async throws {
                let reply = try await client.send(
                    .post, "/api/v1/orgs/\(org)/rates", json: ["currency": currency, "date": date, "rate": rate],
                    headers: owner.auth)
                #expect(reply.status == .created, "\(reply.body)")
            }
            func base(_ id: Any?) async throws -> String? {
                try await client.send(.get, "\(expenses)/\(id as? String ?? "")", headers: owner.auth)
                    .json["base_amount"] as? String
            }

            #expect(try await log(["amount": "12.34", "date": "2026-11-02"])["base_amount"] as? String == "12.34")
            let early = try await log(["amount": "10.00", "currency": "USD", "date": "2026-10-20"])
            let taxi = try await log(["amount": "10.01", "currency": "USD", "date": "2026-11-05"])
            #expect(taxi["base_amount"] is NSNull)  // no rate yet: unconverted
            // A rate from 1 November fills in what it is now the latest rate for, and no more.
            try await setRate("USD", "2026-11-01", "0.9")
            #expect(try await base(taxi["id"]) == "9.01")  // 9.009 → 9.01
            #expect(try await base(early["id"]) == nil)
            // Written after the rate: converted at once, half to even (10.05 × 0.9 = 9.045 → 9.04).
            #expect(
                try await log(["amount": "10.05", "currency": "USD", "date": "2026-11-03"])["base_amount"]
                    as? String == "9.04")
            // Yen into euros, and a rate given with the expense instead of the organization's.
            try await setRate("JPY", "2026-11-01", "0.0061234")
            #expect(
                try await log(["amount": "1000", "currency": "JPY", "date": "2026-11-04"])["base_amount"]
                    as? String == "6.12")
            let lent = try await log(["amount": "10", "currency": "CHF", "date": "2026-11-04", "rate": "1.05"])
            #expect(lent["base_amount"] as? String == "10.50")
            for bad in [["rate": "1.1"], ["currency": "USD", "rate": "0"], ["currency": "USD", "rate": "x"]] {
                var fields: [String: Any] = ["amount": "5", "date": "2026-11-04"]
                fields.merge(bad) { _, new in new }
                let refused = try await client.send(.post, expenses, json: fields, headers: owner.auth)
                #expect(refused.status == .unprocessableContent, "\(bad)")
            }

            // A later rate changes nothing stored; an edit of the note keeps the base amount, an
            // edit of the amount converts again at the rate for its date.
            try await setRate("USD", "2026-11-02", "1.2")
            #expect(try await base(taxi["id"]) == "9.01")
            var headers = owner.auth
            headers[.ifMatch] = "\"1\""
            let noted = try await client.send(
                .patch, "\(expenses)/\(taxi["id"] as? String ?? "")", json: ["note": "airport"], headers: headers)
            #expect(noted.json["base_amount"] as? String == "9.01")
            // An empty rate, as a form sends it, is no rate: still no conversion.
            headers[.ifMatch] = "\"2\""
            let blank = try await client.send(
                .patch, "\(expenses)/\(taxi["id"] as? String ?? "")", json: ["note": "airport run", "rate": " "],
                headers: headers)
            #expect(blank.json["base_amount"] as? String == "9.01", "\(blank.body)")
            headers[.ifMatch] = "\"3\""
            let changed = try await client.send(
                .patch, "\(expenses)/\(taxi["id"] as? String ?? "")", json: ["amount": "20"], headers: headers)
            #expect(changed.json["base_amount"] as? String == "24.00")

            // With expenses and rates, the organization's currency stays.
            let moved = try await client.send(
                .patch, "/api/v1/orgs/\(org)", json: ["currency": "USD"], headers: owner.auth)
            #expect(moved.status == .conflict)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)", headers: owner.auth).json["currency"]
                    as? String == "EUR")
        }
    }
}
