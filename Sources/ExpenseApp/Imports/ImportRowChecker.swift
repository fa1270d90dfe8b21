import Crypto
import ExpenseCore
import ExpenseStore
import Foundation

/// Checks each row read from a file as the expense it would become, under the same rules as an
/// expense logged by hand: its amount, currency, date, texts and tags, an active category of
/// that name. A good row becomes a staged expense with its fingerprint; a bad one becomes
/// problems, one per field; one dated in a closed period is set aside for the job to settle (it
/// may have been imported before).
struct RowChecker {
    let organization: Organization
    /// Active categories by lower-cased name.
    let categories: [String: CategoryID]
    let ids: IDGenerator
    private var ready: ImportRepository.StagedExpense?

    init(organization: Organization, categories: [String: CategoryID], ids: IDGenerator) {
        self.organization = organization
        self.categories = categories
        self.ids = ids
    }

    /// The row checked last, when it is good.
    mutating func take() -> ImportRepository.StagedExpense? {
        defer { ready = nil }
        return ready
    }

    mutating func check(_ read: ImportRead, into tally: inout ImportJob.Tally) {
        switch read {
        case .skipped:
            tally.skipped += 1
        case .problems(let problems):
            for problem in problems { tally.problem(problem) }
        case .candidate(let candidate):
            check(candidate, into: &tally)
        }
    }

    private mutating func check(_ row: ImportCandidate, into tally: inout ImportJob.Tally) {
        var problems: [ImportProblem] = []
        func add(_ field: String, _ detail: String) {
            problems.append(ImportProblem(row: row.row, field: field, detail: detail))
        }
        var draft: ExpenseDraft?
        do {
            draft = try ExpenseDraft(
                amount: row.amount, currency: row.currency, date: row.date, categoryID: nil, merchant: row.merchant,
                note: row.note, tags: row.tags, defaultCurrency: organization.currency)
        } catch let error as ValidationError {
            for field in error.fields { add(field.name == "category_id" ? "category" : field.name, field.message) }
        } catch {
            add("amount", "The row could not be read.")
        }
        var category: CategoryID?
        if let name = row.category {
            category = categories[name.trimmingCharacters(in: .whitespaces).lowercased()]
            if category == nil {
                add("category", "No active category is named \"\(name)\": add it first, or leave the column empty.")
            }
        }
        var base: Int64?
        if let draft {
            if draft.amount.currency == organization.currency {
                base = draft.amount.minorUnits
            } else if let given = row.baseAmount, row.baseCurrency == organization.currency.code {
                if let money = try? Money(parsing: given, currency: organization.currency) {
                    base = money.minorUnits
                } else {
                    add("base_amount", "\"\(given)\" is not an amount in \(organization.currency.code).")
                }
            }
        }
        guard problems.isEmpty, let draft else {
            for problem in problems { tally.problem(problem) }
            return
        }
        // Kept as SHA-256 (hex): fixed in length whatever the fields hold.
        let digest = Array(SHA256.hash(data: Data(row.fingerprint.utf8)))
        var fingerprint = Hex.lowercase(digest)
        if !row.fingerprintIsID {
            let key = Key(digest)
            let seen = (tally.occurrences[key] ?? 0) + 1
            tally.occurrences[key] = seen
            fingerprint = Hex.lowercase(SHA256.hash(data: Data((fingerprint + "#\(seen)").utf8)))
        }
        // In a closed period: skipped if imported before, else a problem (decided once every
        // row is read, by the fingerprints the member's expenses hold).
        if organization.isClosed(draft.date) {
            tally.closed.append((row.row, fingerprint))
            return
        }
        if tally.preview.count < ImportService.previewRows {
            tally.preview.append([
                "row": String(row.row), "date": draft.date.description, "amount": draft.amount.decimalString,
                "currency": draft.amount.currency.code, "category": row.category ?? "", "merchant": draft.merchant,
                "note": draft.note,
            ])
        }
        ready = ImportRepository.StagedExpense(
            id: ids(), categoryID: category, amount: draft.amount, date: draft.date, merchant: draft.merchant,
            note: draft.note, tags: draft.tags, baseMinorUnits: base, fingerprint: fingerprint)
    }

    /// The first 128 bits of a digest, as a dictionary key.
    struct Key: Hashable {
        var high: UInt64
        var low: UInt64

        init(_ digest: [UInt8]) {
            high = digest[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = digest[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
