import Foundation

/// One expense as logged: an exact amount on a calendar date, by a member, in a category.
public struct Expense: Sendable, Equatable {
    public var id: ExpenseID
    public var tenantID: TenantID
    /// Who logged it (and may edit it with `editOwnExpenses`).
    public var memberID: UserID
    public var memberName: String
    public var categoryID: CategoryID?
    public var categoryName: String?
    public var amount: Money
    public var date: CalendarDate
    public var merchant: String
    public var note: String
    public var tags: [String]
    /// Raised by every change; the API's ETag, so a stale edit is refused.
    public var version: Int
    /// Insertion order: the tiebreak of "newest first" after the date.
    public var sequence: Int64
    public var createdAt: Date
    public var updatedAt: Date
    /// How many receipts are attached (adding or removing one is not a change of the expense:
    /// its version stays).
    public var receiptCount: Int
    /// Paid out of pocket, so it may be claimed back (false: a company card's).
    public var reimbursable: Bool
    /// The claim it is gathered in, if any.
    public var claimID: ClaimID?
    /// Its amount in the organization's currency (minor units), converted once when written;
    /// nil while no rate converts it ("unconverted").
    public var baseMinorUnits: Int64?
    /// The schedule that wrote it, for an occurrence of a recurring expense.
    public var recurringID: RecurringID? = nil

    public init(
        id: ExpenseID, tenantID: TenantID, memberID: UserID, memberName: String, categoryID: CategoryID?,
        categoryName: String?, amount: Money, date: CalendarDate, merchant: String, note: String, tags: [String],
        version: Int, sequence: Int64, createdAt: Date, updatedAt: Date, receiptCount: Int = 0,
        reimbursable: Bool = true, claimID: ClaimID? = nil, baseMinorUnits: Int64? = nil
    ) {
        self.baseMinorUnits = baseMinorUnits
        self.id = id
        self.tenantID = tenantID
        self.memberID = memberID
        self.memberName = memberName
        self.categoryID = categoryID
        self.categoryName = categoryName
        self.amount = amount
        self.date = date
        self.merchant = merchant
        self.note = note
        self.tags = tags
        self.version = version
        self.sequence = sequence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.receiptCount = receiptCount
        self.reimbursable = reimbursable
        self.claimID = claimID
    }

    /// The fields a change may touch, for the audit log's before and after.
    public var auditSnapshot: [String: String] {
        Self.auditSnapshot(
            amount: amount, date: date, categoryID: categoryID, merchant: merchant, note: note, tags: tags)
    }

    static func auditSnapshot(
        amount: Money, date: CalendarDate, categoryID: CategoryID?, merchant: String, note: String, tags: [String]
    ) -> [String: String] {
        [
            "amount": amount.decimalString, "currency": amount.currency.code, "date": date.description,
            "category_id": categoryID?.description ?? "", "merchant": merchant, "note": note,
            "tags": tags.joined(separator: ","),
        ]
    }
}

/// The validated fields of a new or changed expense.
public struct ExpenseDraft: Sendable, Equatable {
    /// The values the audit log records for the expense this draft becomes.
    public var auditSnapshot: [String: String] {
        Expense.auditSnapshot(
            amount: amount, date: date, categoryID: categoryID, merchant: merchant, note: note, tags: tags)
    }

    public var amount: Money
    public var date: CalendarDate
    public var categoryID: CategoryID?
    public var merchant: String
    public var note: String
    public var tags: [String]
    /// The amount in the organization's currency, decided by the service before it is written
    /// (nil: no rate yet).
    public var baseMinorUnits: Int64? = nil

    public static let merchantLimit = 200
    public static let noteLimit = 2000

