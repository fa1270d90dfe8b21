import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ExpenseApp

/// The accountant's archive through a real server: the period's receipts stored as they are,
/// named for their expense, after the period's expenses.csv; only for roles that export.
@Suite struct ReceiptArchiveTests {
    @Test("The archive holds the period's receipts and expenses.csv, and only those", arguments: TestBackend.available)
    func archive(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let member = try await client.signUp("member@example.org", name: "Mia", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            var files: [String: [UInt8]] = [:]
            for (day, merchant, seed) in [("2026-11-02", "Café Central, Lda", 1), ("2026-12-01", "Later", 2)] {
                let expense = try await client.logExpense(
                    org, ["amount": "12.50", "date": day, "merchant": merchant], by: owner)
                let id = try #require(expense["id"] as? String)
                let bytes = ReceiptFixtures.jpeg(300_000 + seed, seed: UInt8(seed))
                let up = try await client.uploadRaw(
                    bytes, to: "/api/v1/orgs/\(org)/expenses/\(id)/receipts", auth: owner.auth)
                files[day] = bytes
                #expect(up.status == .created)
                if day == "2026-11-02" {
                    let receiptID = try #require(up.json["id"] as? String)
                    files["name"] = Array("2026-11-02_Café-Central-Lda_12.50_\(receiptID).jpg".utf8)
                }
            }
            let path = "/api/v1/orgs/\(org)/exports/receipts.zip?from=2026-11-01&to=2026-11-30"
            let zip = try await client.sendBytes(.get, path, headers: owner.auth)
            #expect(zip.status == .ok)
            #expect(zip.headers[.contentType] == "application/zip")
            #expect(
                zip.headers[.contentDisposition]
                    == "attachment; filename=\"ledger-co-receipts-from-2026-11-01-to-2026-11-30.zip\"")
            #expect(zip.body.starts(with: [0x50, 0x4B, 0x03, 0x04]))
            // The first entry is the CSV; the receipt follows, stored byte for byte under its name.
            #expect(Array(zip.body[30..<42]) == Array("expenses.csv".utf8))
            #expect(Self.contains(zip.body, try #require(files["name"])))
            #expect(Self.contains(zip.body, try #require(files["2026-11-02"])))
            #expect(!Self.contains(zip.body, Array(try #require(files["2026-12-01"]).prefix(4096))))
            #expect(try await client.sendBytes(.get, path, headers: member.auth).status == .forbidden)
            let reversed = "/api/v1/orgs/\(org)/exports/receipts.zip?from=2026-12-01&to=2026-11-01"
            #expect(try await client.send(.get, reversed, headers: owner.auth).status == .unprocessableContent)
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
