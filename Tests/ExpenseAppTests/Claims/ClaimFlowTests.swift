import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Claims through a real server, on both backends: the whole path, locked expenses, who may
/// decide, and two deciders at once.
@Suite struct ClaimFlowTests {
    @Test(
        "draft → submitted → rejected → edited → submitted → approved → reimbursed, expenses locked on the way",
        arguments: TestBackend.available)
    func wholePath(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let lunch = try await client.logExpense(org, ["amount": "12.50", "date": "2026-11-02"], by: member)
            let taxi = try await client.logExpense(
                org, ["amount": "3", "currency": "USD", "date": "2026-11-03"], by: member)
            let card = try await client.logExpense(
                org, ["amount": "99", "date": "2026-11-04", "reimbursable": false], by: member)
            #expect(card["reimbursable"] as? Bool == false && lunch["reimbursable"] as? Bool == true)
            let ids = [lunch, taxi, card].compactMap { $0["id"] as? String }
            let base = "/api/v1/orgs/\(org)/claims"
            let refused = try await client.send(
                .post, base, json: ["title": "November", "expense_ids": ids], headers: member.auth)
            #expect(refused.status == .unprocessableContent)
            for title in ["\u{0}x", "a\u{7}b", "   ", String(repeating: "t", count: 201)] {
                let bad = try await client.send(.post, base, json: ["title": title], headers: member.auth)
                #expect(bad.status == .unprocessableContent, "\(title.debugDescription)")
            }
            let created = try await client.send(
                .post, base, json: ["title": "November", "expense_ids": Array(ids.prefix(2))], headers: member.auth)
            #expect(created.status == .created)
            let claim = try #require(created.json["id"] as? String)
            #expect(created.json["status"] as? String == "draft")
            let totals = created.json["totals"] as? [[String: Any]] ?? []
            #expect(totals.compactMap { $0["currency"] as? String } == ["EUR", "USD"])
            #expect(totals.compactMap { $0["amount"] as? String } == ["12.50", "3.00"])

            func post(_ action: String, _ body: [String: Any]? = nil, by user: TestUser) async throws -> Reply {
                try await client.send(.post, "\(base)/\(claim)/\(action)", json: body, headers: user.auth)
            }
            #expect(try await post("submit", by: finance).status == .forbidden)
            #expect(try await post("submit", by: member).json["status"] as? String == "submitted")
            #expect(try await post("submit", by: member).status == .conflict)
            // Locked for everyone, the owner included: change, delete, a receipt.
            let lunchPath = "/api/v1/orgs/\(org)/expenses/\(ids[0])"
            for user in [member, owner, finance] {
                let change = try await client.send(.patch, lunchPath, json: ["note": "x"], headers: user.auth)
                #expect(change.status == .conflict)
                #expect(change.json["type"] as? String == "/problems/expense-locked")
                #expect(try await client.send(.delete, lunchPath, headers: user.auth).status == .conflict)
            }
            #expect(
                try await client.uploadRaw(ReceiptFixtures.jpeg(500), to: "\(lunchPath)/receipts", auth: member.auth)
                    .status == .conflict)
            #expect(try await post("approve", by: member).status == .forbidden)
            #expect(try await post("reject", by: finance).status == .unprocessableContent)
            let rejected = try await post("reject", ["comment": "Missing the taxi receipt"], by: finance)
            #expect(rejected.json["status"] as? String == "rejected")
            #expect(rejected.json["comment"] as? String == "Missing the taxi receipt")
            // Rejection frees the expenses for their member.
            #expect(try await client.send(.patch, lunchPath, json: ["note": "x"], headers: member.auth).status == .ok)
            let resubmitted = try await post("submit", by: member)
            #expect(resubmitted.json["status"] as? String == "submitted")
            #expect(resubmitted.json["decided_by"] is NSNull && resubmitted.json["comment"] as? String == "")
            #expect(try await post("reject", ["comment": "no\u{0}"], by: finance).status == .unprocessableContent)

