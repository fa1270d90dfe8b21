import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ExpenseApp

/// Receipts on the pages: the add form's file, "Add receipt" and "Remove" on the expense's
/// page, refusals beside the field with nothing saved, and the CSRF check of a multipart form.
@Suite struct ReceiptPageTests {
    @Test(
        "An expense added with its receipt; another attached and removed on its page", arguments: TestBackend.available)
    func addFormAndExpensePage(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let (browser, csrf) = try await OrganizationPageTests.browserSession(client, "owner@example.org")
            let headers = browser
            let form = try await client.send(.get, "/orgs/\(org)/expenses/new", headers: browser)
            #expect(form.body.contains(#"enctype="multipart/form-data""#))
            #expect(
                form.body.contains(#"type="file""#) && form.body.contains(#"accept="image/*,.heic,application/pdf""#))
            let fields = [
                ("_csrf", csrf), ("amount", "1,200.50"), ("date", "2026-11-02"), ("merchant", "Café Central"),
                ("currency", "EUR"),
            ]
            let jpeg = ReceiptFixtures.jpeg(300_000)
            let added = try await client.uploadMultipart(
                jpeg, to: "/orgs/\(org)/expenses", filename: "café.jpg", fields: fields, headers: headers)
            #expect(added.status == .seeOther, "\(String(decoding: added.body, as: UTF8.self).prefix(3000))")
            let listed = try await client.allExpenses(org, by: owner)
            #expect(listed.count == 1 && listed.first?["receipt_count"] as? Int == 1)
            let expenseID = try #require(listed.first?["id"] as? String)

            // A file that is no receipt: the form comes back with the message, nothing saved.
            let html = Array("<html><body>hello</body></html>".utf8)
            let refused = try await client.uploadMultipart(
                html, to: "/orgs/\(org)/expenses", filename: "scan.png", fields: fields, headers: headers)
            #expect(refused.status == .unsupportedMediaType)
            let page = String(decoding: refused.body, as: UTF8.self)
            #expect(page.contains(#"id="file-error""#) && page.contains(Upload.kindsMessage))
            #expect(page.contains(#"value="Café Central""#))
            #expect(try await client.allExpenses(org, by: owner).count == 1)

            let detail = try await client.send(.get, "/orgs/\(org)/expenses/\(expenseID)", headers: browser)
            #expect(detail.status == .ok)
            #expect(detail.body.contains(#"alt="Receipt café.jpg""#))
            let pdf = ReceiptFixtures.pdf(5_000)
            let attached = try await client.uploadMultipart(
                pdf, to: "/orgs/\(org)/expenses/\(expenseID)/receipts", filename: "invoice.pdf",
                fields: [("_csrf", csrf)], headers: headers)
            #expect(attached.status == .seeOther)
            #expect(attached.headers[.location]?.contains("notice=receipt-added") == true)
            let receipts = try await client.send(
                .get, "/api/v1/orgs/\(org)/expenses/\(expenseID)/receipts", headers: owner.auth)
            let items = receipts.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["filename"] as? String } == ["café.jpg", "invoice.pdf"])
            let pdfID = try #require(items.last?["id"] as? String)
            let served = try await client.sendBytes(.get, "/orgs/\(org)/receipts/\(pdfID)", headers: browser)
            #expect(served.body == pdf)
            #expect(served.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            let emptyForm = try await client.uploadMultipart(
                nil, to: "/orgs/\(org)/expenses/\(expenseID)/receipts", fields: [("_csrf", csrf)], headers: headers)
            #expect(emptyForm.status == .unprocessableContent)
            #expect(String(decoding: emptyForm.body, as: UTF8.self).contains(#"id="file-error""#))

            let removed = try await client.send(
                .post, "/orgs/\(org)/receipts/\(pdfID)/delete", form: ["_csrf": csrf], headers: headers)
            #expect(removed.status == .seeOther)
            let after = try await client.send(
                .get, "/api/v1/orgs/\(org)/expenses/\(expenseID)/receipts", headers: owner.auth)
            #expect((after.json["items"] as? [Any])?.count == 1)
            let missing = try await client.send(.get, "/orgs/\(org)/expenses?has_receipt=false", headers: browser)
            #expect(missing.body.contains("No expenses match these filters"))
            let settings = try await client.send(.get, "/orgs/\(org)/settings", headers: browser)
            #expect(settings.body.contains("Receipts take 300 KB of the 1.1 GB"))
            let reports = try await client.send(.get, "/orgs/\(org)/reports", headers: browser)
            #expect(reports.body.contains("/exports/receipts.zip?"))
        }
    }

    @Test(
        "A multipart form without this session's token first is refused before it is read",
        arguments: TestBackend.available)
    func multipartCSRF(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let expense = try await client.logExpense(org, ["amount": "3", "date": "2026-11-02"], by: owner)
            let expenseID = try #require(expense["id"] as? String)
            let (browser, csrf) = try await OrganizationPageTests.browserSession(client, "owner@example.org")
            let path = "/orgs/\(org)/expenses/\(expenseID)/receipts"
            let file = ReceiptFixtures.jpeg(2_000)
            for fields in [[("_csrf", "wrong")], [], [("note", "x"), ("_csrf", csrf)]] {
                let reply = try await client.uploadMultipart(file, to: path, fields: fields, headers: browser)
                #expect(reply.status == .forbidden, "\(fields)")
            }
            // A route that takes no file is not sent a multipart form at all.
            let logout = try await client.uploadMultipart(
                nil, to: "/orgs/\(org)/expenses/\(expenseID)/delete", fields: [("_csrf", csrf)], headers: browser)
            #expect(logout.status == .unsupportedMediaType)
            let shown = try await client.send(.get, "/api/v1/orgs/\(org)/expenses/\(expenseID)", headers: owner.auth)
            #expect(shown.json["receipt_count"] as? Int == 0)
        }
    }
}
