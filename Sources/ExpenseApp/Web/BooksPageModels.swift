import ExpenseCore
import ExpenseStore
import Foundation

/// The Books page: the closed-through date, closing and reopening, their history, and the
/// audit chain's check.
struct BooksPage: PageModel {
    struct Row: Sendable {
        var when: String
        var who: String
        /// "Closed through 30 Sep 2026", "Reopened back to 30 Jun 2026".
        var what: String
        var reason: String?
        /// "#42 · 3f2a9c01…": the chain's head once it was logged.
        var head: String
        var fullHash: String

        init(_ close: PeriodClose, zone: TimeZone) {
            when = PageFormat.timestamp(close.createdAt, in: zone)
            who = close.actorName ?? "Someone"
            switch close.action {
            case .close: what = "Closed through \(close.through.map(PageFormat.day) ?? "")"
            case .reopen: what = close.through.map { "Reopened back to \(PageFormat.day($0))" } ?? "Reopened entirely"
            }
            reason = close.reason
            head = "#\(close.auditSeq) · \(close.auditHash.prefix(12))…"
            fullHash = close.auditHash
        }
    }

    /// What checking the chain found, as sentences.
    struct Check: Sendable {
        var ok: Bool
        var summary: String
        var head: String

        init(_ verification: AuditVerification) {
            ok = verification.ok
            let count = verification.entries == 1 ? "1 entry" : "\(verification.entries) entries"
            summary =
                verification.firstBreak.map { "The audit log has been tampered with. \($0.detail)" }
                ?? "The audit log is intact: \(count) checked, each one following from the one before."
            head = "Entry \(verification.head.seq), hash \(verification.head.hash)"
        }
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    /// "30 Sep 2026", or nil when nothing is closed.
    var closedThrough: String?
    var canClose: Bool
    var canReopen: Bool
    var canVerify: Bool
    var history: [Row]
    var hasHistory: Bool
    var closeDate = ""
    var closeError: String? = nil
    var reopenDate = ""
    var reopenReason = ""
    var reopenDateError: String? = nil
    var reopenReasonError: String? = nil
    var check: Check? = nil
}
