/// Everything a member may be allowed to do inside an organization.
public enum Permission: String, Sendable, CaseIterable {
    /// Rename the organization, set its currency, time zone, week start and kind.
    case changeSettings
    /// Delete the organization.
    case deleteOrganization
    /// Hand ownership to another member.
    case transferOwnership
    /// Invite, remove and change the role of members (admins cannot touch owners).
    case manageMembers
    /// Create, rename and archive categories.
    case manageCategories
    /// Log expenses.
    case createExpenses
    /// Edit or delete one's own expenses.
    case editOwnExpenses
    /// Edit or delete anyone's expenses.
    case editAnyExpenses
    /// See the organization, its members, expenses and totals.
    case viewOrganization
    /// Download CSV exports.
    case exportCSV
    /// Read the audit log.
    case viewAuditLog
    /// Gather one's own reimbursable expenses into claims and submit them.
    case submitClaims
    /// Approve or reject others' submitted claims (and see every claim).
    case approveClaims
    /// Record that approved claims were paid back.
    case reimburseClaims
    /// Set and import the organization's exchange rates.
    case manageRates
    /// Create, change and delete budgets (and be told when one reaches an alert percent).
    case manageBudgets
    /// Close the books through a date.
    case closeBooks
    /// Move the closed-through date back, giving a reason.
    case reopenBooks
    /// Check the audit log's hash chain (the check shows counts and hashes, not the entries).
    case verifyAuditLog
    /// Require every member to sign in with a second factor.
    case requireSecondFactor
    /// Register, change and remove webhook endpoints, and read their delivery logs.
    case manageWebhooks
}

extension Role {
    /// The one table that decides what each role may do (README, Organizations and roles).
    public var permissions: Set<Permission> {
        switch self {
        case .owner:
            Set(Permission.allCases)
        case .admin:
            [
                .changeSettings, .manageMembers, .manageCategories, .createExpenses, .editOwnExpenses,
                .editAnyExpenses, .viewOrganization, .exportCSV, .viewAuditLog, .submitClaims, .approveClaims,
                .manageRates, .manageBudgets, .verifyAuditLog, .manageWebhooks,
            ]
        case .finance:
            [
                .manageCategories, .createExpenses, .editOwnExpenses, .editAnyExpenses, .viewOrganization, .exportCSV,
                .submitClaims, .approveClaims, .reimburseClaims, .manageRates, .manageBudgets, .closeBooks,
                .verifyAuditLog,
            ]
        case .member:
            [.createExpenses, .editOwnExpenses, .viewOrganization, .submitClaims]
        case .viewer:
            [.viewOrganization]
        }
    }

    public func can(_ permission: Permission) -> Bool {
        permissions.contains(permission)
    }

    /// Whether someone in this role may change or delete an expense `author` logged: anyone's
    /// with `editAnyExpenses`, their own with `editOwnExpenses`.
    public func mayChange(expenseBy author: UserID, actor: UserID) -> Bool {
        can(.editAnyExpenses) || (can(.editOwnExpenses) && author == actor)
    }
}