            // Two deciders at once: exactly one moves the claim.
            async let approval = post("approve", by: finance)
            async let rejection = post("reject", ["comment": "no"], by: owner)
            let outcomes = try await [approval.status.code, rejection.status.code].sorted()
            #expect(outcomes == [200, 409])
            var shown = try await client.send(.get, "\(base)/\(claim)", headers: member.auth)
            if shown.json["status"] as? String == "rejected" {
                #expect(try await post("submit", by: member).status == .ok)
                #expect(try await post("approve", by: finance).status == .ok)
            }
            shown = try await client.send(.get, "\(base)/\(claim)", headers: member.auth)
            #expect(shown.json["status"] as? String == "approved")
            #expect(try await post("reimburse", ["paid_on": "2026-11-30"], by: member).status == .forbidden)
            let paid = try await post("reimburse", ["paid_on": "2026-11-30", "reference": "SEPA 42"], by: finance)
            #expect(paid.json["status"] as? String == "reimbursed")
            #expect(paid.json["paid_on"] as? String == "2026-11-30" && paid.json["reference"] as? String == "SEPA 42")
            #expect(
                try await client.send(.patch, lunchPath, json: ["note": "y"], headers: owner.auth).status == .conflict)
            #expect(try await client.send(.delete, "\(base)/\(claim)", headers: member.auth).status == .conflict)

            // The reimbursements CSV: a record per claim and currency, matching the claim.
            let csvPath = "/api/v1/orgs/\(org)/exports/reimbursements.csv?from=2026-11-01&to=2026-11-30"
            let csv = try await client.send(.get, csvPath, headers: finance.auth)
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            let records = parseCSV(csv.body)
            #expect(
                records.first == ["member", "email", "claim", "claim_id", "currency", "amount", "paid_on", "reference"])
            #expect(
                Array(records.dropFirst()) == [
                    ["Mia", "mia@example.org", "November", claim, "EUR", "12.50", "2026-11-30", "SEPA 42"],
                    ["Mia", "mia@example.org", "November", claim, "USD", "3.00", "2026-11-30", "SEPA 42"],
                ])
            #expect(try await client.send(.get, csvPath, headers: member.auth).status == .forbidden)
            let later = "/api/v1/orgs/\(org)/exports/reimbursements.csv?from=2026-12-01"
            #expect(parseCSV(try await client.send(.get, later, headers: finance.auth).body).count == 1)
            // The mail: each submission to every approver but its member, each decision to the member.
            let toFinance = try await harness.outbox("fin@example.org").map(\.kind).filter { $0 == .claimSubmitted }
            #expect(toFinance.count >= 2)
            let toMember = try await harness.outbox("mia@example.org").map(\.kind)
            #expect(toMember.contains(.claimRejected) && toMember.contains(.claimApproved))
            #expect(toMember.contains(.claimReimbursed))
            #expect(!toMember.contains(.claimSubmitted))
            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            for action in ["claim.created", "claim.submitted", "claim.rejected", "claim.approved", "claim.reimbursed"] {
                #expect(actions.contains(action), "\(action)")
            }
            // A member sees their own claims; another member's are not there for them.
            let other = try await client.signUp("max@example.org", name: "Max", harness: harness)
            try await client.inviteAndAccept(other, role: "member", into: org, by: owner, harness: harness)
            #expect(try await client.send(.get, "\(base)/\(claim)", headers: other.auth).status == .notFound)
            let listed = try await client.send(.get, base, headers: other.auth)
            #expect((listed.json["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.send(.get, base, headers: finance.auth).json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("Nobody approves their own claim, but the only owner who can, marked so", arguments: TestBackend.available)
    func selfApproval(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Solo Co", by: owner)
            func claim(by user: TestUser) async throws -> String {
                let expense = try await client.logExpense(org, ["amount": "5", "date": "2026-11-02"], by: user)
                let created = try await client.send(
                    .post, "/api/v1/orgs/\(org)/claims",
                    json: ["title": "Mine", "expense_ids": [expense["id"] as? String ?? ""]], headers: user.auth)
                let id = try #require(created.json["id"] as? String)
                #expect(
                    try await client.send(.post, "/api/v1/orgs/\(org)/claims/\(id)/submit", headers: user.auth).status
                        == .ok)
                return id
            }
            let solo = try await claim(by: owner)
            let approved = try await client.send(
                .post, "/api/v1/orgs/\(org)/claims/\(solo)/approve", headers: owner.auth)
            #expect(approved.status == .ok)
            #expect(approved.json["self_approved"] as? Bool == true)

            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            for user in [owner, finance] {
                let own = try await claim(by: user)
                let refused = try await client.send(
                    .post, "/api/v1/orgs/\(org)/claims/\(own)/approve", headers: user.auth)
                #expect(refused.status == .forbidden)
                #expect(refused.json["type"] as? String == "/problems/self-approval")
                let other = user.email == owner.email ? finance : owner
                let decided = try await client.send(
                    .post, "/api/v1/orgs/\(org)/claims/\(own)/approve", headers: other.auth)
                #expect(decided.status == .ok)
                #expect(decided.json["self_approved"] as? Bool == false)
            }
            // An organization with claims is deleted whole.
            #expect(try await client.send(.delete, "/api/v1/orgs/\(org)", headers: owner.auth).status == .noContent)
        }
    }
}
