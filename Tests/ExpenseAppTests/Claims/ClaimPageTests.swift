import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The claim pages through a real server: a member builds and submits a claim from forms, an
/// approver decides it from the queue, finance pays several at once, the dashboard counts.
@Suite struct ClaimPageTests {
    @Test("Member, approver and finance move a claim with forms alone", arguments: TestBackend.available)
    func formsMoveAClaim(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let (olga, olgaCSRF) = try await OrganizationPageTests.browserSession(client, owner.email)
            let (mia, miaCSRF) = try await OrganizationPageTests.browserSession(client, member.email)
            let (fin, finCSRF) = try await OrganizationPageTests.browserSession(client, finance.email)
            let orgPath = "/orgs/\(org)"

            // The policy from the settings page, typed as a person types it.
            let settings = try await client.send(
                .post, "\(orgPath)/settings",
                form: [
                    "_csrf": olgaCSRF, "name": "Ledger Co", "kind": "cooperative", "currency": "EUR",
                    "timezone": "Europe/Lisbon", "week_start": "monday", "receipt_required_above": "€1,000.00",
                ], headers: olga)
            #expect(settings.status == .seeOther)
            #expect(
                try await client.send(.get, "\(orgPath)/settings", headers: olga).body.contains(#"value="1000.00""#))

            // A company-card expense from the form is never offered to a claim.
            let card = try await client.send(
                .post, "\(orgPath)/expenses",
                form: [
                    "_csrf": miaCSRF, "amount": "40", "date": "2026-11-01", "merchant": "Fuel", "company_card": "on",
                ],
                headers: mia)
            #expect(card.status == .seeOther)
            // Who paid is in the audit log, at creation and when it changes.
            let cardID = try #require(
                try await client.allExpenses(org, by: member).first { $0["merchant"] as? String == "Fuel" }?["id"]
                    as? String)
            let toMember = try await client.send(
                .patch, "/api/v1/orgs/\(org)/expenses/\(cardID)", json: ["reimbursable": true], headers: member.auth)
            #expect(toMember.json["reimbursable"] as? Bool == true)
            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let payers = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { entry in
                (entry["details"] as? [String: [String: String]])?["after"]?["paid_by"]
            }
            #expect(payers == ["member", "company"])  // newest first
            _ = try await client.send(
                .patch, "/api/v1/orgs/\(org)/expenses/\(cardID)", json: ["reimbursable": false], headers: member.auth)
            let hotel = try await client.logExpense(
                org, ["amount": "1200", "date": "2026-11-03", "merchant": "Hotel Lisboa"], by: member)
            let hotelID = try #require(hotel["id"] as? String)
            let claimsPage = try await client.send(.get, "\(orgPath)/claims", headers: mia)
            #expect(claimsPage.status == .ok && claimsPage.body.contains("Hotel Lisboa"))
            #expect(!claimsPage.body.contains("Fuel"))

            let blank = try await client.send(
                .post, "\(orgPath)/claims", form: ["_csrf": miaCSRF, "title": " "], headers: mia)
            #expect(blank.status == .unprocessableContent && blank.body.contains(#"id="title-error""#))
            // A refused expense (the company's) refuses the whole form, and nothing is written:
            // no claim appears, and the hotel is still free to claim.
            let mixed = try await client.send(
                .post, "\(orgPath)/claims",
                form: ["_csrf": miaCSRF, "title": "Mixed", "expense_ids[0]": hotelID, "expense_ids[1]": cardID],
                headers: mia)
            #expect(mixed.status == .unprocessableContent && mixed.body.contains(#"id="expenses-error""#))
            #expect(!mixed.body.contains(">Mixed<") && mixed.body.contains("No claim yet"))
            #expect(mixed.body.contains(#"value="\#(hotelID)""#))
            let started = try await client.send(
                .post, "\(orgPath)/claims",
                form: ["_csrf": miaCSRF, "title": "Lisbon trip", "expense_ids[0]": hotelID], headers: mia)
            #expect(started.status == .seeOther)
            let claimPath = String(try #require(started.headers[.location]).prefix { $0 != "?" })

            // Over the threshold without a receipt: refused on the claim's page, named.
            let refused = try await client.send(.post, "\(claimPath)/submit", form: ["_csrf": miaCSRF], headers: mia)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Hotel Lisboa") && refused.body.contains("Receipt required"))
            _ = try await client.uploadRaw(
                ReceiptFixtures.jpeg(400), to: "/api/v1/orgs/\(org)/expenses/\(hotelID)/receipts", auth: member.auth)
            #expect(
                try await client.send(.post, "\(claimPath)/submit", form: ["_csrf": miaCSRF], headers: mia).status
                    == .seeOther)

            // The expense's page names its claim and offers no change while it is submitted.
            let hotelPage = try await client.send(.get, "\(orgPath)/expenses/\(hotelID)", headers: mia)
            #expect(hotelPage.body.contains("In the claim") && hotelPage.body.contains("Lisbon trip"))
            #expect(!hotelPage.body.contains("Upload receipt") && !hotelPage.body.contains(">Remove<"))

            // The approver's queue shows it with its receipt inline; the dashboard counts it.
            let queue = try await client.send(.get, "\(orgPath)/claims", headers: olga)
            #expect(queue.body.contains("Awaiting your approval") && queue.body.contains("Lisbon trip"))
            #expect(queue.body.contains(#"<img src="/orgs/\#(org)/receipts/"#))
            let dashboard = try await client.send(.get, "\(orgPath)/dashboard", headers: olga)
            #expect(dashboard.body.contains("1 claim awaiting your approval"))
            let noReason = try await client.send(
                .post, "\(claimPath)/reject?from=queue", form: ["_csrf": olgaCSRF, "comment": ""], headers: olga)
            #expect(noReason.status == .unprocessableContent && noReason.body.contains("Say why"))
            let approved = try await client.send(
                .post, "\(claimPath)/approve?from=queue", form: ["_csrf": olgaCSRF, "comment": "Fine"], headers: olga)
            #expect(approved.headers[.location]?.hasSuffix("/claims?notice=claim-approved#queue") == true)
            let twice = try await client.send(
                .post, "\(claimPath)/approve", form: ["_csrf": olgaCSRF], headers: olga)
            #expect(twice.status == .conflict && twice.body.contains("approved"))
            let owed = try await client.send(.get, "\(orgPath)/dashboard", headers: mia).body
            #expect(owed.contains("Owed to you: €1,200.00"), "\(owed)")

            // Finance pays the ticked claims at once; a missing date is said beside the field.
            let toPay = try await client.send(.get, "\(orgPath)/claims", headers: fin)
            #expect(toPay.body.contains("To reimburse") && toPay.body.contains("Lisbon trip"))
            let claimID = String(claimPath.split(separator: "/").last!)
            let undated = try await client.send(
                .post, "\(orgPath)/claims/reimburse",
                form: ["_csrf": finCSRF, "claim_ids[0]": claimID, "paid_on": ""], headers: fin)
            #expect(undated.status == .unprocessableContent && undated.body.contains(#"id="payment-error""#))
            let paid = try await client.send(
                .post, "\(orgPath)/claims/reimburse",
                form: ["_csrf": finCSRF, "claim_ids[0]": claimID, "paid_on": "2026-11-20", "reference": "SEPA-7"],
                headers: fin)
            #expect(paid.status == .seeOther)
            let detail = try await client.send(.get, claimPath, headers: mia)
            #expect(detail.body.contains("Reimbursed") && detail.body.contains("SEPA-7"))
            #expect(detail.body.contains("Olga approved the claim") && detail.body.contains("Fin recorded the claim"))
            // An approver who is not the only one decides no claim of their own, and is not offered to.
            let fuelToo = try await client.logExpense(org, ["amount": "9", "date": "2026-11-22"], by: finance)
            let own = try await client.send(
                .post, "/api/v1/orgs/\(org)/claims", json: ["title": "Own", "expense_ids": [fuelToo["id"]!]],
                headers: finance.auth)
            let ownID = try #require(own.json["id"] as? String)
            _ = try await client.send(.post, "/api/v1/orgs/\(org)/claims/\(ownID)/submit", headers: finance.auth)
            let ownPage = try await client.send(.get, "\(orgPath)/claims/\(ownID)", headers: fin)
            #expect(ownPage.status == .ok && !ownPage.body.contains(#"id="decide-heading""#))
            let finQueue = try await client.send(.get, "\(orgPath)/claims", headers: fin).body
            #expect(finQueue.contains(">Own<") && !finQueue.contains("visually-hidden\"> Own of"))
            #expect(
                try await client.send(.get, "\(orgPath)/claims/\(ownID)", headers: olga).body.contains(
                    #"id="decide-heading""#))
            // Another member's claim is not a member's to see.
            let other = try await client.signUp("ned@example.org", name: "Ned", harness: harness)
            try await client.inviteAndAccept(other, role: "member", into: org, by: owner, harness: harness)
            let (ned, _) = try await OrganizationPageTests.browserSession(client, other.email)
            #expect(try await client.send(.get, claimPath, headers: ned).status == .notFound)
        }
    }

