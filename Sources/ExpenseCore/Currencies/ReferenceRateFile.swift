import Foundation

/// The European Central Bank's euro reference rates as published in its `eurofxref` files:
/// daily or historical, CSV or XML. Each day quotes how many units of a currency one euro buys.
///
/// The XML is read by a small scanner of `Cube` elements rather than an XML library: the files
/// hold nothing but those elements' `time`, `currency` and `rate` attributes, and Foundation's
/// XML parser would add libxml2 to the server's runtime for that.
public struct ReferenceRateFile: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        public var date: CalendarDate
        /// Currency code (as written, possibly one no longer in use) and units per euro.
        public var quotes: [Quote]
    }

    public struct Quote: Sendable, Equatable {
        public var code: String
        public var perEuro: ExchangeRate
    }

    public var days: [Day]

    /// Reads either format, told apart by the first character that is not white space.
    public init(parsing data: some Collection<UInt8>) throws {
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw ValidationError("file", "The file is not UTF-8 text: upload the ECB's eurofxref CSV or XML file.")
        }
        let body = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        days = try body.first == "<" ? Self.xml(String(body)) : Self.csv(String(body))
        guard !days.isEmpty else {
            throw ValidationError("file", "The file holds no rates: upload the ECB's eurofxref CSV or XML file.")
        }
        let dates = days.map(\.date)
        if Set(dates).count != dates.count {
            throw ValidationError("file", "The file gives one day twice.")
        }
    }

    /// `Date,USD,JPY,…` then one line per day; a rate may be `N/A` or empty (not quoted that
    /// day), a line may end with a comma, dates are `2024-01-05` (historical) or
    /// `05 January 2024` (daily).
    static func csv(_ text: String) throws -> [Day] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first else { return [] }
        let columns = cells(header)
        guard columns.first?.lowercased() == "date", columns.count > 1 else {
            throw ValidationError("file", "Line 1 must be the header Date,USD,JPY,… of the ECB's eurofxref CSV.")
        }
        let codes = Array(columns.dropFirst())
        for code in codes where code.count != 3 || !code.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            throw ValidationError(
                "file", "Line 1 names a currency \"\(code.prefix(20))\": expected a three-letter code.")
        }
        var days: [Day] = []
        for (index, line) in lines.enumerated().dropFirst() {
            let values = cells(line)
            guard !values.allSatisfy(\.isEmpty) else { continue }
            let number = index + 1
            guard values.count <= columns.count else {
                throw ValidationError("file", "Line \(number) has more values than the header has currencies.")
            }
            let date = try date(values[0], line: number)
            var quotes: [Quote] = []
            for (code, value) in zip(codes, values.dropFirst()) where !value.isEmpty && value != "N/A" {
                quotes.append(Quote(code: code, perEuro: try rate(value, code: code, line: number)))
            }
            days.append(Day(date: date, quotes: quotes))
        }
        return days
    }

    /// The `<Cube time='…'>` elements, each holding `<Cube currency='…' rate='…'/>` elements.
    static func xml(_ text: String) throws -> [Day] {
        var days: [Day] = []
        var line = 1
        var rest = Substring(text)
        while let open = rest.firstRange(of: "<") {
            line += rest[..<open.lowerBound].count { $0 == "\n" }
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else {
                throw ValidationError("file", "Line \(line) opens a tag that never closes.")
            }
            let tag = rest[open.upperBound..<close]
            line += tag.count { $0 == "\n" }
            rest = rest[rest.index(after: close)...]
            guard tag.hasPrefix("Cube"), tag.dropFirst(4).first.map({ $0.isWhitespace || $0 == "/" }) ?? true
            else { continue }
            let attributes = try Self.attributes(tag.dropFirst(4), line: line)
            if let time = attributes["time"] {
                days.append(Day(date: try date(time, line: line), quotes: []))
            } else if let code = attributes["currency"], let value = attributes["rate"] {
                guard !days.isEmpty else {
                    throw ValidationError("file", "Line \(line) gives a rate before any day's time.")
                }
                days[days.count - 1].quotes.append(Quote(code: code, perEuro: try rate(value, code: code, line: line)))
            } else if !attributes.isEmpty {
                throw ValidationError("file", "Line \(line) has a Cube with neither a time nor a currency and rate.")
            }
        }
        return days
    }

    /// `name='value'` or `name="value"` pairs.
    static func attributes(_ text: Substring, line: Int) throws -> [String: String] {
        var result: [String: String] = [:]
        var rest = text.drop { $0.isWhitespace }
        while let first = rest.first, first != "/" {
            guard let equals = rest.firstIndex(of: "=") else {
                throw ValidationError("file", "Line \(line) has an attribute without a value.")
            }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces)
            let afterEquals = rest[rest.index(after: equals)...].drop { $0.isWhitespace }
            guard let quote = afterEquals.first, quote == "'" || quote == "\"",
                let end = afterEquals.dropFirst().firstIndex(of: quote)
            else { throw ValidationError("file", "Line \(line) has an attribute whose value is not quoted.") }
            result[name] = String(afterEquals[afterEquals.index(after: afterEquals.startIndex)..<end])
            rest = afterEquals[afterEquals.index(after: end)...].drop { $0.isWhitespace }
        }
        return result
    }

    static func cells(_ line: String) -> [String] {
        var cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if cells.count > 1, cells.last == "" { cells.removeLast() }
        return cells
    }

    static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    static func date(_ text: String, line: Int) throws -> CalendarDate {
        if let date = try? CalendarDate(parsing: text) { return date }
        let words = text.split(separator: " ")
        if words.count == 3, let day = Int(words[0]), let month = months.firstIndex(of: words[1].lowercased()),
            let year = Int(words[2]), let date = CalendarDate(year: year, month: month + 1, day: day),
            date >= .earliest, date <= .latest
        {
            return date
        }
        throw ValidationError("file", "Line \(line) has the date \"\(text.prefix(30))\": expected 2024-01-05.")
    }

    static func rate(_ text: String, code: String, line: Int) throws -> ExchangeRate {
        guard let rate = try? ExchangeRate(parsing: text) else {
            throw ValidationError(
                "file",
                "Line \(line) gives \(code.prefix(20)) the rate \"\(text.prefix(30))\": expected a decimal like 1.0921."
            )
        }
        return rate
    }
}
