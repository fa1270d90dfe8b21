import Foundation
import Testing

@testable import ExpenseCore

/// The ECB's `eurofxref` files in the four shapes it publishes them (daily and historical, CSV
/// and XML), and their rates restated in a base currency, the expected rates worked out by hand
/// (Python's `decimal` at 40 digits, rounded half to even to 12 significant digits).
@Suite struct ReferenceRateFileTests {
    static let dailyCSV = """
        Date, USD, JPY, BGN, CZK, DKK, GBP, HUF, PLN, RON, SEK, CHF, ISK, NOK, TRY, AUD, BRL, CAD, CNY, HKD, IDR, ILS, INR, KRW, MXN, MYR, NZD, PHP, SGD, THB, ZAR, 
        05 January 2024, 1.0921, 158.95, 1.9558, 24.687, 7.4568, 0.86145, 378.53, 4.3513, 4.9720, 11.1385, 0.9300, 150.70, 11.3080, 32.6030, 1.6253, 5.3582, 1.4616, 7.8248, 8.5292, 16926.71, 3.9819, 90.8160, 1437.71, 18.5835, 5.0670, 1.7532, 60.789, 1.4501, 37.608, 20.4212, 

        """

    static let dailyXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
        \t<gesmes:subject>Reference rates</gesmes:subject>
        \t<gesmes:Sender>
        \t\t<gesmes:name>European Central Bank</gesmes:name>
        \t</gesmes:Sender>
        \t<Cube>
        \t\t<Cube time='2024-01-05'>
        \t\t\t<Cube currency='USD' rate='1.0921'/>
        \t\t\t<Cube currency='JPY' rate='158.95'/>
        \t\t\t<Cube currency='GBP' rate='0.86145'/>
        \t\t</Cube>
        \t</Cube>
        </gesmes:Envelope>
        """

    static let historicalCSV = """
        Date,USD,JPY,CYP,GBP,
        2024-01-05,1.0921,158.95,N/A,0.86145,
        2024-01-04,1.0953,159.33,N/A,0.86240,
        2008-01-02,1.4717,164.53,0.585274,0.74145,

        """

    static let historicalXML = """
        <?xml version="1.0" encoding="UTF-8"?><gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><gesmes:subject>Reference rates</gesmes:subject><gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender><Cube><Cube time="2024-01-05"><Cube currency="USD" rate="1.0921"/><Cube currency="GBP" rate="0.86145"/></Cube><Cube time="2024-01-04"><Cube currency="USD" rate="1.0953"/><Cube currency="GBP" rate="0.8624"/></Cube></Cube></gesmes:Envelope>
        """

    func parse(_ text: String) throws -> ReferenceRateFile { try ReferenceRateFile(parsing: Array(text.utf8)) }

    func rate(_ restated: ReferenceRateFile.Restated, _ code: String, _ date: String) -> String? {
        restated.rates.first { $0.currency.code == code && $0.date.description == date }?.rate.decimalString
    }

    @Test func theDailyFilesReadAlike() throws {
        let csv = try parse(Self.dailyCSV)
        #expect(csv.days.count == 1 && csv.days[0].date.description == "2024-01-05")
        #expect(csv.days[0].quotes.count == 30)
        #expect(csv.days[0].quotes.first { $0.code == "IDR" }?.perEuro.decimalString == "16926.71")
        let xml = try parse(Self.dailyXML)
        #expect(xml.days.count == 1 && xml.days[0].date == csv.days[0].date)
        #expect(xml.days[0].quotes.map(\.code) == ["USD", "JPY", "GBP"])
        for quote in xml.days[0].quotes {
            #expect(csv.days[0].quotes.first { $0.code == quote.code } == quote)
        }
    }

    @Test func theHistoricalFilesReadEveryDaySkippingWhatIsNotQuoted() throws {
        let csv = try parse(Self.historicalCSV)
        #expect(csv.days.map(\.date.description) == ["2024-01-05", "2024-01-04", "2008-01-02"])
        #expect(csv.days[0].quotes.map(\.code) == ["USD", "JPY", "GBP"])  // CYP is N/A
        #expect(csv.days[2].quotes.map(\.code) == ["USD", "JPY", "CYP", "GBP"])
        let xml = try parse(Self.historicalXML)
        #expect(xml.days.map(\.date.description) == ["2024-01-05", "2024-01-04"])
        #expect(xml.days[1].quotes.map(\.perEuro.decimalString) == ["1.0953", "0.8624"])
    }

    @Test func ratesAreRestatedInTheBaseCurrency() throws {
        let file = try parse(Self.historicalCSV)
        let inEuro = file.restated(in: try Currency(code: "EUR"))
        // 1 / 1.0921 = 0.915667063455727…, 1 / 0.86145 = 1.16083347843751…
        #expect(rate(inEuro, "USD", "2024-01-05") == "0.915667063456")
        #expect(rate(inEuro, "GBP", "2024-01-05") == "1.16083347844")
        #expect(inEuro.skippedCodes == ["CYP"])  // no longer a currency
        #expect(inEuro.daysWithoutBase.isEmpty)
        #expect(inEuro.rates.count == 9)

        let inDollars = file.restated(in: try Currency(code: "USD"))
        // 1.0921 / 158.95 = 0.00687071406102548…, 1.0921 / 0.86145 = 1.26774624180161…
        #expect(rate(inDollars, "JPY", "2024-01-05") == "0.00687071406103")
        #expect(rate(inDollars, "GBP", "2024-01-05") == "1.2677462418")  // the twelfth digit is a zero
        #expect(rate(inDollars, "EUR", "2024-01-05") == "1.0921")
        #expect(rate(inDollars, "USD", "2024-01-05") == nil)

        // A base the file does not quote on a day: that day gives nothing.
        let inYen = try parse("Date,USD,JPY,\n2024-01-05,1.0921,N/A,\n2024-01-04,1.0953,159.33,\n")
            .restated(in: try Currency(code: "JPY"))
        #expect(inYen.daysWithoutBase.map(\.description) == ["2024-01-05"])
        #expect(inYen.rates.map(\.date.description) == ["2024-01-04", "2024-01-04"])
    }

    @Test func whatIsNoRateFileIsRefusedWithItsLine() throws {
        let cases: [(String, String)] = [
            ("", "no rates"),
            ("Date,USD\n", "no rates"),
            ("Day,USD\n2024-01-05,1.1\n", "Line 1"),
            ("Date,usd\n2024-01-05,1.1\n", "Line 1"),
            ("Date,USD\n2024-01-05,1.1\n2024-13-05,1.1\n", "Line 3"),
            ("Date,USD\n2024-01-05,-1.1\n", "Line 2"),
            ("Date,USD\n2024-01-05,1.1,2.2\n", "Line 2"),
            ("Date,USD\n2024-01-05,1.1\n2024-01-05,1.2\n", "twice"),
            ("<Cube><Cube currency='USD' rate='1.1'/></Cube>", "before any day"),
            ("<Cube>\n<Cube time='2024-01-05'>\n<Cube currency='USD' rate='x'/>", "Line 3"),
            ("<Cube time=2024-01-05>", "not quoted"),
            ("<Cube time='2024-01-05'", "never closes"),
            ("<Cube foo='bar'/>", "neither"),
        ]
        for (text, words) in cases {
            let error = #expect(throws: ValidationError.self, "\(text.debugDescription)") { try parse(text) }
            #expect(error?.message(for: "file")?.contains(words) == true, "\(text.debugDescription): \(error as Any)")
        }
        #expect(throws: ValidationError.self) { try ReferenceRateFile(parsing: [0xFF, 0xFE, 0x00]) }
    }
}
