import ExpenseCore
import Foundation
import Testing

@testable import ExpenseStore

@Suite struct SQLTests {
    @Test func interpolatedValuesBecomeParametersInEachDialect() {
        let tenant = TenantID(UUID(uuidString: "6F1C1B8E-9F43-4F7B-9A0E-3C6E2D0B9A11")!)
        let name = "Robert'); DROP TABLE users;--"
        let sql: SQL = "SELECT * FROM organizations WHERE id = \(tenant) AND name = \(name)"
        #expect(sql.text(for: .postgres) == "SELECT * FROM organizations WHERE id = $1 AND name = $2")
        #expect(sql.text(for: .sqlite) == "SELECT * FROM organizations WHERE id = ?1 AND name = ?2")
        #expect(sql.binds == [.uuid(tenant.rawValue), .text(name)])
    }

    @Test func nestedStatementsAreRenumbered() {
        let inner: SQL = "role = \(Role.admin)"
        let outer: SQL = "SELECT 1 WHERE a = \(42) AND \(inner) AND b = \(true)"
        #expect(outer.text(for: .postgres) == "SELECT 1 WHERE a = $1 AND role = $2 AND b = $3")
        #expect(outer.binds == [.int(42), .text("admin"), .bool(true)])
    }

    @Test func optionalNilBindsNull() {
        let missing: String? = nil
        let sql: SQL = "SELECT \(missing)"
        #expect(sql.binds == [.null])
    }

    @Test func timestampsRoundTripThroughSQLiteText() throws {
        let date = Date(timeIntervalSince1970: 1_764_408_735.123)
        let text = SQLTimestamp.format(date)
        #expect(text == "2025-11-29T09:32:15.123Z")
        let parsed = try Date.decode(sqlValue: .text(text))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        // Rounding carries into the next second.
        #expect(SQLTimestamp.format(Date(timeIntervalSince1970: 1_764_408_735.9996)) == "2025-11-29T09:32:16.000Z")
        #expect(SQLTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func decodingReportsTheColumnAndType() {
        let row = SQLRow(columns: ["n"], values: [.text("not a number")])
        #expect(throws: SQLDecodingError.self) { try row.decode("n", as: Int.self) }
        #expect(throws: SQLDecodingError.self) { try row.decode("missing", as: String.self) }
    }
}
