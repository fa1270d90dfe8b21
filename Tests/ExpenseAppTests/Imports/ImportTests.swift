import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Imports through a real server on both backends: our own export round-trips exactly, a bank's
/// CSV with `;` and decimal commas and OFX files of both versions import, a second import of a
/// file adds nothing, and a file with one bad row imports nothing and names the row.
@Suite struct ImportTests {
    /// Starts an import and waits for it to end; its final JSON.
    static func importFile(
        _ client: some TestClientProtocol, org: String, _ text: String, filename: String = "file.csv",
        fields: [(String, String)], by user: TestUser
    ) async throws -> [String: Any] {
        let started = try await client.uploadMultipart(
            Array(text.utf8), to: "/api/v1/orgs/\(org)/imports", filename: filename, contentType: "text/csv",
            fields: fields, headers: user.auth)
        #expect(started.status == .accepted, "\(String(decoding: started.body, as: UTF8.self))")
        let id = try #require(started.json["id"] as? String)
        for _ in 0..<600 {
            let reply = try await client.send(.get, "/api/v1/orgs/\(org)/imports/\(id)", headers: user.auth)
            if reply.json["status"] as? String != "running" { return reply.json }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the import did not end")
        return [:]
    }

    static func export(_ client: some TestClientProtocol, org: String, by user: TestUser) async throws -> [[String]] {
        let reply = try await client.send(
            .get, "/api/v1/orgs/\(org)/exports/expenses.csv?from=2026-01-01&to=2026-12-31", headers: user.auth)
        #expect(reply.status == .ok)
        return parseCSV(reply.body)
    }

    @Test(
        "Our own export imports into an empty organization and exports again identically",
        arguments: TestBackend.available)
    func roundTrip(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga \"O\" Owner", harness: harness)
            let first = try await client.createOrganization("First Co", by: owner)
            let categories = try await client.send(.get, "/api/v1/orgs/\(first)/categories", headers: owner.auth)
            let travel = try #require(
                (categories.json["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Travel" }?["id"]
                    as? String)
            let rate = try await client.send(
                .post, "/api/v1/orgs/\(first)/rates", json: ["currency": "USD", "date": "2026-10-01", "rate": "0.9"],
                headers: owner.auth)
            #expect(rate.status == .created)
            for fields: [String: Any] in [
                [
                    "amount": "42.50", "date": "2026-11-03", "merchant": "Rail, \"Fast\" & Co", "category_id": travel,
                    "tags": ["trip", "client-x"],
                ],
                ["amount": "7.20", "date": "2026-11-03", "merchant": "Café", "note": "Line one\nline \"two\""],
                ["amount": "7.20", "date": "2026-11-03", "merchant": "Café", "note": "Line one\nline \"two\""],
                ["amount": "3", "date": "2026-10-20", "merchant": "=SUM(A1)", "note": "'quoted start"],
                ["amount": "19.99", "currency": "USD", "date": "2026-10-21", "merchant": "-minus"],
                ["amount": "1200", "currency": "JPY", "date": "2026-10-22", "merchant": "@kiosk"],
            ] {
                _ = try await client.logExpense(first, fields, by: owner)
            }
            let original = try await Self.export(client, org: first, by: owner)
            #expect(original.count == 7)

            let second = try await client.createOrganization("Second Co", by: owner)
            let csv = try await client.send(
                .get, "/api/v1/orgs/\(first)/exports/expenses.csv?from=2026-01-01&to=2026-12-31", headers: owner.auth)
            let done = try await Self.importFile(
                client, org: second, csv.body, filename: "expenses.csv", fields: [("format", "expenses-csv")],
                by: owner)
            #expect(done["status"] as? String == "done", "\(done)")
            #expect(done["imported"] as? Int == 6 && done["rows"] as? Int == 6 && done["skipped"] as? Int == 0)
            let copy = try await Self.export(client, org: second, by: owner)
            // Every column but the id and the time of writing, row for row.
            let header = original[0]
            let kept = header.indices.filter { !["id", "created_at"].contains(header[$0]) }
            func strip(_ rows: [[String]]) -> [[String]] { rows.map { row in kept.map { row[$0] } } }
            #expect(strip(copy) == strip(original))

            // The same file again adds nothing.
            let again = try await Self.importFile(
                client, org: second, csv.body, filename: "expenses.csv", fields: [("format", "expenses-csv")],
                by: owner)
            #expect(again["status"] as? String == "done" && again["imported"] as? Int == 0)
            #expect(again["skipped"] as? Int == 6)
            #expect(try await Self.export(client, org: second, by: owner).count == 7)
        }
    }

    @Test(
        "A bank's CSV with ; and decimal commas, and OFX of both versions, import once",
        arguments: TestBackend.available)
    func bankFiles(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let member = try await client.signUp("mia@example.org", name: "Mia", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            let bank = #"""
                Datum;Omschrijving;Bedrag;Mededeling
                02-11-2026;Café de Zon;-3,50;koffie
                02-11-2026;Café de Zon;-3,50;koffie
                03-11-2026;Salaris;2.500,00;
                04-11-2026;"Boekhandel; Plein";-1.234,56;"boeken ""nieuw"""

                """#
            let fields = [
                ("format", "bank-csv"),
                ("mapping", #"{"date":"Datum","merchant":"Omschrijving","amount":"Bedrag","note":"Mededeling"}"#),
                ("date_format", "DD-MM-YYYY"), ("decimal_separator", ","), ("delimiter", ";"),
            ]
            // A dry run reads everything and writes nothing.
            let dry = try await Self.importFile(
                client, org: org, bank, fields: fields + [("dry_run", "true")], by: member)
            #expect(dry["status"] as? String == "done" && dry["dry_run"] as? Bool == true)
            #expect(dry["imported"] as? Int == 3 && dry["skipped"] as? Int == 1)
            #expect((dry["preview"] as? [[String: String]])?.first?["amount"] == "3.50")
            #expect(try await client.allExpenses(org, by: member).isEmpty)

            let done = try await Self.importFile(client, org: org, bank, fields: fields, by: member)
            #expect(done["status"] as? String == "done", "\(done)")
            #expect(done["imported"] as? Int == 3 && done["skipped"] as? Int == 1)
            let again = try await Self.importFile(client, org: org, bank, fields: fields, by: member)
            #expect(again["imported"] as? Int == 0 && again["skipped"] as? Int == 4)
            let expenses = try await client.allExpenses(org, by: member)
            #expect(expenses.count == 3)
            #expect(expenses.allSatisfy { $0["member_name"] as? String == "Mia" })
            let books = try #require(expenses.first { $0["date"] as? String == "2026-11-04" })
            #expect(books["amount"] as? String == "1234.56")
            #expect(books["merchant"] as? String == "Boekhandel; Plein")
            #expect(books["note"] as? String == "boeken \"nieuw\"")
            #expect(expenses.filter { $0["merchant"] as? String == "Café de Zon" }.count == 2)

            // OFX: 1.x SGML and 2.x XML; the credit is skipped; a second import adds nothing.
            let sgml = """
                OFXHEADER:100
                DATA:OFXSGML
                VERSION:102

                <OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR
                <BANKACCTFROM><ACCTID>NL01<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>
                <STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261105<TRNAMT>-12.50<FITID>F1<NAME>Lunch place<MEMO>Team
                </STMTTRN>
                <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261106<TRNAMT>40.00<FITID>F2<NAME>Refund
                </STMTTRN>
                </BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
                """
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?><?OFX OFXHEADER="200" VERSION="220"?>
                <OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>EUR</CURDEF>
                <CCACCTFROM><ACCTID>4111</ACCTID></CCACCTFROM><BANKTRANLIST>
                <STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261107</DTPOSTED><TRNAMT>-7.25</TRNAMT>
                <FITID>A-1</FITID><NAME>Book &amp; Page</NAME></STMTTRN>
                </BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>
                """
            for (file, merchant) in [(sgml, "Lunch place"), (xml, "Book & Page")] {
                let ofx = try await Self.importFile(
                    client, org: org, file, filename: "statement.ofx", fields: [("format", "ofx")], by: member)
                #expect(ofx["status"] as? String == "done" && ofx["imported"] as? Int == 1, "\(ofx)")
                let repeated = try await Self.importFile(
                    client, org: org, file, filename: "statement.ofx", fields: [("format", "ofx")], by: member)
                #expect(repeated["imported"] as? Int == 0)
                #expect(
                    try await client.allExpenses(org, by: member).contains { $0["merchant"] as? String == merchant })
            }
            #expect(try await client.allExpenses(org, by: member).count == 5)
            // The owner, who may change anyone's expenses, sees every import.
            let list = try await client.send(.get, "/api/v1/orgs/\(org)/imports", headers: owner.auth)
            #expect((list.json["items"] as? [Any])?.count == 7)
        }
    }

    @Test("A file with a bad row imports nothing and names the row", arguments: TestBackend.available)
    func badRowImportsNothing(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let fields = [
                ("format", "bank-csv"), ("mapping", #"{"date":"Date","amount":"Amount","merchant":"Payee"}"#),
            ]
            let file = """
                Date,Amount,Payee
                2026-11-01,-5.00,One
                2026-11-02,-6.00,Two
                2026-13-45,-7.00,Three
                2026-11-04,-x,Four

                """
            let failed = try await Self.importFile(client, org: org, file, fields: fields, by: owner)
            #expect(failed["status"] as? String == "failed")
            #expect(failed["imported"] as? Int == 0 && failed["error_count"] as? Int == 2)
            let errors = failed["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { $0["row"] as? Int } == [4, 5])
            #expect(errors.map { $0["field"] as? String } == ["date", "amount"])
            #expect(try await client.allExpenses(org, by: owner).isEmpty)

            // A bad header, a bad mapping: refused whole, or at once.
            let header = try await Self.importFile(
                client, org: org, "When,How much\n2026-11-01,-1\n", fields: fields, by: owner)
            #expect(header["status"] as? String == "failed")
            #expect((header["detail"] as? String)?.contains("no column named") == true)
            let mapping = try await client.uploadMultipart(
                Array(file.utf8), to: "/api/v1/orgs/\(org)/imports", filename: "x.csv", contentType: "text/csv",
                fields: [("format", "bank-csv"), ("mapping", "{")], headers: owner.auth)
            #expect(mapping.status == .unprocessableContent)

            // Settings no format knows, and a dry_run that is neither true nor false: 422.
            for extra in [("delimiter", "x"), ("decimal_separator", ";"), ("dry_run", "yes")] {
                let refused = try await client.uploadMultipart(
                    Array(file.utf8), to: "/api/v1/orgs/\(org)/imports", filename: "x.csv", contentType: "text/csv",
                    fields: [("format", "ofx"), extra], headers: owner.auth)
                #expect(refused.status == .unprocessableContent, "\(extra)")
            }
            // A field sent twice is ambiguous, and one the import does not take would be lost:
            // both are 400, naming the field, and start nothing.
            for (extra, named) in [(("date_format", "DD/MM/YYYY"), "date_format"), (("dateformat", "x"), "dateformat")]
            {
                let refused = try await client.uploadMultipart(
                    Array(file.utf8), to: "/api/v1/orgs/\(org)/imports", filename: "x.csv", contentType: "text/csv",
                    fields: fields + [("date_format", "YYYY-MM-DD"), extra], headers: owner.auth)
                #expect(refused.status == .badRequest, "\(extra)")
                #expect((refused.json["detail"] as? String)?.contains("'\(named)'") == true, "\(refused.json)")
            }
            let listed = try await client.send(.get, "/api/v1/orgs/\(org)/imports", headers: owner.auth)
            #expect((listed.json["items"] as? [Any])?.count == 2, "\(listed.json)")
            // A file name of any length or content is kept within the column's limits.
            let longName = String(repeating: "e\u{301}", count: 300) + ".csv"
            let named = try await client.uploadMultipart(
                Array("Date,Amount,Payee\n".utf8), to: "/api/v1/orgs/\(org)/imports", filename: longName,
                contentType: "text/csv", fields: fields, headers: owner.auth)
            #expect(named.status == .accepted)

            // A statement imported, then its month closed: importing it again (with a new row
            // after the close) skips the closed rows already imported and adds the new one.
            let november = "Date,Amount,Payee\n2026-11-01,-5.00,One\n2026-11-02,-6.00,Two\n"
            let first = try await Self.importFile(client, org: org, november, fields: fields, by: owner)
            #expect(first["imported"] as? Int == 2)
            let close = try await client.send(
                .post, "/api/v1/orgs/\(org)/closes", json: ["through": "2026-11-02"], headers: owner.auth)
            #expect(close.status == .created)
            let overlapping = try await Self.importFile(
                client, org: org, november + "2026-11-03,-7.00,Three\n", fields: fields, by: owner)
            #expect(overlapping["status"] as? String == "done", "\(overlapping)")
            #expect(overlapping["imported"] as? Int == 1 && overlapping["skipped"] as? Int == 2)
            // A row in the closed period not imported before is a problem: nothing is imported.
            let closed = try await Self.importFile(
                client, org: org, "Date,Amount,Payee\n2026-11-03,-8.00,Four\n2026-11-02,-9.00,Five\n",
                fields: fields, by: owner)
            #expect(closed["status"] as? String == "failed")
            #expect((closed["errors"] as? [[String: Any]])?.map { $0["row"] as? Int } == [3])
            #expect(try await client.allExpenses(org, by: owner).count == 3)
        }
    }

    @Test("A longer file is staged in batches and reports its progress", arguments: TestBackend.available)
    func longerFile(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            // 4,500 rows, the same coffee every day: each is its own expense by its occurrence.
            var file = "Date,Out,Payee\n"
            for n in 0..<4_500 { file += "2026-\(10 + n % 2)-\(String(format: "%02d", 1 + n % 28)),3.50,Coffee\n" }
            let fields = [("format", "bank-csv"), ("mapping", #"{"date":"Date","debit":"Out","merchant":"Payee"}"#)]
            let done = try await Self.importFile(client, org: org, file, fields: fields, by: owner)
            #expect(done["status"] as? String == "done", "\(done)")
            #expect(done["rows"] as? Int == 4_500 && done["imported"] as? Int == 4_500)
            let totals = try await client.send(
                .get, "/api/v1/orgs/\(org)/reports/totals?period=month&from=2026-10-01&to=2026-11-30",
                headers: owner.auth)
            let amounts = (totals.json["totals"] as? [[String: Any]])?.compactMap { $0["amount"] as? String }
            #expect(amounts == ["15750.00"])
            let again = try await Self.importFile(client, org: org, file, fields: fields, by: owner)
            #expect(again["imported"] as? Int == 0 && again["skipped"] as? Int == 4_500)
        }
    }
}
