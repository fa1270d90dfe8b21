import ExpenseCore
import Testing

/// Every role × every operation, against the roles table in the README (Organizations and roles).
@Suite struct PermissionMatrixTests {
    /// The expected matrix, written out in full so a change to the table is a visible diff here.
    static let expected: [Permission: Set<Role>] = [
        .changeSettings: [.owner, .admin],
        .deleteOrganization: [.owner],
        .transferOwnership: [.owner],
        .manageMembers: [.owner, .admin],
        .manageCategories: [.owner, .admin, .finance],
        .createExpenses: [.owner, .admin, .finance, .member],
        .editOwnExpenses: [.owner, .admin, .finance, .member],
        .editAnyExpenses: [.owner, .admin, .finance],
        .viewOrganization: [.owner, .admin, .finance, .member, .viewer],
        .exportCSV: [.owner, .admin, .finance],
        .viewAuditLog: [.owner, .admin],
        .submitClaims: [.owner, .admin, .finance, .member],
        .approveClaims: [.owner, .admin, .finance],
        .reimburseClaims: [.owner, .finance],
        .manageRates: [.owner, .admin, .finance],
        .manageBudgets: [.owner, .admin, .finance],
        .closeBooks: [.owner, .finance],
        .reopenBooks: [.owner],
        .verifyAuditLog: [.owner, .admin, .finance],
        .requireSecondFactor: [.owner],
        .manageWebhooks: [.owner, .admin],
    ]

    @Test(arguments: Role.allCases, Permission.allCases)
    func roleAndPermission(_ role: Role, _ permission: Permission) {
        let allowed = try! #require(Self.expected[permission]).contains(role)
        #expect(role.can(permission) == allowed, "\(role) \(allowed ? "should" : "should not") \(permission)")
    }

    @Test func everyPermissionIsInTheExpectedTable() {
        #expect(Set(Self.expected.keys) == Set(Permission.allCases))
    }
}
