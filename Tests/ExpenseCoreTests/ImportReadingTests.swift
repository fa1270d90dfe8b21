import ExpenseCore
import Foundation
import Testing

/// Reading import files: RFC 4180 records in pieces, dates and amounts as banks write them, OFX
/// 1.x and 2.x.
@Suite struct ImportReadingTests {
    static func records(_ text: String, delimiter: UInt8 = UInt8(ascii: ","), pieces: Int = 3) throws
        -> [CSVRecordReader.Record]
    {
        var reader = CSVRecordReader(delimiter: delimiter)
        var records: [CSVRecordReader.Record] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start == 0 ? max(3, pieces) : start + pieces)
            try reader.read(Array(bytes[start..<end]), into: &records)
            start = end
        }
        try reader.finish(into: &records)
        return records
    }

    @Test func recordsFollowRFC4180WhateverThePieces() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, \"\"quoted\"\"\",\"two\r\nlines\"\r\n\r\n2,,last"
        for size in [1, 2, 5, 100] {
            let read = try Self.records(text, pieces: size)
            #expect(
                read.map(\.fields) == [["a", "b", "c"], ["1", "x, \"quoted\"", "two\r\nlines"], ["2", "", "last"]])
            #expect(read.map(\.line) == [1, 2, 5])
        }
        #expect(try Self.records("d;e\n1,5;x\n", delimiter: UInt8(ascii: ";")).last?.fields == ["1,5", "x"])
        #expect(throws: CSVRecordReader.Malformed.self) { try Self.records("a\n\"never ends") }
        #expect(throws: CSVRecordReader.Malformed.self) { try Self.records("a\n\"x\"y\n") }
        // No record holds the memory of a whole file.
        #expect(throws: CSVRecordReader.Malformed.self) {
            try Self.records(String(repeating: ",", count: CSVRecordReader.fieldLimit + 1), pieces: 4096)
        }
    }

    @Test func datesAndAmountsAsBanksWriteThem() throws {
        #expect(try DateFormat(parsing: "DD/MM/YYYY").iso("03/11/2026") == "2026-11-03")
        #expect(try DateFormat(parsing: "D.M.YYYY").iso("3.11.2026") == "2026-11-03")
        #expect(try DateFormat(parsing: "MM/DD/YYYY").iso("11/03/2026") == "2026-11-03")
        #expect(try DateFormat(parsing: "YYYYMMDD").iso("20261103") == "2026-11-03")
        #expect(try DateFormat(parsing: "DD/MM/YYYY").iso("2026-11-03") == nil)
        #expect(throws: ValidationError.self) { try DateFormat(parsing: "DD/MM") }
        let comma = try BankCSVOptions.parse(
            mapping: #"{"date":"Datum","amount":"Bedrag"}"#, dateFormat: "DD-MM-YYYY", decimalSeparator: ",",
            delimiter: ";")
        #expect(comma.decimal("-1.234,56") == "-1234.56")
        #expect(comma.decimal("3,5") == "3.5")
        #expect(comma.decimal("(12,00)") == "-12.00")
        #expect(comma.decimal("12,3,4") == nil)
        #expect(comma.decimal("abc") == nil)
        let point = try BankCSVOptions.parse(
            mapping: #"{"date":"Date","debit":"Out"}"#, dateFormat: nil, decimalSeparator: nil, delimiter: nil)
        #expect(point.decimal("1,234.56") == "1234.56")
        #expect(point.delimiter == UInt8(ascii: ","))
        #expect(throws: ValidationError.self) {
            try BankCSVOptions.parse(mapping: #"{"date":"D"}"#, dateFormat: nil, decimalSeparator: nil, delimiter: nil)
        }
        #expect(throws: ValidationError.self) {
            try BankCSVOptions.parse(
                mapping: #"{"date":"D","amount":"A"}"#, dateFormat: nil, decimalSeparator: ",", delimiter: ",")
        }
    }

    static let sgml = """
        OFXHEADER:100
        DATA:OFXSGML
        VERSION:102

        <OFX>
        <BANKMSGSRSV1><STMTTRNRS><STMTRS>
        <CURDEF>EUR
        <BANKACCTFROM><ACCTID>NL01BANK0123<ACCTTYPE>CHECKING</BANKACCTFROM>
        <BANKTRANLIST>
        <STMTTRN>
        <TRNTYPE>DEBIT
        <DTPOSTED>20261102120000[0:GMT]
        <TRNAMT>-12.50
        <FITID>2026110201
        <NAME>Caf&eacute; &amp; Co
        <MEMO>Lunch
        </STMTTRN>
        <STMTTRN>
        <TRNTYPE>CREDIT
        <DTPOSTED>20261103
        <TRNAMT>100.00
        <FITID>2026110301
        <NAME>Salary
        </STMTTRN>
        </BANKTRANLIST>
        </STMTRS></STMTTRNRS></BANKMSGSRSV1>
        </OFX>
        """

    @Test func ofxStatementsOfBothVersions() throws {
        let one = try OFXStatement(parsing: Array(Self.sgml.utf8))
        #expect(one.currency == "EUR" && one.account == "NL01BANK0123")
        #expect(one.transactions.count == 2)
        #expect(one.transactions[0].amount == "-12.50" && one.transactions[0].fitID == "2026110201")
        #expect(one.transactions[0].memo == "Lunch")
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?><?OFX OFXHEADER="200" VERSION="220"?>
            <OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>USD</CURDEF>
            <CCACCTFROM><ACCTID>4111</ACCTID></CCACCTFROM><BANKTRANLIST>
            <STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261105</DTPOSTED><TRNAMT>-7.25</TRNAMT>
            <FITID>A-1</FITID><NAME>Book &amp; Page</NAME></STMTTRN>
            </BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>
            """
        let two = try OFXStatement(parsing: Array(xml.utf8))
        #expect(two.currency == "USD" && two.account == "4111")
        #expect(two.transactions.map(\.name) == ["Book & Page"])
        guard case .candidate(let row) = ImportRecords.ofx(two.transactions[0], statement: two) else {
            Issue.record("not read as an expense")
            return
        }
        #expect(row.date == "2026-11-05" && row.amount == "7.25" && row.currency == "USD")
        #expect(ImportRecords.ofx(one.transactions[1], statement: one) == .skipped)
        #expect(throws: OFXStatement.Malformed.self) { try OFXStatement(parsing: Array("date,amount\n".utf8)) }
        // 1.x without closing tags, and a mix: every block ends at the next one.
        let open =
            "<OFX><BANKTRANLIST>" + (1...3).map { "<STMTTRN><TRNAMT>-\($0).00<FITID>F\($0)\n" }.joined()
            + "</BANKTRANLIST></OFX>"
        #expect(try OFXStatement(parsing: Array(open.utf8)).transactions.map(\.fitID) == ["F1", "F2", "F3"])
        let mixed =
            "<OFX><STMTTRN><TRNAMT>-1<FITID>A\n<STMTTRN><TRNAMT>-2<FITID>B</STMTTRN><STMTTRN><TRNAMT>-3<FITID>C\n</OFX>"
        #expect(try OFXStatement(parsing: Array(mixed.utf8)).transactions.map(\.amount) == ["-1", "-2", "-3"])
    }
}
