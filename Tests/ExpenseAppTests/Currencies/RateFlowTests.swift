import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Exchange rates through a real server on both backends: set, replaced, listed, refused.
@Suite struct RateFlowTests {
    @Test("Rates are set as exact decimals, replaced per day, listed newest first", arguments: TestBackend.available)
    func ratesAreSetAndListed(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let stranger = try await client.signUp("sam@example.org", name: "Sam", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let path = "/api/v1/orgs/\(org)/rates"
            func set(_ currency: String, _ date: String, _ rate: String, by user: TestUser) async throws -> Reply {
                try await client.send(
                    .post, path, json: ["currency": currency, "date": date, "rate": rate], headers: user.auth)
            }
            let first = try await set("USD", "2026-11-02", "0.92100", by: finance)
            #expect(first.status == .created)
            #expect(first.json["rate"] as? String == "0.921" && first.json["currency"] as? String == "USD")
            #expect(try await set("USD", "2026-11-02", "0.9215", by: owner).status == .ok)  // that day's, replaced
            #expect(try await set("JPY", "2026-11-01", "0.00612345678912", by: owner).status == .created)
            #expect(try await set("USD", "2026-11-09", "0.93", by: finance).status == .created)
            #expect(try await set("GBP", "2026-11-09", "1.2", by: member).status == .forbidden)
            #expect(try await set("GBP", "2026-11-09", "1.2", by: stranger).status == .notFound)
            for (currency, date, rate) in [
                ("EUR", "2026-11-02", "1"), ("usd1", "2026-11-02", "1"), ("USD", "2026-13-01", "1"),
                ("USD", "2026-11-02", "0"), ("USD", "2026-11-02", "1e3"), ("USD", "2026-11-02", "-1"),
                ("USD", "2026-11-02", "1.234567890123"),
            ] {
                let refused = try await set(currency, date, rate, by: owner)
                #expect(refused.status == .unprocessableContent, "\(currency) \(date) \(rate)")
            }

            let all = try await client.send(.get, path, headers: member.auth)
            let items = all.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["date"] as? String } == ["2026-11-09", "2026-11-02", "2026-11-01"])
            #expect(items.compactMap { $0["rate"] as? String } == ["0.93", "0.9215", "0.00612345678912"])
            let usd = try await client.send(.get, "\(path)?currency=USD&from=2026-11-03", headers: member.auth)
            #expect((usd.json["items"] as? [[String: Any]])?.compactMap { $0["rate"] as? String } == ["0.93"])
            for query in ["to=2026-11-01&from=2026-11-02", "currency=EURO", "limit=0", "limit=x", "from="] {
                #expect(
                    try await client.send(.get, "\(path)?\(query)", headers: member.auth).status
                        == .unprocessableContent,
                    "\(query)")
            }
            #expect(try await client.send(.get, path, headers: stranger.auth).status == .notFound)
            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let rateEntries = (audit.json["items"] as? [[String: Any]] ?? []).filter {
                $0["action"] as? String == "rate.set"
            }
            #expect(rateEntries.count == 4)
        }
    }
}
