import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Expenses and categories through a real server, on both backends.
@Suite struct ExpenseFlowTests {
    @Test("Bad amounts, dates and fields are refused with 4xx naming the field", arguments: TestBackend.available)
    func validation(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)  // EUR
            let path = "/api/v1/orgs/\(org)/expenses"
            let refused: [([String: Any], String)] = [
                (["amount": "12.345", "date": "2026-11-29"], "amount"),
                (["amount": "abc", "date": "2026-11-29"], "amount"),
                (["amount": "1e3", "date": "2026-11-29"], "amount"),
                (["amount": "-5", "date": "2026-11-29"], "amount"),
                (["amount": "0", "date": "2026-11-29"], "amount"),
                (["amount": "10000000000000.00", "date": "2026-11-29"], "amount"),
                (["amount": "99999999999999999999999", "date": "2026-11-29"], "amount"),
                (["amount": "1.5", "currency": "JPY", "date": "2026-11-29"], "amount"),
                (["amount": "1.2345", "currency": "BHD", "date": "2026-11-29"], "amount"),
                (["amount": "1.00", "currency": "XXX", "date": "2026-11-29"], "currency"),
                (["amount": "1.00", "date": "2026-02-30"], "date"),
                (["amount": "1.00"], "date"),
                (["amount": "1.00", "date": "2026-11-29", "tags": ["ok", "not;ok"]], "tags"),
                (["amount": "1.00", "date": "2026-11-29", "category_id": UUID().uuidString], "category_id"),
                (["amount": "1.00", "date": "2026-11-29", "merchant": String(repeating: "m", count: 201)], "merchant"),
            ]
            for (body, field) in refused {
                let reply = try await client.send(.post, path, json: body, headers: owner.auth)
                #expect(reply.status == .unprocessableContent, "\(body)")
                let fields = (reply.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                #expect(fields.contains(field), "\(body) -> \(reply.body)")
            }
            // A JSON number is never an amount: money travels as a decimal string.
            let number = try await client.send(
                .post, path, json: ["amount": 12.34, "date": "2026-11-29"], headers: owner.auth)
            #expect(number.status == .badRequest)
            #expect(number.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            // Exponents per currency: JPY has none, BHD three.
            let yen = try await client.logExpense(
                org, ["amount": "1500", "currency": "jpy", "date": "2026-11-29"], by: owner)
            #expect(yen["amount"] as? String == "1500" && yen["currency"] as? String == "JPY")
            let dinar = try await client.logExpense(
                org, ["amount": "1.5", "currency": "BHD", "date": "2026-11-29"], by: owner)
            #expect(dinar["amount"] as? String == "1.500")
            let euro = try await client.logExpense(org, ["amount": "7", "date": "2026-11-29"], by: owner)
            #expect(euro["amount"] as? String == "7.00" && euro["currency"] as? String == "EUR")
            // Query parameters are validated too.
            for query in ["from=2026-13-01", "limit=0", "limit=201", "cursor=nonsense", "min_amount=1.234", "tag=a;b"] {
                #expect(
                    try await client.send(.get, "\(path)?\(query)", headers: owner.auth).status
                        == .unprocessableContent, "\(query)")
            }
            let totals = "/api/v1/orgs/\(org)/reports/totals"
            for query in [
                "period=fortnight", "group_by=mood", "from=2026-12-01&to=2026-11-01",
                "period=day&from=1900-01-01&to=2999-12-31",
            ] {
                #expect(
                    try await client.send(.get, "\(totals)?\(query)", headers: owner.auth).status
                        == .unprocessableContent, "\(query)")
            }
        }
    }

    @Test("Reading, editing with If-Match, deleting; roles decide who may", arguments: TestBackend.available)
    func editingAndRoles(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let member = try await client.signUp("mem@example.org", name: "Max", harness: harness)
            let viewer = try await client.signUp("view@example.org", name: "Vi", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            try await client.inviteAndAccept(viewer, role: "viewer", into: org, by: owner, harness: harness)

            let categories = try await client.send(.get, "/api/v1/orgs/\(org)/categories", headers: viewer.auth)
            let names = (categories.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("Travel") && names.contains("Meals"))

            let mine = try await client.logExpense(
                org, ["amount": "12.34", "date": "2026-11-02", "merchant": "Café", "tags": ["Client-X"]], by: member)
            let ownerExpense = try await client.logExpense(org, ["amount": "99.00", "date": "2026-11-03"], by: owner)
            let mineID = mine["id"] as? String ?? ""
            let path = "/api/v1/orgs/\(org)/expenses/\(mineID)"

            let read = try await client.send(.get, path, headers: viewer.auth)
            #expect(read.status == .ok)
            #expect(read.headers[.eTag] == "\"1\"")
            #expect(read.json["tags"] as? [String] == ["client-x"])

            // The viewer reads but never writes; a member edits only their own.
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs/\(org)/expenses", json: ["amount": "1", "date": "2026-11-01"],
                    headers: viewer.auth
                ).status == .forbidden)
            #expect(
                try await client.send(.patch, path, json: ["note": "mine now"], headers: viewer.auth).status
                    == .forbidden)
            let othersPath = "/api/v1/orgs/\(org)/expenses/\(ownerExpense["id"] as? String ?? "")"
            #expect(
                try await client.send(.patch, othersPath, json: ["note": "x"], headers: member.auth).status
                    == .forbidden)
            #expect(try await client.send(.delete, othersPath, headers: member.auth).status == .forbidden)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/exports/expenses.csv", headers: member.auth).status
                    == .forbidden)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/exports/totals.csv", headers: member.auth).status
                    == .forbidden)
            #expect(
                try await client.send(
                    .post, "/api/v1/orgs/\(org)/categories", json: ["name": "Mine"], headers: member.auth
                ).status == .forbidden)

            // If-Match: the current version applies, a stale one is 412 and changes nothing.
            var headers = member.auth
            headers[.ifMatch] = "\"1\""
            let edited = try await client.send(.patch, path, json: ["amount": "20", "note": "taxi"], headers: headers)
            #expect(edited.status == .ok)
            #expect(edited.headers[.eTag] == "\"2\"")
            #expect(edited.json["amount"] as? String == "20.00" && edited.json["merchant"] as? String == "Café")
            let stale = try await client.send(.patch, path, json: ["amount": "30"], headers: headers)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.json["type"] as? String == "/problems/stale-version")
            #expect(try await client.send(.delete, path, headers: headers).status == .preconditionFailed)
            #expect(try await client.send(.get, path, headers: member.auth).json["amount"] as? String == "20.00")
            // The owner may change anyone's; category null clears it; the audit keeps the story.
            let travel = (categories.json["items"] as? [[String: Any]] ?? []).first {
                $0["name"] as? String == "Travel"
            }
            let filed = try await client.send(
                .patch, path, json: ["category_id": travel?["id"] ?? ""], headers: owner.auth)
            #expect(filed.json["category_name"] as? String == "Travel")
            let cleared = try await client.send(.patch, path, json: ["category_id": NSNull()], headers: owner.auth)
            #expect(cleared.json["category_id"] is NSNull)
            var current = member.auth
            current[.ifMatch] = cleared.headers[.eTag] ?? ""
            #expect(try await client.send(.delete, path, headers: current).status == .noContent)
            #expect(try await client.send(.get, path, headers: owner.auth).status == .notFound)
            let audit = try await client.send(.get, "/api/v1/orgs/\(org)/audit", headers: owner.auth)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(
                actions.filter { $0.hasPrefix("expense.") } == [
                    "expense.deleted", "expense.updated", "expense.updated", "expense.updated", "expense.created",
                    "expense.created",
                ])
            let deleted = (audit.json["items"] as? [[String: Any]] ?? []).first
            let deletedDetails = deleted?["details"] as? [String: [String: String]]
            #expect(deletedDetails?["before"]?["note"]?.contains("taxi") == true)

            // Another tenant's ids are missing, whatever the route.
            let stranger = try await client.signUp("x@example.org", name: "Xena", harness: harness)
            let strangerOrg = try await client.createOrganization("Elsewhere", by: stranger)
            let foreign = "/api/v1/orgs/\(strangerOrg)/expenses/\(ownerExpense["id"] as? String ?? "")"
            #expect(try await client.send(.get, foreign, headers: stranger.auth).status == .notFound)
            #expect(
                try await client.send(.patch, foreign, json: ["note": "x"], headers: stranger.auth).status == .notFound)
            #expect(try await client.send(.delete, foreign, headers: stranger.auth).status == .notFound)
            let foreignCategory = "/api/v1/orgs/\(strangerOrg)/categories/\(travel?["id"] as? String ?? "")"
            #expect(
                try await client.send(.patch, foreignCategory, json: ["name": "Mine"], headers: stranger.auth).status
                    == .notFound)
            #expect(
                try await client.send(.get, "/api/v1/orgs/\(org)/expenses", headers: stranger.auth).status == .notFound)
            let filedAcross = try await client.send(
                .post, "/api/v1/orgs/\(strangerOrg)/expenses",
                json: ["amount": "1", "date": "2026-11-01", "category_id": travel?["id"] ?? ""], headers: stranger.auth)
            #expect(filedAcross.status == .unprocessableContent)
        }
    }

    @Test(
        "Categories: unique names, archived ones leave the picker, used ones cannot be deleted",
        arguments: TestBackend.available)
    func categories(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend) { $0.httpPort = 0 }
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let path = "/api/v1/orgs/\(org)/categories"
            let created = try await client.send(.post, path, json: ["name": "  Fuel  "], headers: owner.auth)
            #expect(created.status == .created && created.json["name"] as? String == "Fuel")
            let duplicate = try await client.send(.post, path, json: ["name": "FUEL"], headers: owner.auth)
            #expect(duplicate.status == .unprocessableContent)
            #expect(
                try await client.send(.post, path, json: ["name": ""], headers: owner.auth).status
                    == .unprocessableContent)
            let id = created.json["id"] as? String ?? ""
            try await client.logExpense(org, ["amount": "5", "date": "2026-11-01", "category_id": id], by: owner)
            #expect(try await client.send(.delete, "\(path)/\(id)", headers: owner.auth).status == .conflict)
            let archived = try await client.send(.patch, "\(path)/\(id)", json: ["archived": true], headers: owner.auth)
            #expect(archived.json["archived"] as? Bool == true)
            // Old expenses keep it; new ones cannot use it.
            let list = try await client.allExpenses(org, by: owner)
            #expect(list.first?["category_name"] as? String == "Fuel")
            let refused = try await client.send(
                .post, "/api/v1/orgs/\(org)/expenses", json: ["amount": "5", "date": "2026-11-01", "category_id": id],
                headers: owner.auth)
            #expect(refused.status == .unprocessableContent)
            let renamed = try await client.send(
                .patch, "\(path)/\(id)", json: ["name": "Fuel & tolls", "archived": false], headers: owner.auth)
            #expect(renamed.json["name"] as? String == "Fuel & tolls" && renamed.json["archived"] as? Bool == false)
            let unused = try await client.send(.post, path, json: ["name": "Spare"], headers: owner.auth)
            #expect(
                try await client.send(.delete, "\(path)/\(unused.json["id"] as? String ?? "")", headers: owner.auth)
                    .status == .noContent)
        }
    }
}
