import ExpenseCore
import Foundation

/// The reports page: totals per period (and group), with their exports and closed periods marked.
struct ReportsPage: PageModel {
    struct Row: Sendable {
        /// `1 Nov 2026`, with the ISO dates beside them for machines.
        var start: String
        var end: String
        var isoStart: String
        var isoEnd: String
        var totals: [AmountCell]
        var groups: [CategoryTotalRow]
        /// In the base currency: "2 wait for a rate", when some do.
        var unconverted: String?
        /// Every day of it is in a closed period.
        var closed = false
    }

    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var periods: [Choice]
    var groupings: [Choice]
    /// Each currency as spent, or all in the organization's.
    var amountChoices: [Choice]
    var from: String
    var to: String
    var rows: [Row]
    /// "Weeks start on Monday, …; the first week counts from 4 Nov 2026, …", when it matters.
    var periodNote: String?
    var grouped: Bool
    var totals: [AmountCell]
    /// "€49.70 across 2 expenses; ¥3,200 across 1 expense", or "nothing spent".
    var wholeRange: String
    var groups: [CategoryTotalRow]
    /// One per currency, the organization's first.
    var charts: [BarChart]
    var totalsCSV: String
    var expensesCSV: String
    /// The ZIP of the range's receipts, with its expenses.csv.
    var receiptsZip: String
    /// "30 Sep 2026" when the books are closed through that date.
    var closedThrough: String? = nil
}
