import ExpenseCore
import ExpenseStore
import Foundation

/// The Import page: the form and the organization's recent imports.
struct ImportsPage: PageModel {
    /// The form as sent (or empty), with its errors. A bank's CSV is described column by
    /// column here; the API takes the same as a JSON `mapping`.
    struct Form: Sendable {
        var formats: [Choice]
        var dateColumn = ""
        var amountColumn = ""
        var debitColumn = ""
        var merchantColumn = ""
        var noteColumn = ""
        var categoryColumn = ""
        var currencyColumn = ""
        var idColumn = ""
        var dateFormat = "YYYY-MM-DD"
        var decimalSeparators: [Choice]
        var delimiters: [Choice]
        var dryRun = true
        var fileError: String? = nil
        var formatError: String? = nil
        var mappingError: String? = nil
        var dateFormatError: String? = nil
        var separatorError: String? = nil
        var request: ImportService.Request

        init(_ upload: Upload? = nil) {
            func field(_ name: String) -> String { upload?.field(name)?.trimmingCharacters(in: .whitespaces) ?? "" }
            let format = upload == nil ? "bank-csv" : field("format")
            formats = [
                ("bank-csv", "A bank's or card's CSV"), ("ofx", "OFX statement (1.x or 2.x)"),
                ("expenses-csv", "An expenses export of this server"),
            ].map { Choice(value: $0.0, label: $0.1, selected: $0.0 == format) }
            dateColumn = field("date_column")
            amountColumn = field("amount_column")
            debitColumn = field("debit_column")
            merchantColumn = field("merchant_column")
            noteColumn = field("note_column")
            categoryColumn = field("category_column")
            currencyColumn = field("currency_column")
            idColumn = field("id_column")
            if upload != nil { dateFormat = field("date_format") }
            let decimal = upload == nil ? "." : field("decimal_separator")
            decimalSeparators = [(".", "1234.56 (point)"), (",", "1234,56 (comma)")].map {
                Choice(value: $0.0, label: $0.1, selected: $0.0 == decimal)
            }
            let delimiter = upload == nil ? "," : field("delimiter")
            delimiters = [(",", "Comma ,"), (";", "Semicolon ;"), ("tab", "Tab"), ("|", "Bar |")].map {
                Choice(value: $0.0, label: $0.1, selected: $0.0 == delimiter)
            }
            dryRun = upload == nil || upload?.field("dry_run") != nil
            var mapping: [String: String] = [:]
            for (key, value) in [
                ("date", dateColumn), ("amount", amountColumn), ("debit", debitColumn), ("merchant", merchantColumn),
                ("note", noteColumn), ("category", categoryColumn), ("currency", currencyColumn), ("id", idColumn),
            ] where !value.isEmpty {
                mapping[key] = value
            }
            let json = (try? JSONSerialization.data(withJSONObject: mapping, options: [.sortedKeys])) ?? Data()
            request = ImportService.Request(
                format: format, mapping: mapping.isEmpty ? nil : String(decoding: json, as: UTF8.self),
                dateFormat: dateFormat, decimalSeparator: decimal, delimiter: delimiter, dryRun: dryRun)
        }

        mutating func show(_ error: ValidationError, fileSent: Bool) {
            fileError = fileSent ? error.message(for: "file") : "Choose the file to import."
            formatError = error.message(for: "format")
            mappingError = error.message(for: "mapping")
            dateFormatError = error.message(for: "date_format")
            separatorError = error.message(for: "decimal_separator") ?? error.message(for: "delimiter")
        }
    }

    struct Row: Sendable {
        var link: String
        var when: String
        var filename: String
        var outcome: String

        init(_ record: ImportRepository.Record, org: TenantID, zone: TimeZone) {
            link = "/orgs/\(org)/imports/\(record.id.uuidString.lowercased())"
            when = PageFormat.timestamp(record.createdAt, in: zone)
            filename = record.filename
            outcome = ImportPage.summary(record)
        }
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var canImport: Bool
    var form: Form
    var history: [Row]
    var hasHistory: Bool
    var currency: String
    var maxFile: String
}

/// One import's page: while it runs it refreshes itself every two seconds.
struct ImportPage: PageModel {
    struct Problem: Sendable {
        var row: Int
        var field: String
        var detail: String
    }

    struct PreviewRow: Sendable {
        var row: String
        var date: String
        var amount: String
        var currency: String
        var category: String
        var merchant: String
        var note: String
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var filename: String
    var format: String
    var running: Bool
    /// Seconds between reloads while running (the layout's `<meta http-equiv="refresh">`).
    var refresh: String?
    var summary: String
    var detail: String?
    var preview: [PreviewRow]
    var hasPreview: Bool
    var problems: [Problem]
    var hasProblems: Bool
    var moreProblems: String?

    init(
        title: String, account: LayoutAccount?, org: OrganizationChrome, _ record: ImportRepository.Record,
        zone: TimeZone
    ) {
        self.title = title
        self.account = account
        self.org = org
        filename = record.filename
        format = record.format
        running = record.status == "running"
        refresh = running ? "2" : nil
        summary = Self.summary(record)
        detail = record.detail
        preview = record.previewRows.map {
            PreviewRow(
                row: $0["row"] ?? "", date: $0["date"] ?? "", amount: $0["amount"] ?? "",
                currency: $0["currency"] ?? "", category: $0["category"] ?? "", merchant: $0["merchant"] ?? "",
                note: $0["note"] ?? "")
        }
        hasPreview = !preview.isEmpty
        problems = record.problems.map { Problem(row: $0.row, field: $0.field, detail: $0.detail) }
        hasProblems = !problems.isEmpty
        moreProblems =
            record.errorCount > problems.count
            ? "The first \(problems.count) of \(record.errorCount) problems are shown." : nil
        if record.status == "failed", record.detail == nil, !problems.isEmpty {
            failure = "Nothing was imported: correct the rows below and import the file again."
        }
    }

    /// "Running: 41,000 rows read", "Checked (dry run): 120 rows would be imported, 3 skipped",
    /// "Imported 118 expenses of 120 rows; 2 skipped", "Failed: 4 problems; nothing imported".
    static func summary(_ record: ImportRepository.Record) -> String {
        func count(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? "1 \(one)" : "\(n) \(many)" }
        switch record.status {
        case "running": return "Running: \(count(record.rows, "row", "rows")) read so far."
        case "done" where record.dryRun:
            return "Checked (dry run), nothing written: \(count(record.imported, "expense", "expenses")) would be "
                + "imported from \(count(record.rows, "row", "rows")), \(record.skipped) skipped (money in, or imported before)."
        case "done":
            return
                "Imported \(count(record.imported, "expense", "expenses")) from \(count(record.rows, "row", "rows")); "
                + "\(record.skipped) skipped (money in, or imported before)."
        default:
            return record.errorCount > 0
                ? "Failed with \(count(record.errorCount, "problem", "problems")): nothing was imported."
                : "Failed: nothing was imported."
        }
    }
}
