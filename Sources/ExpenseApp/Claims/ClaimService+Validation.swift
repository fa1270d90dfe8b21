import ExpenseCore
import Foundation

/// The texts a claim takes from people: a title, an approver's comment, a payment's reference.
extension ClaimService {
    /// Control characters (a NUL among them) in a one-line text, which no database, mail subject
    /// or CSV should receive.
    static func hasControlCharacters(_ text: String, allowingLineBreaks: Bool = false) -> Bool {
        text.unicodeScalars.contains {
            ($0.value < 0x20 || $0.value == 0x7F) && !(allowingLineBreaks && ($0 == "\n" || $0 == "\r" || $0 == "\t"))
        }
    }

    static func checkedTitle(_ raw: String) throws -> String {
        if hasControlCharacters(raw) {
            throw AppError.validation(.init("title", "The title contains control characters."))
        }
        let title = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, raw.unicodeScalars.count <= titleLimit else {
            throw AppError.validation(.init("title", "Give the claim a title of 1 to 200 characters."))
        }
        return title
    }

    /// A payment's reference, trimmed: one line of at most 200 characters.
    static func checkedReference(_ raw: String?) throws -> String {
        if hasControlCharacters(raw ?? "") {
            throw AppError.validation(.init("reference", "The reference contains control characters."))
        }
        let reference = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        guard reference.unicodeScalars.count <= 200 else {
            throw AppError.validation(.init("reference", "Keep the reference to 200 characters."))
        }
        return reference
    }

    static func checkedComment(_ raw: String, required: Bool) throws -> String {
        if hasControlCharacters(raw, allowingLineBreaks: true) {
            throw AppError.validation(.init("comment", "The comment contains control characters."))
        }
        let comment = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, comment.isEmpty {
            throw AppError.validation(.init("comment", "Say why the claim is rejected: its member reads it."))
        }
        guard comment.unicodeScalars.count <= commentLimit else {
            throw AppError.validation(.init("comment", "Keep the comment to 2,000 characters."))
        }
        return comment
    }
}
