import Foundation
import HTTPTypes
import HummingbirdTesting

@testable import ExpenseApp

extension TestClientProtocol {
    /// Logs an expense; returns its JSON.
    @discardableResult
    func logExpense(_ org: String, _ fields: [String: Any], by user: TestUser) async throws -> [String: Any] {
        let reply = try await send(.post, "/api/v1/orgs/\(org)/expenses", json: fields, headers: user.auth)
        guard reply.status == .created else { throw TestFailure("expense refused: \(reply.status) \(reply.body)") }
        return reply.json
    }

    /// Every page of the list, following `next_cursor`.
    func allExpenses(_ org: String, query: String = "", limit: Int = 50, by user: TestUser) async throws
        -> [[String: Any]]
    {
        var items: [[String: Any]] = []
        var cursor: String?
        repeat {
            var uri = "/api/v1/orgs/\(org)/expenses?limit=\(limit)\(query)"
            if let cursor { uri += "&cursor=\(cursor)" }
            let page = try await send(.get, uri, headers: user.auth)
            guard page.status == .ok else { throw TestFailure("list failed: \(page.status) \(page.body)") }
            items += page.json["items"] as? [[String: Any]] ?? []
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        return items
    }
}

/// Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into records: an independent
/// parser, so the export is checked against the format rather than against itself.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        if quoted {
            if scalar == "\"" {
                if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                    field.unicodeScalars.append("\"")
                    index += 1
                } else {
                    quoted = false
                }
            } else {
                field.unicodeScalars.append(scalar)
            }
        } else if scalar == "\"" {
            quoted = true
        } else if scalar == "," {
            record.append(field)
            field = ""
        } else if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" {
            record.append(field)
            records.append(record)
            record = []
            field = ""
            index += 1
        } else {
            field.unicodeScalars.append(scalar)
        }
        index += 1
    }
    if !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}
