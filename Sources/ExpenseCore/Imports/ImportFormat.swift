import Foundation

/// What an uploaded file is, and for a bank's CSV how to read it.
public enum ImportFormat: Sendable, Equatable {
    /// This server's own expenses export (`expenses.csv`).
    case expensesCSV
    /// A bank's or card's statement as CSV, read by `BankCSVOptions`.
    case bankCSV(BankCSVOptions)
    /// An OFX statement (1.x SGML or 2.x XML).
    case ofx

    public var name: String {
        switch self {
        case .expensesCSV: "expenses-csv"
        case .bankCSV: "bank-csv"
        case .ofx: "ofx"
        }
    }
}

/// How to read a bank's CSV: which column holds which field, and how dates and amounts are
/// written there.
public struct BankCSVOptions: Sendable, Equatable {
    /// The fields a column can be mapped to.
    public enum Field: String, Sendable, CaseIterable {
        /// The day of the payment (required).
        case date
        /// A signed amount: money out (negative) is an expense; money in is skipped.
        case amount
        /// An amount paid out, positive; rows without one are skipped. Instead of `amount`.
        case debit
        case currency, merchant, note, category, tags
        /// The bank's own id of the transaction: what recognizes it when imported again.
        case id
    }

    /// Field to column name (the header's text, compared without surrounding spaces).
    public var mapping: [Field: String]
    public var dateFormat: DateFormat
    /// `.` or `,`; the other one, spaces and apostrophes are read as thousands separators.
    public var decimalSeparator: UInt8
    public var delimiter: UInt8

    public init(mapping: [Field: String], dateFormat: DateFormat, decimalSeparator: UInt8, delimiter: UInt8) {
        self.mapping = mapping
        self.dateFormat = dateFormat
        self.decimalSeparator = decimalSeparator
        self.delimiter = delimiter
    }

    /// Reads the request's settings, reporting every bad one: `mapping` a JSON object of field
    /// names to column names (`date` and one of `amount` or `debit` required), `date_format`
    /// (default `YYYY-MM-DD`), `decimal_separator` (`.` default, or `,`), `delimiter` (`,`
    /// default, `;`, `tab` or `|`).
    public static func parse(
        mapping: String?, dateFormat: String?, decimalSeparator: String?, delimiter: String?
    ) throws -> BankCSVOptions {
        var validator = Validator()
        var fields: [Field: String] = [:]
        if let mapping, !mapping.trimmingCharacters(in: .whitespaces).isEmpty {
            if let object = try? JSONSerialization.jsonObject(with: Data(mapping.utf8)) as? [String: Any] {
                for (key, value) in object {
                    guard let field = Field(rawValue: key) else {
                        validator.add(
                            "mapping",
                            "Map only these fields: \(Field.allCases.map(\.rawValue).joined(separator: ", ")); "
                                + "\(key) is not one.")
                        continue
                    }
                    guard let column = value as? String, !column.trimmingCharacters(in: .whitespaces).isEmpty,
                        column.count <= 200
                    else {
                        validator.add("mapping", "Give each field the name of its column, as the header says it.")
                        continue
                    }
                    fields[field] = column.trimmingCharacters(in: .whitespaces)
                }
                if fields[.date] == nil || (fields[.amount] == nil) == (fields[.debit] == nil) {
                    validator.add(
                        "mapping", "Map the date column and one amount column: amount (signed) or debit (money out).")
                }
            } else {
                validator.add(
                    "mapping", #"Give the mapping as a JSON object, e.g. {"date": "Date", "amount": "Amount"}."#)
            }
        } else {
            validator.add("mapping", "A bank's CSV needs a mapping of its columns to fields.")
        }
        let format = try validator.check { try DateFormat(parsing: dateFormat ?? "YYYY-MM-DD") }
        let separators: [String: UInt8] = [".": UInt8(ascii: "."), ",": UInt8(ascii: ",")]
        let decimal = separators[decimalSeparator.flatMap { $0.isEmpty ? nil : $0 } ?? "."]
        if decimal == nil { validator.add("decimal_separator", "Choose . or , as the decimal separator.") }
        let delimiters: [String: UInt8] = [
            ",": UInt8(ascii: ","), ";": UInt8(ascii: ";"), "tab": 9, "\t": 9, "|": UInt8(ascii: "|"),
        ]
        let split = delimiters[delimiter.flatMap { $0.isEmpty ? nil : $0 } ?? ","]
        if split == nil { validator.add("delimiter", "Choose , ; | or tab as the delimiter.") }
        if let decimal, let split, decimal == split {
            validator.add("delimiter", "The delimiter and the decimal separator must differ.")
        }
        try validator.finish()
        return BankCSVOptions(mapping: fields, dateFormat: format!, decimalSeparator: decimal!, delimiter: split!)
    }

    /// The amount as a plain decimal (`1234.56`, `-7.00`): thousands separators dropped, the
    /// decimal separator made a point. Nil when it is not a number.
    public func decimal(_ text: String) -> String? {
        var result = ""
        var seenDigit = false
        var seenPoint = false
        var trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if trimmed.hasPrefix("(") && trimmed.hasSuffix(")") {
            negative = true
            trimmed = trimmed.dropFirst().dropLast()
        }
        for scalar in trimmed.unicodeScalars {
            switch scalar {
            case "0"..."9":
                result.unicodeScalars.append(scalar)
                seenDigit = true
            case "-" where !seenDigit && !negative, "−" where !seenDigit && !negative:
                negative = true
            case "+" where !seenDigit:
                continue
            case _ where scalar.value == UInt32(decimalSeparator):
                guard !seenPoint else { return nil }
                seenPoint = true
                result += "."
            case ".", ",", " ", "'", "\u{00A0}", "\u{202F}":
                // The other separator: thousands, only between digits.
                guard seenDigit, !seenPoint else { return nil }
            default:
                return nil
            }
        }
        guard seenDigit else { return nil }
        return (negative ? "-" : "") + result
    }
}

/// A date layout such as `DD/MM/YYYY` or `M/D/YYYY`: `YYYY` the year, `MM` or `M` the month,
/// `DD` or `D` the day (one or two digits for the short forms), any other characters as they
/// are.
public struct DateFormat: Sendable, Equatable {
    enum Part: Equatable {
        case year, month(Bool), day(Bool)
        case literal(Character)
    }

