import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// The ECB's reference-rate files imported through a real server on both backends: rates in
/// the organization's currency by cross rates, waiting expenses converted in the same
/// transaction, a repeated import replacing rather than adding, and who may import.
@Suite struct RateImportTests {
    static let historicalCSV = """
        Date,USD,JPY,CYP,GBP,
        2024-01-05,1.0921,158.95,N/A,0.86145,
        2024-01-04,1.0953,159.33,N/A,0.86240,
        2008-01-02,1.4717,164.53,0.585274,0.74145,

        """

    static let dailyXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
        \t<Cube>
        \t\t<Cube time='2024-01-05'>
        \t\t\t<Cube currency='USD' rate='1.0921'/>
        \t\t\t<Cube currency='GBP' rate='0.86145'/>
        \t\t</Cube>
        \t</Cube>
        </gesmes:Envelope>
        """

    @Test("An ECB file sets exact rates and converts the expenses waiting for them", arguments: TestBackend.available)
    func importConvertsWaitingExpenses(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let finance = try await client.signUp("fin@example.org", name: "Fin", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let stranger = try await client.signUp("sam@example.org", name: "Sam", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR
            try await client.inviteAndAccept(finance, role: "finance", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let dollars = try await client.logExpense(
                org, ["amount": "12.34", "currency": "USD", "date": "2024-01-05"], by: member)
            let pounds = try await client.logExpense(
                org, ["amount": "10.00", "currency": "GBP", "date": "2024-01-04"], by: member)
            let early = try await client.logExpense(
                org, ["amount": "10.00", "currency": "USD", "date": "2007-12-31"], by: member)
            #expect(dollars["base_amount"] is NSNull && pounds["base_amount"] is NSNull)

            let path = "/api/v1/orgs/\(org)/rates/import"
            // Only those who set rates import them; the file is refused before it is read.
            let csv = Array(Self.historicalCSV.utf8)
            #expect(
                try await client.uploadRaw(csv, to: path, contentType: "text/csv", auth: member.auth).status
                    == .forbidden)
            #expect(
                try await client.uploadRaw(csv, to: path, contentType: "text/csv", auth: stranger.auth).status
                    == .notFound)

            let imported = try await client.uploadRaw(
                csv, to: path, name: "eurofxref-hist.csv", contentType: "text/csv", auth: finance.auth)
            #expect(imported.status == .ok, "\(String(decoding: imported.body, as: UTF8.self))")
            #expect(imported.json["days"] as? Int == 3 && imported.json["rates"] as? Int == 9)
            #expect(imported.json["created"] as? Int == 9 && imported.json["converted"] as? Int == 2)
            #expect(
                imported.json["first"] as? String == "2008-01-02" && imported.json["last"] as? String == "2024-01-05")
            #expect(imported.json["currencies"] as? [String] == ["GBP", "JPY", "USD"])
            #expect(imported.json["skipped_currencies"] as? [String] == ["CYP"])

            // 12.34 × (1 / 1.0921 → 0.915667063456) = 11.2993… → 11.30; 10.00 × (1 / 0.8624 →
            // 1.15955473098) = 11.5955… → 11.60; before the file's first day: still waiting.
            func base(_ expense: [String: Any]) async throws -> Any? {
                try await client.send(
                    .get, "/api/v1/orgs/\(org)/expenses/\(expense["id"] as? String ?? "")", headers: member.auth
                ).json["base_amount"]
            }
            #expect(try await base(dollars) as? String == "11.30")
            #expect(try await base(pounds) as? String == "11.60")
            #expect(try await base(early) is NSNull)
            let usd = try await client.send(
                .get, "/api/v1/orgs/\(org)/rates?currency=USD&from=2024-01-05", headers: member.auth)
            #expect((usd.json["items"] as? [[String: Any]])?.first?["rate"] as? String == "0.915667063456")

            // The daily XML, as a form's file: that day's rates replaced, nothing added.
            let again = try await client.uploadMultipart(
                Array(Self.dailyXML.utf8), to: path, filename: "eurofxref-daily.xml", contentType: "text/xml",
                headers: owner.auth)
            #expect(again.status == .ok && again.json["rates"] as? Int == 2 && again.json["created"] as? Int == 0)

            // Refused whole: a file that is no rate file, a binary one, one not quoting the base.
            let garbled = try await client.uploadRaw(
                Array("Date,USD\n2024-01-06,one\n".utf8), to: path, contentType: "text/csv", auth: owner.auth)
            #expect(garbled.status == .unprocessableContent)
            #expect(String(decoding: garbled.body, as: UTF8.self).contains("Line 2"))
            #expect(
                try await client.uploadRaw([0x25, 0x50, 0x00, 0x46], to: path, auth: owner.auth).status
                    == .unprocessableContent)
            #expect(try await client.uploadRaw([], to: path, auth: owner.auth).status == .unprocessableContent)
            let list = try await client.send(.get, "/api/v1/orgs/\(org)/rates?limit=1000", headers: owner.auth)
            #expect((list.json["items"] as? [[String: Any]])?.count == 9)

            let franc = try await client.createOrganization("Franc Co", currency: "XOF", by: owner)
            let unquoted = try await client.uploadRaw(
                csv, to: "/api/v1/orgs/\(franc)/rates/import", contentType: "text/csv", auth: owner.auth)
            #expect(unquoted.status == .unprocessableContent)
            #expect(String(decoding: unquoted.body, as: UTF8.self).contains("XOF"))

            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let entries = (audit.json["items"] as? [[String: Any]] ?? []).filter {
                $0["action"] as? String == "rate.imported"
            }
            #expect(entries.count == 2)
        }
    }
}
