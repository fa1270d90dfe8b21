import ExpenseCore
import Foundation
import NIOCore

/// The CSV files finance staff download: UTF-8 with a byte-order mark (so spreadsheets read
/// accents right), RFC 4180 records, amounts as exact decimals beside their currency.
enum CSVExports {
    static let byteOrderMark = "\u{FEFF}"

    static let expensesHeader = CSV.record(
        [
            "date", "amount", "currency", "category", "merchant", "note", "tags", "member", "id", "created_at",
            "receipt_count", "base_amount", "base_currency",
        ].map(CSV.Field.value))

    /// The start of every expenses export: the byte-order mark and the header record.
    static func writeExpensesHead(into buffer: inout ByteBuffer) {
        buffer.writeString(byteOrderMark)
        buffer.writeString(expensesHeader)
    }

    /// `expenseRecord(expense, base:)`, written straight into `buffer`: the same bytes, no
    /// `String` built. `base` is the organization's currency: the base amount is empty while no
    /// rate converts the expense.
    static func writeExpenseRecord(_ expense: Expense, base: Currency, into buffer: inout ByteBuffer) {
        let comma = UInt8(ascii: ",")
        // Dates, amounts, ids and timestamps hold no byte that forces quoting.
        buffer.writeCalendarDate(expense.date)
        buffer.writeInteger(comma)
        buffer.writeDecimal(expense.amount)
        buffer.writeInteger(comma)
        buffer.writeCSVValue(expense.amount.currency.code)
        buffer.writeInteger(comma)
        buffer.writeCSVText(expense.categoryName ?? "")
        buffer.writeInteger(comma)
        buffer.writeCSVText(expense.merchant)
        buffer.writeInteger(comma)
        buffer.writeCSVText(expense.note)
        buffer.writeInteger(comma)
        buffer.writeCSVText(joining: expense.tags, separator: UInt8(ascii: " "))
        buffer.writeInteger(comma)
        buffer.writeCSVText(expense.memberName)
        buffer.writeInteger(comma)
        buffer.writeLowercaseUUID(expense.id.rawValue)
        buffer.writeInteger(comma)
        buffer.writeUTCTimestamp(expense.createdAt)
        buffer.writeInteger(comma)
        buffer.writeString(String(expense.receiptCount))
        buffer.writeInteger(comma)
        if let minor = expense.baseMinorUnits, let money = Money(minorUnits: minor, currency: base) {
            buffer.writeDecimal(money)
        }
        buffer.writeInteger(comma)
        buffer.writeCSVValue(base.code)
        buffer.writeStaticString("\r\n")
    }

    /// One record as a `String`: what `writeExpenseRecord` writes, kept as its reference.
    static func expenseRecord(_ expense: Expense, base: Currency) -> String {
        CSV.record([
            .value(expense.date.description), .value(expense.amount.decimalString),
            .value(expense.amount.currency.code), .text(expense.categoryName ?? ""), .text(expense.merchant),
            .text(expense.note), .text(expense.tags.joined(separator: " ")), .text(expense.memberName),
            .value(expense.id.description), .value(Self.timestamp(expense.createdAt)),
            .value(String(expense.receiptCount)),
            .value(
                expense.baseMinorUnits.flatMap { Money(minorUnits: $0, currency: base)?.decimalString } ?? ""),
            .value(base.code),
        ])
    }

    /// One record per bucket and currency (and group), zero rows included: the same numbers
    /// as the report.
    static func totals(_ totals: ReportService.Totals) -> String {
        let grouped = totals.groupBy != nil
        var text = byteOrderMark
        // In the base currency each row also counts the expenses no rate converts yet.
        let waiting = totals.inBase ? ["unconverted"] : []
        text += CSV.record(
            ((grouped
                ? ["period_start", "period_end", "group", "currency", "amount", "count"]
                : ["period_start", "period_end", "currency", "amount", "count"]) + waiting).map(CSV.Field.value))
        func extra(_ unconverted: Int) -> [CSV.Field] { totals.inBase ? [.value(String(unconverted))] : [] }
        let range = totals.report.range
        for bucket in totals.report.buckets {
            // The same rows as the reports page: each period from the first day asked for, every
            // period even with nothing spent, and when grouped, the period's total ("All")
            // before its groups.
            let span: [CSV.Field] = [
                .value(max(bucket.start, range.from).description), .value(bucket.end.description),
            ]
            if grouped {
                for total in bucket.totals {
                    text += CSV.record(span + [.text("All")] + Self.cells(total) + extra(bucket.unconverted))
                }
                for group in bucket.groups {
                    for total in group.totals {
                        text += CSV.record(
                            span + [.text(totals.name(of: group.key))] + Self.cells(total) + extra(group.unconverted))
                    }
                }
            } else {
                for total in bucket.totals { text += CSV.record(span + Self.cells(total) + extra(bucket.unconverted)) }
            }
        }
        return text
    }

    static func cells(_ total: MoneyTotal) -> [CSV.Field] {
        [.value(total.currency.code), .value(total.decimalString), .value(String(total.count))]
    }

    /// `acme-ltd-expenses-2026-01-01-to-2026-03-31.csv`: ASCII only, so the header needs no escaping.
    static func fileName(organization: String, kind: String, from: CalendarDate?, to: CalendarDate?) -> String {
        var slug = ""
        for scalar in organization.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, slug.last != "-" {
                slug += "-"
            }
        }
        slug = String(slug.prefix(40)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        var name = (slug.isEmpty ? "organization" : slug) + "-" + kind
        if let from { name += "-from-\(from)" }
        if let to { name += "-to-\(to)" }
        return name + ".csv"
    }

    static func timestamp(_ date: Date) -> String { UTCTimestamp.format(date) }
}
