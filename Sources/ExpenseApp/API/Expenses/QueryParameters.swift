import ExpenseCore
import ExpenseStore
import Foundation

/// The query parameters that filter a list, an export or a report: read by the controllers, which
/// hand the services typed values.
enum ExpenseQuery {
    /// Reads `from`, `to`, `category_id`, `member_id`, `tag`, `q`, `currency`, `min_amount`,
    /// `max_amount` and `has_receipt`; every bad one is reported at once (422). Amount bounds are read in
    /// `currency`, or the organization's, and limit the list to that currency; `amountsAsTyped`
    /// (the pages) reads them as a person types them (`1,000`, `$20`), the API as plain decimals.
    static func filter(_ parameters: [String: String], defaultCurrency: Currency, amountsAsTyped: Bool = false)
        throws -> ExpenseFilter
    {
        var validator = Validator()
        var filter = ExpenseFilter()
        func value(_ name: String) -> String? { QueryValue.read(parameters, name, &validator) }
        if let from = value("from") {
            filter.from = try validator.check { try CalendarDate(parsing: from, field: "from") }
        }
        if let to = value("to") { filter.to = try validator.check { try CalendarDate(parsing: to, field: "to") } }
        if let from = filter.from, let to = filter.to, to < from {
            validator.add("to", "The end date must not be before the start date.")
        }
        if let category = value("category_id") {
            filter.categoryID = CategoryID(uuidString: category)
            if filter.categoryID == nil { validator.add("category_id", "Not a category id.") }
        }
        if let member = value("member_id") {
            filter.memberID = UserID(uuidString: member)
            if filter.memberID == nil { validator.add("member_id", "Not a member id.") }
        }
        if let tag = value("tag") {
            filter.tag = try validator.check { try Tags.normalize([tag]).first } ?? nil
        }
        if let text = value("q") {
            // Code points, as the API's maxLength counts.
            if text.unicodeScalars.count > 100 {
                validator.add("q", "Search for at most 100 characters.")
            } else {
                filter.text = text
            }
        }
        if let currency = value("currency") {
            filter.currency = try validator.check { try Currency(code: currency) }
        }
        let amountCurrency = filter.currency ?? defaultCurrency
        for (name, keyPath) in [("min_amount", \ExpenseFilter.minimumMinorUnits), ("max_amount", \.maximumMinorUnits)] {
            guard let raw = value(name) else { continue }
            let read = {
                amountsAsTyped
                    ? try AmountEntry.money(typed: raw, currency: amountCurrency, field: name)
                    : try Money(parsing: raw, currency: amountCurrency, field: name)
            }
            if let money = try validator.check(read) {
                filter[keyPath: keyPath] = money.minorUnits
                filter.currency = amountCurrency
            }
        }
        if let hasReceipt = value("has_receipt") {
            switch hasReceipt.lowercased() {
            case "true": filter.hasReceipt = true
            case "false": filter.hasReceipt = false
            default: validator.add("has_receipt", "Give true or false.")
            }
        }
        try validating { try validator.finish() }
        return filter
    }
}

/// One query parameter: absent is "not given"; present but blank is a mistake the caller hears
/// about (pages drop their blank fields before they get here).
enum QueryValue {
    static func read(_ parameters: [String: String], _ name: String, _ validator: inout Validator) -> String? {
        guard let raw = parameters[name] else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { validator.add(name, "Leave it out or give a value.") }
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension ReportService.Request {
    /// Reads `period` (default month), `from`, `to`, `group_by` and `currency` (422 naming the
    /// bad ones).
    static func parse(_ parameters: [String: String]) throws -> Self {
        var validator = Validator()
        func value(_ name: String) -> String? { QueryValue.read(parameters, name, &validator) }
        var request = Self(period: .month)
        if let raw = value("period") {
            if let period = ReportPeriod(rawValue: raw.lowercased()) {
                request.period = period
            } else {
                validator.add("period", "Choose day, week, month, quarter or year.")
            }
        }
        if let from = value("from") {
            request.from = try validator.check { try CalendarDate(parsing: from, field: "from") }
        }
        if let to = value("to") { request.to = try validator.check { try CalendarDate(parsing: to, field: "to") } }
        switch value("group_by")?.lowercased() {
        case nil, "none": break
        case "category": request.groupBy = .category
        case "member": request.groupBy = .member
        default: validator.add("group_by", "Group by category or member.")
        }
        switch value("currency")?.lowercased() {
        case nil, "original": break
        case "base": request.inBase = true
        default:
            validator.add(
                "currency", "Ask for currency=base (the organization's currency) or currency=original (each as spent).")
        }
        try validating { try validator.finish() }
        return request
    }
}

/// The period of an archive or an export that lists whole days: `from` and `to`, each optional
/// (the earliest and latest dates when left out).
enum PeriodQuery {
    /// `from` and `to` (both optional, both included; 422 when unreadable or reversed).
    static func parse(_ parameters: [String: String]) throws -> (CalendarDate, CalendarDate) {
        var validator = Validator()
        func value(_ name: String) -> String? { QueryValue.read(parameters, name, &validator) }
        var from = CalendarDate.earliest
        var to = CalendarDate.latest
        if let raw = value("from") {
            from = try validator.check { try CalendarDate(parsing: raw, field: "from") } ?? from
        }
        if let raw = value("to") { to = try validator.check { try CalendarDate(parsing: raw, field: "to") } ?? to }
        if to < from { validator.add("to", "The end date must not be before the start date.") }
        try validating { try validator.finish() }
        return (from, to)
    }
}