    /// Validates raw input, reporting every bad field at once. `currency` defaults to
    /// `defaultCurrency`; an unknown category id is the caller's to check. `amountAsTyped`
    /// reads the amount as a form's person types it (`AmountEntry`); otherwise it is a plain
    /// decimal, as the API documents. `storedTags` are the changed expense's own tags.
    public init(
        amount: String?, currency: String?, date: String?, categoryID: String?, merchant: String?, note: String?,
        tags: [String]?, defaultCurrency: Currency, amountAsTyped: Bool = false, storedTags: [String]? = nil
    ) throws {
        var validator = Validator()
        let currency: Currency? =
            if let currency, !currency.isEmpty { try validator.check { try Currency(code: currency) } } else {
                defaultCurrency
            }
        var money: Money?
        if let amount, !amount.trimmingCharacters(in: .whitespaces).isEmpty {
            if let currency {
                money = try validator.check {
                    amountAsTyped
                        ? try AmountEntry.money(typed: amount, currency: currency)
                        : try Money(parsing: amount, currency: currency)
                }
            }
            if let value = money, value.minorUnits <= 0 {
                validator.add("amount", "Enter an amount greater than zero.")
            }
        } else {
            validator.add("amount", "Enter the amount, like 12.34.")
        }
        var day: CalendarDate?
        if let date, !date.isEmpty {
            day = try validator.check { try CalendarDate(parsing: date) }
        } else {
            validator.add("date", CalendarDate.missingMessage)
        }
        var category: CategoryID?
        if let categoryID, !categoryID.isEmpty {
            category = CategoryID(uuidString: categoryID)
            if category == nil { validator.add("category_id", "Choose one of the organization's categories.") }
        }
        // Limits count code points as typed, before any trimming: what the API's maxLength says.
        if (merchant ?? "").unicodeScalars.count > Self.merchantLimit {
            validator.add("merchant", "Keep the merchant under \(Self.merchantLimit) characters.")
        }
        let merchant = Self.clean(merchant ?? "")
        if (note ?? "").unicodeScalars.count > Self.noteLimit {
            validator.add("note", "Keep the note under \(Self.noteLimit) characters.")
        }
        // Checked as typed, before trimming, so that the rule is the API's pattern exactly.
        if (note ?? "").unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
            validator.add("note", "The note contains control characters.")
        }
        let note = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // Tags an expense already has are kept as stored when sent back unchanged: a rule made
        // stricter later must not stop a change of its amount.
        let given = tags ?? []
        let tags =
            if let storedTags, given.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == storedTags {
                storedTags
            } else {
                try validator.check { try Tags.normalize(given) }
            }
        try validator.finish()
        guard let money, let day, let tags else { throw ValidationError("amount", "Enter the amount, like 12.34.") }
        self.amount = money
        self.date = day
        self.categoryID = category
        self.merchant = merchant
        self.note = note
        self.tags = tags
    }

    /// Trims and folds runs of whitespace and control characters into one space.
    static func clean(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.value < 0x20 } })
            .joined(separator: " ")
    }
}

/// Free-form labels on expenses: lower case, letters of any script (with their combining marks),
/// digits 0-9, `-` and `_`, at most ten. Letters and marks are Unicode's general categories L and
/// M. The API's schema states the part a portable pattern can (no spaces, no ASCII punctuation
/// but `-` and `_`); its description says the rest.
public enum Tags {
    public static let maximumCount = 10
    public static let maximumLength = 32

    /// Trimmed, lower-cased, deduplicated in order; a `ValidationError` on `tags` otherwise: more
    /// than ten given, a blank one, or one that is not a word.
    public static func normalize(_ raw: [String]) throws -> [String] {
        guard raw.count <= maximumCount else {
            throw ValidationError("tags", "Use at most \(maximumCount) tags.")
        }
        var seen = Set<String>()
        var tags: [String] = []
        for item in raw {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw ValidationError("tags", "A tag cannot be blank.") }
            // Counted as typed and as JSON Schema counts (code points), before lower-casing may
            // lengthen it (İ becomes i and a combining dot), so the API's maxLength means the same.
            guard trimmed.unicodeScalars.count <= maximumLength, trimmed.unicodeScalars.allSatisfy(isTagScalar)
            else {
                throw ValidationError(
                    "tags", "Tags are words of letters, digits, - and _, up to \(maximumLength) characters.")
            }
            // Stored composed (NFC) and in lower case, so `café` typed either way is one tag; the
            // stored form must fit the limit too, or the expense could not be saved again.
            let tag = trimmed.precomposedStringWithCanonicalMapping.lowercased()
            guard tag.unicodeScalars.count <= maximumLength else {
                throw ValidationError("tags", "“\(trimmed)” is longer than \(maximumLength) characters in lower case.")
            }
            if seen.insert(tag).inserted { tags.append(tag) }
        }
        return tags
    }

    /// Tags as pages, forms and CSV exports write them: separated by one space (a tag is a
    /// word, so a space never needs quoting or escaping).
    public static func display(_ tags: [String]) -> String { tags.joined(separator: " ") }

    private static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark:
            true
        default: ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
        }
    }

    /// Parses a comma- or space-separated list, as a form field gives it.
    public static func parse(_ text: String) throws -> [String] {
        try normalize(words(text))
    }

    /// The words of a comma- or space-separated list, not yet checked.
    public static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}
