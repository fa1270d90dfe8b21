import Foundation

/// One problem of an import: the row (the file's line for a CSV, the transaction's place for
/// OFX), the field and what is wrong.
public struct ImportProblem: Sendable, Equatable, Codable {
    public var row: Int
    public var field: String
    public var detail: String

    public init(row: Int, field: String, detail: String) {
        self.row = row
        self.field = field
        self.detail = detail
    }
}

/// A row read from a file, as text still to be checked like any expense: an ISO date, a plain
/// decimal amount, the currency (nil: the organization's), the category by name.
public struct ImportCandidate: Sendable, Equatable {
    public var row: Int
    public var date: String
    public var amount: String
    public var currency: String?
    public var category: String?
    public var merchant: String
    public var note: String
    public var tags: [String]
    /// What recognizes the row when the file is imported again: the source's own id (an OFX
    /// FITID, our CSV's `id`, a mapped `id` column), or else its fields, which the importer
    /// numbers by occurrence among identical rows of the file.
    public var fingerprint: String
    public var fingerprintIsID: Bool
    /// Our CSV's base amount, kept when its currency is the organization's.
    public var baseAmount: String?
    public var baseCurrency: String?
}

/// What one row of a file became.
public enum ImportRead: Sendable, Equatable {
    case candidate(ImportCandidate)
    /// Not an expense (money in): counted, not imported.
    case skipped
    case problems([ImportProblem])
}

/// Turns a file's records into candidates, one format at a time.
public enum ImportRecords {
    /// The columns our expenses export writes that an import reads (the others, `member`,
    /// `created_at` and `receipt_count`, are the importing member's, the import's time and 0).
    static let expensesColumns = ["date", "amount", "currency", "category", "merchant", "note", "tags", "id"]

    /// A header's column positions; problems for the header itself.
    public struct Header: Sendable {
        var positions: [String: Int]

        public init(expensesCSV record: CSVRecordReader.Record) throws(ImportHeaderError) {
            positions = Self.index(record.fields)
            let missing = ImportRecords.expensesColumns.filter { positions[$0] == nil }
            guard missing.isEmpty else {
                throw ImportHeaderError(
                    detail: "This is not an expenses export of this server: the header lacks "
                        + missing.joined(separator: ", ") + ".")
            }
        }

        public init(bankCSV record: CSVRecordReader.Record, options: BankCSVOptions) throws(ImportHeaderError) {
            let byName = Self.index(record.fields)
            var positions: [String: Int] = [:]
            var missing: [String] = []
            for (field, column) in options.mapping {
                if let position = byName[column] {
                    positions[field.rawValue] = position
                } else {
                    missing.append(column)
                }
            }
            guard missing.isEmpty else {
                throw ImportHeaderError(
                    detail: "The file's header has no column named " + missing.sorted().joined(separator: ", ")
                        + "; it has " + record.fields.prefix(30).map { String($0.prefix(60)) }.joined(separator: ", ")
                        + (record.fields.count > 30 ? "…" : "") + ".")
            }
            self.positions = positions
        }

        static func index(_ fields: [String]) -> [String: Int] {
            var positions: [String: Int] = [:]
            for (position, name) in fields.enumerated() {
                let key = name.trimmingCharacters(in: .whitespaces)
                if positions[key] == nil { positions[key] = position }
            }
            return positions
        }

        func value(_ name: String, in record: CSVRecordReader.Record) -> String? {
            positions[name].flatMap { $0 < record.fields.count ? record.fields[$0] : nil }
        }
    }

    /// A row of our own export. Text cells lose the apostrophe the export puts before text a
    /// spreadsheet would take for a formula.
    public static func expensesCSV(_ record: CSVRecordReader.Record, header: Header) -> ImportRead {
        func text(_ name: String) -> String { unneutralized(header.value(name, in: record) ?? "") }
        let id = header.value("id", in: record)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !id.isEmpty else {
            return .problems([ImportProblem(row: record.line, field: "id", detail: "The row has no id.")])
        }
        let tags = text("tags").split(separator: " ").map(String.init)
        return .candidate(
            ImportCandidate(
                row: record.line, date: header.value("date", in: record) ?? "",
                amount: header.value("amount", in: record) ?? "", currency: header.value("currency", in: record),
                category: text("category").isEmpty ? nil : text("category"), merchant: text("merchant"),
                note: text("note"), tags: tags, fingerprint: "csv:" + id.lowercased(), fingerprintIsID: true,
                baseAmount: header.value("base_amount", in: record).flatMap { $0.isEmpty ? nil : $0 },
                baseCurrency: header.value("base_currency", in: record)))
    }

