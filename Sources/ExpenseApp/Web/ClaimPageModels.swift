import ExpenseCore
import Foundation

/// The claims page: the caller's claims and a form to start one from their unclaimed
/// expenses; for approvers, the queue of others' submitted claims; for finance, the approved
/// claims to pay back together.
struct ClaimListPage: PageModel {
    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var canSubmit: Bool
    var mine: [ClaimRow]
    var hasMine: Bool
    var builder: ClaimBuilder
    var approves: Bool
    var queue: [ClaimCard]
    var hasQueue: Bool
    var reimburses: Bool
    var toReimburse: [ClaimRow]
    var hasToReimburse: Bool
    /// Said when a list stops at its limit.
    var queueMore: String?
    var payMore: String?
    var payment: PaymentForm
}

/// A claim as a line of a list.
struct ClaimRow: Sendable {
    var id: String
    var link: String
    var title: String
    var member: String
    var status: String
    /// "€12.50 · $3.00 (€15.20 in all)".
    var totals: String
    /// "2 expenses".
    var expenses: String
    /// When it last changed, and when it was submitted (empty for a draft).
    var when: String
    var submitted: String
    var decided: String

    init(_ claim: Claim, organization: OrganizationID, base: Currency, zone: TimeZone) {
        id = claim.id.description
        link = "/orgs/\(organization)/claims/\(claim.id)"
        title = claim.title
        member = claim.memberName
        status = claim.status.label
        totals = ClaimRow.totals(claim, base: base)
        let count = claim.expenseIDs.count
        expenses = count == 1 ? "1 expense" : "\(count) expenses"
        when = PageFormat.timestamp(claim.updatedAt, in: zone)
        submitted = claim.submittedAt.map { PageFormat.timestamp($0, in: zone) } ?? ""
        decided = claim.decidedAt.map { PageFormat.timestamp($0, in: zone) } ?? ""
    }

    /// Per currency; with other currencies than the organization's, also the whole in its
    /// currency, and how many expenses that leaves out for want of a rate.
    static func totals(_ claim: Claim, base: Currency) -> String {
        guard !claim.totals.isEmpty else { return "Nothing yet" }
        let each = claim.totals.map(\.text).joined(separator: " · ")
        guard claim.totals.contains(where: { $0.currency != base }) else { return each }
        let whole = MoneyTotal(currency: base, minorUnits: claim.baseMinorUnits, count: 0).text
        let waiting =
            claim.unconverted == 0
            ? "" : ", \(claim.unconverted == 1 ? "1 expense" : "\(claim.unconverted) expenses") waiting for a rate"
        return "\(each) (\(whole) in all\(waiting))"
    }
}

/// "New claim": a title and the caller's unclaimed expenses to tick.
struct ClaimBuilder: Sendable {
    var title = ""
    var titleError: String? = nil
    var expensesError: String? = nil
    /// Templates read stored properties only (through reflection), so the flag is kept in step.
    var expenses: [ClaimExpenseChoice] = [] { didSet { hasExpenses = !expenses.isEmpty } }
    var hasExpenses = false

    init(title: String = "", expenses: [ClaimExpenseChoice] = []) {
        self.title = title
        self.expenses = expenses
        hasExpenses = !expenses.isEmpty
    }
}

/// An expense a claim may gather, as a checkbox.
struct ClaimExpenseChoice: Sendable {
    var id: String
    var label: String
    var checked: Bool

    init(_ expense: Expense, checked: Bool) {
        id = expense.id.description
        let merchant = expense.merchant.isEmpty ? "" : " · \(PageFormat.excerpt(expense.merchant, limit: 60))"
        label = "\(PageFormat.day(expense.date))\(merchant) · \(expense.amount.text)"
        self.checked = checked
    }
}

/// "Record reimbursement" for the ticked approved claims.
struct PaymentForm: Sendable {
    var paidOn: String
    var reference = ""
    var error: String? = nil
    var referenceError: String? = nil
}

/// A claim with its expenses and receipts: the queue's card and the claim's own page.
struct ClaimCard: Sendable {
    var row: ClaimRow
    var expenses: [ClaimExpenseLine]
    /// "2 expenses have no receipt though the rule asks for one." Nil when none.
    var policyFlag: String?

    init(_ claim: Claim, lines: [ClaimExpenseLine], organization: OrganizationID, base: Currency, zone: TimeZone) {
        row = ClaimRow(claim, organization: organization, base: base, zone: zone)
        expenses = lines
        let missing = lines.filter(\.missesReceipt).count
        policyFlag =
            missing == 0
            ? nil
            : missing == 1
                ? "1 expense has no receipt though the organization's rule asks for one."
                : "\(missing) expenses have no receipt though the organization's rule asks for one."
    }
}

/// One expense of a claim with its receipts inline.
struct ClaimExpenseLine: Sendable {
    var row: ExpenseRow
    var link: String
    var receipts: [ReceiptItem]
    var hasReceipts: Bool
    var missesReceipt: Bool

    init(_ expense: Expense, receipts: [Receipt], missesReceipt: Bool, access: TenantAccess) {
        row = ExpenseRow(expense, access: access)
        link = "/orgs/\(access.tenantID)/expenses/\(expense.id)"
        self.receipts = receipts.map { ReceiptItem($0, organization: access.tenantID, removable: false) }
        hasReceipts = !receipts.isEmpty
        self.missesReceipt = missesReceipt
    }
}

/// A claim's page: its facts, expenses and receipts, history, and the moves the caller may make.
struct ClaimDetailPage: PageModel {
    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var card: ClaimCard
    var comment: String?
    var selfApproved: Bool
    var paid: String?
    var history: [String]
    /// The member's own draft or rejected claim: rename, choose expenses, submit.
    var editable: Bool
    var deletable: Bool
    var builder: ClaimBuilder
    var decidable: Bool
    var reimbursable: Bool
    var payment: PaymentForm
}

extension ClaimStatus {
    /// As the pages name it.
    var label: String {
        switch self {
        case .draft: "Draft"
        case .submitted: "Awaiting approval"
        case .approved: "Approved, to be paid"
        case .rejected: "Rejected"
        case .reimbursed: "Reimbursed"
        }
    }
}