    @Test(
        "The only owner who approves finds their own claim in the queue and decides it",
        arguments: TestBackend.available)
    func theOnlyApproverDecidesTheirOwn(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("solo@example.org", name: "Solo", harness: harness)
            let org = try await client.createOrganization("Solo Co", by: owner)
            let (solo, csrf) = try await OrganizationPageTests.browserSession(client, owner.email)
            let taxi = try await client.logExpense(org, ["amount": "15", "date": "2026-11-02"], by: owner)
            let claim = try await client.send(
                .post, "/api/v1/orgs/\(org)/claims", json: ["title": "Taxi", "expense_ids": [taxi["id"]!]],
                headers: owner.auth)
            let claimID = try #require(claim.json["id"] as? String)
            _ = try await client.send(.post, "/api/v1/orgs/\(org)/claims/\(claimID)/submit", headers: owner.auth)
            let dashboard = try await client.send(.get, "/orgs/\(org)/dashboard", headers: solo)
            #expect(dashboard.body.contains("1 claim awaiting your approval"))
            let queue = try await client.send(.get, "/orgs/\(org)/claims", headers: solo)
            #expect(queue.body.contains("Approve<span class=\"visually-hidden\"> Taxi of Solo"))
            let approved = try await client.send(
                .post, "/orgs/\(org)/claims/\(claimID)/approve?from=queue", form: ["_csrf": csrf], headers: solo)
            #expect(approved.status == .seeOther)
            let page = try await client.send(.get, "/orgs/\(org)/claims/\(claimID)", headers: solo)
            #expect(page.body.contains("approved by its own member, the only approver"))
        }
    }
}
