import ExpenseCore
import Foundation

/// An audit entry as a sentence a person reads ("Ana changed 'Lunch': amount 12.00 → 14.00"),
/// with names instead of ids and long values cut to their start.
enum AuditSentence {
    static func make(_ entry: AuditEntry, names: AuditNames) -> String {
        let who = entry.actorName ?? "Someone"
        let subject =
            entry.subjectID.flatMap(UserID.init(uuidString:)).flatMap { names.people[$0] } ?? "a former member"
        let (before, after) = values(entry.details, names: names)
        let facts = after.isEmpty ? before : after
        func quoted(_ key: String) -> String { "'\(short(facts[key] ?? ""))'" }
        switch entry.action {
        case .organizationCreated: return "\(who) created the organization (\(list(after)))."
        case .organizationUpdated: return "\(who) changed the settings: \(changes(before, after))."
        case .organizationDeleted: return "\(who) deleted the organization."
        case .ownershipTransferred: return "\(who) made \(subject) the owner."
        case .memberInvited: return "\(who) invited \(facts["email"] ?? "someone") as \(facts["role"] ?? "member")."
        case .invitationResent: return "\(who) sent the invitation to \(facts["email"] ?? "someone") again."
        case .invitationRevoked: return "\(who) withdrew the invitation to \(facts["email"] ?? "someone")."
        case .invitationRoleChanged:
            return "\(who) changed the role offered to \(before["email"] ?? "someone"): \(changes(before, after))."
        case .memberJoined: return "\(who) joined as \(facts["role"] ?? "member")."
        case .memberRoleChanged: return "\(who) changed the role of \(subject): \(changes(before, after))."
        case .memberRemoved: return "\(who) removed \(subject)."
        case .memberLeft: return "\(who) left the organization."
        case .categoryCreated: return "\(who) added the category \(quoted("name"))."
        case .categoryUpdated:
            return "\(who) changed the category '\(short(before["name"] ?? ""))': \(changes(before, after))."
        case .categoryDeleted: return "\(who) deleted the category \(quoted("name"))."
        case .expenseCreated:
            return
                "\(who) added \(quoted("merchant")): \(facts["amount"] ?? "") \(facts["currency"] ?? ""), \(facts["date"] ?? "")."
        case .expenseUpdated:
            return "\(who) changed '\(short(before["merchant"] ?? ""))': \(changes(before, after))."
        case .expenseDeleted:
            return
                "\(who) deleted \(quoted("merchant")): \(facts["amount"] ?? "") \(facts["currency"] ?? ""), \(facts["date"] ?? "")."
        case .receiptAdded: return "\(who) attached the receipt \(quoted("filename"))\(size(facts))."
        case .receiptRemoved: return "\(who) removed the receipt \(quoted("filename"))\(size(facts))."
        case .claimCreated: return "\(who) started the claim \(quoted("title"))."
        case .claimUpdated: return "\(who) changed the claim \(quoted("title"))."
        case .claimDeleted: return "\(who) deleted the draft claim \(quoted("title"))."
        case .claimSubmitted: return "\(who) submitted the claim \(quoted("title")) (\(facts["totals"] ?? ""))."
        case .claimApproved:
            return
                "\(who) approved the claim \(quoted("title"))\(facts["self_approved"] == "true" ? " (their own, as the only approver)" : "")."
        case .claimRejected: return "\(who) rejected the claim \(quoted("title")): \(quoted("comment"))."
        case .claimReimbursed:
            return "\(who) recorded the claim \(quoted("title")) as paid on \(facts["paid_on"] ?? "")."
        case .rateSet:
            return
                "\(who) set 1 \(facts["currency"] ?? "") = \(facts["rate"] ?? "") \(facts["base"] ?? "") from \(facts["date"] ?? "") on."
        case .recurringCreated:
            return "\(who) set up the recurring expense \(quoted("merchant")) (\(facts["rule"] ?? ""))."
        case .recurringUpdated:
            return "\(who) changed the recurring expense \(quoted("merchant")) (\(facts["rule"] ?? ""))."
        case .recurringPaused: return "\(who) paused the recurring expense \(quoted("merchant"))."
        case .recurringResumed: return "\(who) resumed the recurring expense \(quoted("merchant"))."
        case .recurringDeleted:
            return "\(who) deleted the recurring expense \(quoted("merchant")); what it logged stays."
        case .budgetCreated: return "\(who) set up the budget \(quoted("name"))."
        case .budgetUpdated: return "\(who) changed the budget \(quoted("name"))."
        case .budgetDeleted: return "\(who) deleted the budget \(quoted("name"))."
        case .expensesImported:
            return "\(who) imported \(facts["imported"] ?? "") expenses from a file (\(facts["format"] ?? ""), "
                + "\(facts["rows"] ?? "") rows, \(facts["skipped"] ?? "") skipped)."
        case .periodClosed: return "\(who) closed the books through \(facts["closed_through"] ?? "")."
        case .periodReopened:
            let through = facts["closed_through"].flatMap { $0.isEmpty ? nil : $0 }
            return "\(who) reopened the books"
                + (through.map { " back to \($0)" } ?? " entirely") + ", because: \(quoted("reason"))."
        case .ratesImported:
            return
                "\(who) imported \(facts["rates"] ?? "") rates for \(facts["first"] ?? "") to \(facts["last"] ?? "") from \(quoted("filename"))."
        }
    }

    /// " (1.2 MB)" for a receipt's size, nothing when the entry has none.
    static func size(_ facts: [String: String]) -> String {
        facts["size"].flatMap(Int64.init).map { " (\(Receipt.sizeText($0)))" } ?? ""
    }

    /// The values of a change, with category ids as names.
    static func values(_ details: AuditDetails?, names: AuditNames) -> ([String: String], [String: String]) {
        func named(_ values: [String: String]) -> [String: String] {
            var values = values
            if let id = values.removeValue(forKey: "category_id") {
                values["category"] =
                    id.isEmpty
                    ? "Uncategorized"
                    : CategoryID(uuidString: id).flatMap { names.categories[$0] } ?? "a deleted category"
            }
            // Stored comma-joined; shown as everywhere else, separated by spaces.
            if let tags = values["tags"] { values["tags"] = Tags.display(tags.split(separator: ",").map(String.init)) }
            return values
        }
        switch details {
        case .change(let before, let after): return (named(before), named(after))
        case .facts(let facts): return ([:], named(facts))
        case nil: return ([:], [:])
        }
    }

    /// `amount 12.00 → 14.00, note 'x' → 'y'`: the keys whose values differ, in order.
    static func changes(_ before: [String: String], _ after: [String: String]) -> String {
        let keys = Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }
        guard !keys.isEmpty else { return "nothing" }
        return keys.map { key in
            "\(key.replacingOccurrences(of: "_", with: " ")) \(shown(before[key])) → \(shown(after[key]))"
        }.joined(separator: ", ")
    }

    static func list(_ values: [String: String]) -> String {
        values.sorted { $0.key < $1.key }.map {
            "\($0.key.replacingOccurrences(of: "_", with: " ")) \(short($0.value))"
        }
        .joined(separator: ", ")
    }

    static func shown(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "(none)" }
        return short(value)
    }

    static func short(_ value: String) -> String { PageFormat.excerpt(value, limit: 80) }
}
