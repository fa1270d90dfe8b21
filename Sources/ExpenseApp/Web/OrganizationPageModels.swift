import ExpenseCore
import Foundation

/// A `<select>` option.
struct Choice: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// The organization settings fields, shared by the create and settings pages.
struct OrganizationForm: Sendable {
    var name = ""
    var currency = "EUR"
    var timezone = "UTC"
    var kinds: [Choice] = []
    var weekdays: [Choice] = []
    var readOnly = false
    var nameError: String? = nil
    var currencyError: String? = nil
    var timezoneError: String? = nil
    /// The claim policy's threshold as typed (settings page only).
    var receiptRequiredAbove = ""
    var receiptError: String? = nil
    /// The searchable lists of the currency and time-zone fields.
    var currencies = ListOption.currencies
    var timeZones = ListOption.timeZones

    init(
        name: String = "", kind: String = "business", currency: String = "EUR", timezone: String = "UTC",
        weekStart: String = "monday"
    ) {
        self.name = name
        self.currency = currency
        self.timezone = timezone
        kinds = OrganizationKind.allCases.map {
            Choice(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == kind)
        }
        weekdays = Weekday.allCases.map {
            Choice(value: $0.name, label: $0.name.capitalized, selected: $0.name == weekStart)
        }
    }

    init(_ organization: Organization) {
        self.init(
            name: organization.name, kind: organization.kind.rawValue, currency: organization.currency.code,
            timezone: organization.timeZone.name, weekStart: organization.weekStart.name
        )
        receiptRequiredAbove = organization.receiptThreshold.map { $0.decimalString } ?? ""
    }

    mutating func show(_ error: ValidationError) {
        nameError = error.message(for: "name")
        currencyError = error.message(for: "currency")
        timezoneError = error.message(for: "timezone")
        receiptError = error.message(for: "receipt_required_above")
    }
}

struct OrganizationsPage: PageModel {
    struct Item: Sendable {
        var id: String
        var name: String
        var kind: String
        var role: String
    }

    var title = "Organizations"
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var csrf: String
    var items: [Item]
    var form: OrganizationForm
}

/// What every page of one organization shows above its own content: the name, the tabs and
/// the CSRF token for its forms. Templates open it as a section, `{{#org}}...{{/org}}`.
struct OrganizationChrome: Sendable {
    enum Tab {
        case dashboard, expenses, recurring, claims, reports, budgets, rates, categories, members, settings, audit
        case webhooks
    }

    var organizationID: String
    var organizationName: String
    var canViewAudit: Bool
    var canManageWebhooks: Bool
    var canExport: Bool
    var canCreateExpenses: Bool
    var canManageCategories: Bool
    var csrf: String
    var onDashboard: Bool
    var onExpenses: Bool
    var onClaims: Bool
    var onReports: Bool
    var onRates: Bool
    var onBudgets: Bool
    var onRecurring: Bool
    var onCategories: Bool
    var onMembers: Bool
    var onSettings: Bool
    var onAudit: Bool
    var onWebhooks: Bool

    init(_ access: TenantAccess, csrf: String, tab: Tab) {
        organizationID = access.tenantID.description
        organizationName = access.organization.name
        canViewAudit = access.role.can(.viewAuditLog)
        canManageWebhooks = access.role.can(.manageWebhooks)
        canExport = access.role.can(.exportCSV)
        canCreateExpenses = access.role.can(.createExpenses)
        canManageCategories = access.role.can(.manageCategories)
        self.csrf = csrf
        onDashboard = tab == .dashboard
        onExpenses = tab == .expenses
        onClaims = tab == .claims
        onReports = tab == .reports
        onRates = tab == .rates
        onBudgets = tab == .budgets
        onRecurring = tab == .recurring
        onCategories = tab == .categories
        onMembers = tab == .members
        onSettings = tab == .settings
        onAudit = tab == .audit
        onWebhooks = tab == .webhooks
    }
}

