import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The receipt rule in the organization's settings, and a claim's submission under it.
@Suite struct ClaimPolicyTests {
    @Test(
        "A costlier expense without a receipt stops the claim, one errors entry each", arguments: TestBackend.available)
    func receiptRequiredAbove(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let settings = "/api/v1/orgs/\(org)"
            let before = try await client.send(.get, settings, headers: owner.auth)
            #expect(before.json["receipt_required_above"] is NSNull)
            for bad in ["-1", "1.234", "abc", "25,00"] {
                let refused = try await client.send(
                    .patch, settings, json: ["receipt_required_above": bad], headers: owner.auth)
                #expect(refused.status == .unprocessableContent, "\(bad)")
            }
            #expect(
                try await client.send(.patch, settings, json: ["receipt_required_above": "25"], headers: member.auth)
                    .status == .forbidden)
            let set = try await client.send(
                .patch, settings, json: ["receipt_required_above": "25.00"], headers: owner.auth)
            #expect(set.json["receipt_required_above"] as? String == "25.00")

            let cheap = try await client.logExpense(org, ["amount": "25.00", "date": "2026-11-02"], by: member)
            let hotel = try await client.logExpense(
                org, ["amount": "180", "date": "2026-11-03", "merchant": "Hotel"], by: member)
            let abroad = try await client.logExpense(
                org, ["amount": "2", "currency": "USD", "date": "2026-11-04"], by: member)
            let proven = try await client.logExpense(org, ["amount": "90", "date": "2026-11-05"], by: member)
            // Converted at the rate given: 18.00 and 27.00 in euros, compared as such.
            let dinner = try await client.logExpense(
                org, ["amount": "20", "currency": "USD", "date": "2026-11-06", "rate": "0.9"], by: member)
            let flight = try await client.logExpense(
                org, ["amount": "30", "currency": "USD", "date": "2026-11-06", "rate": "0.9"], by: member)
            let ids = [cheap, hotel, abroad, proven, dinner, flight].compactMap { $0["id"] as? String }
            let receipt = try await client.uploadRaw(
                ReceiptFixtures.jpeg(300), to: "/api/v1/orgs/\(org)/expenses/\(ids[3])/receipts", auth: member.auth)
            #expect(receipt.status == .created)
            let base = "/api/v1/orgs/\(org)/claims"
            let claim = try #require(
                try await client.send(.post, base, json: ["title": "Trip", "expense_ids": ids], headers: member.auth)
                    .json["id"] as? String)

            // Who may comes before what the claim holds: another's draft is 403, not 422.
            #expect(try await client.send(.post, "\(base)/\(claim)/submit", headers: owner.auth).status == .forbidden)
            let refused = try await client.send(.post, "\(base)/\(claim)/submit", headers: member.auth)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json["type"] as? String == "/problems/receipt-required")
            let errors = refused.json["errors"] as? [[String: Any]] ?? []
            // The hotel (above 25.00), the USD taxi (not comparable yet) and the flight (27.00 in
            // euros); not the one at 25.00 exactly, the one with its receipt, or the dinner (18.00).
            #expect(Set(errors.compactMap { $0["expense_id"] as? String }) == [ids[1], ids[2], ids[5]])
            #expect(errors.allSatisfy { $0["field"] as? String == "expense_ids" })
            #expect(errors.contains { ($0["message"] as? String ?? "").contains("Hotel") })
            let draft = try await client.send(.get, "\(base)/\(claim)", headers: member.auth).json
            #expect(draft["status"] as? String == "draft")
            // In the organization's currency: 25 + 180 + 90 + 18 + 27, the taxi waiting for a rate.
            let whole = draft["base_total"] as? [String: Any]
            #expect(whole?["amount"] as? String == "340.00" && whole?["currency"] as? String == "EUR")
            #expect(whole?["count"] as? Int == 5 && draft["unconverted"] as? Int == 1)

            // Once a rate converts the taxi (1.80), it is compared like the others.
            let rate = try await client.send(
                .post, "/api/v1/orgs/\(org)/rates", json: ["currency": "USD", "date": "2026-11-01", "rate": "0.9"],
                headers: owner.auth)
            #expect(rate.status == .created)
            let again = try await client.send(.post, "\(base)/\(claim)/submit", headers: member.auth)
            #expect(
                Set((again.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["expense_id"] as? String })
                    == [ids[1], ids[5]])

            // Lifting the rule (null) lets it through.
            let lifted = try await client.send(
                .patch, settings, json: ["receipt_required_above": NSNull()], headers: owner.auth)
            #expect(lifted.json["receipt_required_above"] is NSNull, "\(lifted.json)")
            let submitted = try await client.send(.post, "\(base)/\(claim)/submit", headers: member.auth)
            #expect(submitted.json["status"] as? String == "submitted")
        }
    }

    @Test("The threshold follows a change of currency when its value survives it", arguments: TestBackend.available)
    func thresholdAcrossCurrencies(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let settings = "/api/v1/orgs/\(org)"
            func patch(_ body: [String: Any]) async throws -> Reply {
                try await client.send(.patch, settings, json: body, headers: owner.auth)
            }
            #expect(try await patch(["receipt_required_above": "25.50"]).status == .ok)
            // 25.50 has no yen equivalent to keep: refused, and nothing changed.
            let refused = try await patch(["currency": "JPY"])
            #expect(refused.status == .unprocessableContent)
            #expect(try await client.send(.get, settings, headers: owner.auth).json["currency"] as? String == "EUR")
            #expect(try await patch(["currency": "BHD"]).json["receipt_required_above"] as? String == "25.500")
            let yen = try await patch(["currency": "JPY", "receipt_required_above": "3000"])
            #expect(yen.json["receipt_required_above"] as? String == "3000")
            #expect(try await patch(["receipt_required_above": ""]).json["receipt_required_above"] is NSNull)
        }
    }
}