    /// A row of a bank's CSV read by its options.
    public static func bankCSV(_ record: CSVRecordReader.Record, header: Header, options: BankCSVOptions)
        -> ImportRead
    {
        func value(_ field: BankCSVOptions.Field) -> String? { header.value(field.rawValue, in: record) }
        var problems: [ImportProblem] = []
        let rawDate = value(.date) ?? ""
        let date = options.dateFormat.iso(rawDate)
        if date == nil {
            problems.append(
                ImportProblem(
                    row: record.line, field: "date",
                    detail: "\"\(rawDate)\" is not a date written \(options.dateFormat.text).")
            )
        }
        var amount: String?
        if options.mapping[.debit] != nil {
            let raw = (value(.debit) ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty { return problems.isEmpty ? .skipped : .problems(problems) }
            amount = options.decimal(raw).map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }
            if amount == nil { problems.append(notANumber(raw, record.line)) }
        } else {
            let raw = value(.amount) ?? ""
            if let signed = options.decimal(raw) {
                // Money in, or nothing: not an expense.
                guard signed.hasPrefix("-") else { return problems.isEmpty ? .skipped : .problems(problems) }
                amount = String(signed.dropFirst())
            } else {
                problems.append(notANumber(raw, record.line))
            }
        }
        guard problems.isEmpty, let date, let amount else { return .problems(problems) }
        let merchant = value(.merchant) ?? ""
        let note = value(.note) ?? ""
        let currency = value(.currency).flatMap { $0.isEmpty ? nil : $0.uppercased() }
        let id = value(.id)?.trimmingCharacters(in: .whitespaces) ?? ""
        return .candidate(
            ImportCandidate(
                row: record.line, date: date, amount: amount, currency: currency,
                category: value(.category).flatMap { $0.isEmpty ? nil : $0 }, merchant: merchant, note: note,
                tags: (value(.tags) ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init),
                fingerprint: id.isEmpty
                    ? "bank:" + [date, amount, currency ?? "", merchant, note].joined(separator: "\u{1F}")
                    : "bank-id:" + id,
                fingerprintIsID: !id.isEmpty, baseAmount: nil, baseCurrency: nil))
    }

    /// An OFX transaction: a debit (negative `TRNAMT`) is an expense; credits are skipped.
    public static func ofx(_ transaction: OFXStatement.Transaction, statement: OFXStatement) -> ImportRead {
        var problems: [ImportProblem] = []
        let row = transaction.index
        let date = transaction.posted.flatMap(OFXStatement.isoDate)
        if date == nil {
            problems.append(ImportProblem(row: row, field: "date", detail: "DTPOSTED is missing or not a date."))
        }
        let raw = (transaction.amount ?? "").replacingOccurrences(of: ",", with: ".")
        let signed = raw.trimmingCharacters(in: .whitespaces)
        if signed.isEmpty || Double(signed) == nil {
            problems.append(ImportProblem(row: row, field: "amount", detail: "TRNAMT is missing or not a number."))
        }
        guard problems.isEmpty, let date else { return .problems(problems) }
        guard signed.hasPrefix("-") else { return .skipped }
        let fitID = transaction.fitID ?? ""
        let amount = String(signed.dropFirst())
        let name = transaction.name ?? ""
        let memo = transaction.memo ?? ""
        let currency = transaction.currency ?? statement.currency
        return .candidate(
            ImportCandidate(
                row: row, date: date, amount: amount, currency: currency, category: nil, merchant: name, note: memo,
                tags: [],
                fingerprint: fitID.isEmpty
                    ? "ofx:" + [date, amount, currency ?? "", name, memo].joined(separator: "\u{1F}")
                    : "ofx:\(statement.account ?? ""):\(fitID)",
                fingerprintIsID: !fitID.isEmpty, baseAmount: nil, baseCurrency: nil))
    }

    static func notANumber(_ raw: String, _ row: Int) -> ImportProblem {
        ImportProblem(row: row, field: "amount", detail: "\"\(raw)\" is not an amount.")
    }

    /// Text as it was before the export put an apostrophe in front of it (it does so before
    /// text starting with `=`, `+`, `-`, `@`, a tab, a carriage return or an apostrophe).
    static func unneutralized(_ text: String) -> String {
        text.hasPrefix("'") ? String(text.dropFirst()) : text
    }
}

/// The file's header does not fit the format.
public struct ImportHeaderError: Error, Equatable {
    public var detail: String
}