struct MembersPage: PageModel {
    struct Row: Sendable {
        var userID: String
        var name: String
        var email: String
        var role: String
        var isSelf: Bool
        /// A role select with at least one other role the caller may give.
        var editable: Bool
        var removable: Bool
        var roles: [Choice]
    }

    struct PendingInvitation: Sendable {
        var id: String
        var email: String
        var role: String
        var expires: String
        /// The roles this caller may offer instead (the membership rules of inviting).
        var roles: [Choice]
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var selfID: String
    var canManage: Bool
    /// False for the only owner, who must hand ownership on first.
    var canLeave: Bool
    var mustVerify: Bool
    var members: [Row]
    var invitations: [PendingInvitation]
    var hasInvitations: Bool
    /// The organization's time zone, which the expiry times are in.
    var zone: String
    var inviteEmail = ""
    var inviteError: String? = nil
}

struct OrganizationSettingsPage: PageModel {
    struct Candidate: Sendable {
        var userID: String
        var name: String
        var email: String
    }

    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var form: OrganizationForm
    var isOwner: Bool
    var requireSecondFactor: Bool
    var candidates: [Candidate]
    var hasCandidates: Bool
    var deleteError: String? = nil
    /// "Receipts take 12.4 MB of the organization's 1.1 GB."
    var storage: String
}

struct AuditPage: PageModel {
    struct Row: Sendable {
        var when: String
        /// The stored action (`expense.updated`), for those who search the log by it.
        var action: String
        var sentence: String
    }

    var title: String
    var wide = true
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    /// The organization's time zone, which the times are in.
    var zone: String
    var entries: [Row]
}

struct AcceptInvitationPage: PageModel {
    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var organizationName: String
    var role: String
    var email: String
    var token: String
    var csrf: String
    var canAccept: Bool
    var wrongAccount: Bool
    var signedOut: Bool
    var signedInEmail: String
    var next: String
}

enum PageFormat {
    /// `text` cut to at most `limit` characters at a word boundary where there is one, with "…"
    /// when anything was cut: lists and logs show the start of long text, its own page the whole.
    static func excerpt(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        let start = text.prefix(limit - 1)
        // At a word only when that keeps most of it ("A " and a long link is not cut to "A…").
        let atWord = start.lastIndex(where: \.isWhitespace).map { start[..<$0] }
        let cut = atWord.flatMap { $0.count >= (limit * 3) / 5 ? $0 : nil } ?? start
        return String(cut).trimmingCharacters(in: .whitespacesAndNewlines) + "…"
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// `November 2026`.
    static func month(_ date: CalendarDate) -> String {
        "\(monthNames[date.month - 1]) \(date.year)"
    }

    /// A date field's message as a page says it: the browser's date field shows dates in the
    /// reader's own order (30/11/2026, 11/30/2026), so the page never asks for YYYY-MM-DD.
    static func dateMessage(_ message: String) -> String {
        switch message {
        case CalendarDate.invalidMessage: "Choose a day between 1 Jan 1900 and 31 Dec 2999, with day, month and year."
        case CalendarDate.missingMessage: "Choose the day, with day, month and year."
        default: message
        }
    }

    /// A filter or report form's messages, each date field's named ("From: Choose a day …").
    static func messages(_ error: ValidationError) -> [String] {
        let labels = ["from": "From", "to": "To"]
        return error.fields.map { field in
            let message = dateMessage(field.message)
            guard message != field.message, let label = labels[field.name] else { return message }
            return "\(label): \(message)"
        }
    }

    /// `30 Nov 2026`: the day, the month's first three letters and the year, which no reader
    /// takes for another date (unlike 11/30 against 30/11).
    static func day(_ date: CalendarDate) -> String {
        "\(date.day) \(monthNames[date.month - 1].prefix(3)) \(date.year)"
    }

    /// `2026-11-29 09:32` where the organization is (pages label the column with the zone).
    static func timestamp(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