    let parts: [Part]
    public let text: String

    public init(parsing text: String) throws {
        var parts: [Part] = []
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        while let first = rest.first {
            if rest.hasPrefix("YYYY") {
                parts.append(.year)
                rest = rest.dropFirst(4)
            } else if rest.hasPrefix("MM") {
                parts.append(.month(true))
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("DD") {
                parts.append(.day(true))
                rest = rest.dropFirst(2)
            } else if first == "M" {
                parts.append(.month(false))
                rest = rest.dropFirst()
            } else if first == "D" {
                parts.append(.day(false))
                rest = rest.dropFirst()
            } else if first.isLetter || first.isNumber {
                throw ValidationError(
                    "date_format", "Write the date format with YYYY, MM (or M) and DD (or D), e.g. DD/MM/YYYY.")
            } else {
                parts.append(.literal(first))
                rest = rest.dropFirst()
            }
        }
        let year = parts.filter { $0 == .year }.count
        let month = parts.filter { if case .month = $0 { true } else { false } }.count
        let day = parts.filter { if case .day = $0 { true } else { false } }.count
        guard year == 1, month == 1, day == 1 else {
            throw ValidationError("date_format", "The date format needs the year, the month and the day once each.")
        }
        self.parts = parts
        self.text = text
    }

    /// The date as `YYYY-MM-DD`, or nil when the text is not in this format.
    public func iso(_ raw: String) -> String? {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        var year = 0, month = 0, day = 0
        func digits(_ count: ClosedRange<Int>) -> Int? {
            let run = text.prefix { $0.isASCII && $0.isNumber }
            let taken = run.prefix(count.upperBound)
            guard count.contains(taken.count) else { return nil }
            text = text.dropFirst(taken.count)
            return Int(taken)
        }
        for (index, part) in parts.enumerated() {
            // A short field followed by a digit-free literal takes one or two digits; a short
            // field followed by another number field takes one.
            let nextIsNumber =
                index + 1 < parts.count && { if case .literal = parts[index + 1] { false } else { true } }()
            switch part {
            case .year: guard let value = digits(4...4) else { return nil }; year = value
            case .month(let two):
                guard let value = digits(two ? 2...2 : (nextIsNumber ? 1...1 : 1...2)) else { return nil }
                month = value
            case .day(let two):
                guard let value = digits(two ? 2...2 : (nextIsNumber ? 1...1 : 1...2)) else { return nil }
                day = value
            case .literal(let character):
                guard text.first == character else { return nil }
                text = text.dropFirst()
            }
        }
        guard text.isEmpty else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
