import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ExpenseApp

/// Receipts through a real server, on both backends: upload, download, refusals, sharing of
/// stored bytes, quota, roles and tenants.
@Suite struct ReceiptFlowTests {
    static let limit = 600_000

    @Test(
        "A JPEG and a PDF go up and come back byte for byte, served as opaque files", arguments: TestBackend.available)
    func roundTrip(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let expense = try await client.logExpense(
                org, ["amount": "12.50", "date": "2026-11-02", "merchant": "Café"], by: owner)
            let expenseID = try #require(expense["id"] as? String)
            #expect(expense["receipt_count"] as? Int == 0)
            let path = "/api/v1/orgs/\(org)/expenses/\(expenseID)/receipts"
            // Three stored rows and a bit: the rows come back in order.
            let jpeg = ReceiptFixtures.jpeg(3 * 256 * 1024 + 17)
            let up = try await client.uploadRaw(jpeg, to: path, name: "lunch.jpg", auth: owner.auth)
            #expect(up.status == .created, "\(String(decoding: up.body, as: UTF8.self))")
            #expect(up.json["media_type"] as? String == "image/jpeg")
            #expect(up.json["size"] as? Int == jpeg.count)
            #expect(up.json["filename"] as? String == "lunch.jpg")
            #expect(up.json["expense_id"] as? String == expenseID)
            let jpegID = try #require(up.json["id"] as? String)
            let pdf = ReceiptFixtures.pdf(70_000)
            let upPDF = try await client.uploadMultipart(
                pdf, to: path, filename: "invoice.pdf", contentType: "application/pdf", headers: owner.auth)
            #expect(upPDF.status == .created)
            let pdfID = try #require(upPDF.json["id"] as? String)

            let image = try await client.sendBytes(.get, "/api/v1/orgs/\(org)/receipts/\(jpegID)", headers: owner.auth)
            #expect(image.status == .ok)
            #expect(image.body == jpeg)
            #expect(image.headers[.contentType] == "image/jpeg")
            #expect(image.headers[.xContentTypeOptions] == "nosniff")
            #expect(image.headers[values: .contentSecurityPolicy] == [SecurityHeaders.filePolicy])
            #expect(image.headers[.contentDisposition]?.hasPrefix("inline; filename=\"lunch.jpg\"") == true)
            let etag = try #require(image.headers[.eTag])
            var conditional = owner.auth
            conditional[.ifNoneMatch] = etag
            let again = try await client.sendBytes(
                .get, "/api/v1/orgs/\(org)/receipts/\(jpegID)", headers: conditional)
            #expect(again.status == .notModified)
            // A 304's Content-Length, if any, is the 200's (RFC 9110), never the empty body's.
            #expect(again.headers[.contentLength] == nil || again.headers[.contentLength] == String(jpeg.count))
            #expect(again.body.isEmpty)

            let document = try await client.sendBytes(
                .get, "/api/v1/orgs/\(org)/receipts/\(pdfID)", headers: owner.auth)
            #expect(document.body == pdf)
            #expect(document.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"invoice.pdf\"") == true)

            let listed = try await client.send(.get, path, headers: owner.auth)
            let items = listed.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["id"] as? String } == [jpegID, pdfID])
            let shown = try await client.send(.get, "/api/v1/orgs/\(org)/expenses/\(expenseID)", headers: owner.auth)
            #expect(shown.json["receipt_count"] as? Int == 2)
        }
    }

    @Test("Files that are no receipt, empty or over the limit are refused", arguments: TestBackend.available)
    func refusals(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) {
            $0.httpPort = 0
            $0.receiptMaxBytes = Self.limit
        }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let expense = try await client.logExpense(org, ["amount": "3", "date": "2026-11-02"], by: owner)
            let path = "/api/v1/orgs/\(org)/expenses/\(try #require(expense["id"] as? String))/receipts"
            let html = Array("<!doctype html><script>alert(1)</script>".utf8)
            let renamed = try await client.uploadMultipart(
                html, to: path, filename: "receipt.png", contentType: "image/png", headers: owner.auth)
            #expect(renamed.status == .unsupportedMediaType)
            #expect(renamed.json["type"] as? String == "/problems/not-a-receipt")
            let svg = Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8)
            #expect(
                try await client.uploadRaw(svg, to: path, contentType: "image/svg+xml", auth: owner.auth).status
                    == .unsupportedMediaType)
            let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + ReceiptFixtures.filler(100, seed: 3)
            #expect(try await client.uploadRaw(zip, to: path, auth: owner.auth).status == .unsupportedMediaType)
            let empty = try await client.uploadMultipart([], to: path, filename: "scan.jpg", headers: owner.auth)
            #expect(empty.status == .unprocessableContent)
            #expect(try await client.uploadRaw([], to: path, auth: owner.auth).status == .unprocessableContent)
            let none = try await client.uploadMultipart(nil, to: path, fields: [("note", "x")], headers: owner.auth)
            #expect(none.status == .unprocessableContent)
            // A header name the multipart parser cannot be given (a byte over 0x7F) is a 400, not a
            // crash of the server.
            var hostile = owner.auth
            hostile[.contentType] = "multipart/form-data; boundary=X"
            for body in [
                "--X\r\n\u{E9}: a\r\n\r\nb\r\n--X--\r\n",
                "--X\r\nContent-Disposition: form-data; name=\"a\"\r\nx\u{FF}y: 1\r\n\r\nb\r\n--X--\r\n",
                // A preamble, where the parser would find the delimiter on its own.
                "a--X\r\n\u{80}: v\r\n\r\n", "\n--X\r\n\u{80}: v\r\n\r\n",
            ] {
                let reply = try await client.sendBytes(.post, path, body: ByteBuffer(string: body), headers: hostile)
                #expect(reply.status == .badRequest)
            }
            let atLimit = ReceiptFixtures.jpeg(Self.limit, seed: 4)
            #expect(try await client.uploadRaw(atLimit, to: path, auth: owner.auth).status == .created)
            let over = ReceiptFixtures.jpeg(Self.limit + 1, seed: 5)
            let raw = try await client.uploadRaw(over, to: path, auth: owner.auth)
            #expect(raw.status == .contentTooLarge)
            #expect(raw.json["type"] as? String == "/problems/too-large")
            let parted = try await client.uploadMultipart(over, to: path, headers: owner.auth)
            #expect(parted.status == .contentTooLarge)
            let shown = try await client.send(.get, path, headers: owner.auth)
            #expect((shown.json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("A repeated file is stored once and counted once against the quota", arguments: TestBackend.available)
    func sharingAndQuota(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) {
            $0.httpPort = 0
            $0.receiptQuotaBytes = 250_000
        }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            var paths: [String] = []
            for day in ["2026-11-02", "2026-11-03"] {
                let expense = try await client.logExpense(org, ["amount": "3", "date": day], by: owner)
                paths.append("/api/v1/orgs/\(org)/expenses/\(try #require(expense["id"] as? String))/receipts")
            }
            let file = ReceiptFixtures.jpeg(200_000, seed: 6)
            let first = try await client.uploadRaw(file, to: paths[0], auth: owner.auth)
            let second = try await client.uploadRaw(file, to: paths[1], auth: owner.auth)
            #expect(first.status == .created && second.status == .created)
            #expect(first.json["sha256"] as? String == second.json["sha256"] as? String)
            // 200 kB used of 250 kB: another new file does not fit, the same one again does.
            let other = try await client.uploadRaw(
                ReceiptFixtures.jpeg(60_000, seed: 7), to: paths[1], auth: owner.auth)
            #expect(other.status == .conflict)
            #expect(other.json["type"] as? String == "/problems/quota-exceeded")
            #expect(try await client.uploadRaw(file, to: paths[1], auth: owner.auth).status == .created)
            // Two new files at once that each fit but not together: one is taken, one refused.
            let (leftPath, rightPath) = (paths[0], paths[1])
            async let left = client.uploadRaw(ReceiptFixtures.jpeg(30_000, seed: 8), to: leftPath, auth: owner.auth)
            async let right = client.uploadRaw(ReceiptFixtures.jpeg(30_000, seed: 9), to: rightPath, auth: owner.auth)
            let statuses = try await [left.status, right.status].map(\.code).sorted()
            #expect(statuses == [201, 409])
            // Removing every receipt of the file frees its room.
            let firstID = try #require(first.json["id"] as? String)
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/receipts/\(firstID)", headers: owner.auth).status
                    == .noContent)
            #expect(
                try await client.uploadRaw(ReceiptFixtures.jpeg(60_000, seed: 7), to: paths[1], auth: owner.auth)
                    .status == .conflict)
            let expenseID = try #require(paths[1].split(separator: "/").dropLast().last.map(String.init))
            let expense = try await client.send(.get, "/api/v1/orgs/\(org)/expenses/\(expenseID)", headers: owner.auth)
            let version = try #require(expense.json["version"] as? Int)
            var match = owner.auth
            match[.ifMatch] = "\"\(version)\""
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/expenses/\(expenseID)", headers: match).status
                    == .noContent)
            #expect(
                try await client.uploadRaw(ReceiptFixtures.jpeg(60_000, seed: 7), to: paths[0], auth: owner.auth)
                    .status == .created)
            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.filter { $0 == "receipt.added" }.count == 5)
            #expect(actions.filter { $0 == "receipt.removed" }.count == 1)
        }
    }

    @Test("Another tenant sees 404; a viewer may look but not attach or remove", arguments: TestBackend.available)
    func rolesAndTenants(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let viewer = try await client.signUp("viewer@example.org", name: "Vera", harness: harness)
            let stranger = try await client.signUp("stranger@example.org", name: "Sam", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let theirs = try await client.createOrganization("Other Co", by: stranger)
            try await client.inviteAndAccept(viewer, role: "viewer", into: org, by: owner, harness: harness)
            let expense = try await client.logExpense(org, ["amount": "3", "date": "2026-11-02"], by: owner)
            let expenseID = try #require(expense["id"] as? String)
            let path = "/api/v1/orgs/\(org)/expenses/\(expenseID)/receipts"
            let up = try await client.uploadRaw(ReceiptFixtures.jpeg(1000), to: path, auth: owner.auth)
            let id = try #require(up.json["id"] as? String)
            let file = "/api/v1/orgs/\(org)/receipts/\(id)"
            #expect(try await client.sendBytes(.get, file, headers: viewer.auth).status == .ok)
            #expect(try await client.send(.get, path, headers: viewer.auth).status == .ok)
            #expect(
                try await client.uploadRaw(ReceiptFixtures.jpeg(900), to: path, auth: viewer.auth).status
                    == .forbidden)
            #expect(try await client.send(.delete, file, headers: viewer.auth).status == .forbidden)
            // The stranger, in their own organization or in this one, finds nothing.
            #expect(try await client.send(.get, path, headers: stranger.auth).status == .notFound)
            #expect(
                try await client.sendBytes(.get, "/api/v1/orgs/\(org)/exports/receipts.zip", headers: stranger.auth)
                    .status == .notFound)
            let (strangerPages, _) = try await OrganizationPageTests.browserSession(client, "stranger@example.org")
            for page in [
                "/orgs/\(org)/receipts/\(id)", "/orgs/\(theirs)/receipts/\(id)", "/orgs/\(org)/expenses/\(expenseID)",
            ] {
                #expect(try await client.sendBytes(.get, page, headers: strangerPages).status == .notFound, "\(page)")
            }
            for prefix in ["/api/v1/orgs/\(theirs)", "/api/v1/orgs/\(org)"] {
                #expect(
                    try await client.sendBytes(.get, "\(prefix)/receipts/\(id)", headers: stranger.auth).status
                        == .notFound)
                #expect(
                    try await client.send(.delete, "\(prefix)/receipts/\(id)", headers: stranger.auth).status
                        == .notFound)
                #expect(
                    try await client.uploadRaw(
                        ReceiptFixtures.jpeg(900), to: "\(prefix)/expenses/\(expenseID)/receipts", auth: stranger.auth
                    ).status == .notFound)
            }
            #expect(try await client.uploadRaw(ReceiptFixtures.jpeg(900), to: path, auth: [:]).status == .unauthorized)
            let filtered = try await client.allExpenses(org, query: "&has_receipt=false", by: owner)
            #expect(filtered.isEmpty)
            #expect(try await client.allExpenses(org, query: "&has_receipt=true", by: owner).count == 1)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/expenses?has_receipt=maybe", headers: owner.auth)
                    .status == .unprocessableContent)
            // An organization with receipts is deleted whole: its files and their rows go with it.
            #expect(try await client.send(.delete, "/api/v1/orgs/\(org)", headers: owner.auth).status == .noContent)
            #expect(try await client.sendBytes(.get, file, headers: owner.auth).status == .notFound)
        }
    }
}
