import ExpenseCore
import Testing

/// An organization always keeps an owner, and admins cannot touch owners.
@Suite struct MembershipRulesTests {
    @Test func theLastOwnerCannotBeDemotedRemovedOrLeave() {
        #expect(throws: MembershipRuleViolation.lastOwner) {
            try MembershipRules.checkRoleChange(actor: .owner, current: .owner, new: .admin, owners: 1)
        }
        #expect(throws: MembershipRuleViolation.lastOwner) {
            try MembershipRules.checkRemoval(actor: .owner, target: .owner, isSelf: true, owners: 1)
        }
        #expect(throws: MembershipRuleViolation.lastOwner) {
            try MembershipRules.checkRemoval(actor: .owner, target: .owner, isSelf: false, owners: 1)
        }
        // With a second owner, both are fine.
        #expect(throws: Never.self) {
            try MembershipRules.checkRoleChange(actor: .owner, current: .owner, new: .admin, owners: 2)
            try MembershipRules.checkRemoval(actor: .owner, target: .owner, isSelf: true, owners: 2)
        }
    }

    @Test func adminsCannotTouchOwnersOrMakeThem() {
        #expect(throws: MembershipRuleViolation.ownersOnly) {
            try MembershipRules.checkRoleChange(actor: .admin, current: .owner, new: .member, owners: 2)
        }
        #expect(throws: MembershipRuleViolation.ownersOnly) {
            try MembershipRules.checkRoleChange(actor: .admin, current: .member, new: .owner, owners: 1)
        }
        #expect(throws: MembershipRuleViolation.ownersOnly) {
            try MembershipRules.checkRemoval(actor: .admin, target: .owner, isSelf: false, owners: 2)
        }
        #expect(throws: Never.self) {
            try MembershipRules.checkRoleChange(actor: .admin, current: .member, new: .finance, owners: 1)
            try MembershipRules.checkRemoval(actor: .admin, target: .viewer, isSelf: false, owners: 1)
        }
    }

    @Test(arguments: [Role.finance, .member, .viewer])
    func othersCannotManageMembersButMayLeave(_ role: Role) {
        #expect(throws: MembershipRuleViolation.notAllowed) {
            try MembershipRules.checkRoleChange(actor: role, current: .viewer, new: .member, owners: 1)
        }
        #expect(throws: MembershipRuleViolation.notAllowed) {
            try MembershipRules.checkRemoval(actor: role, target: .viewer, isSelf: false, owners: 1)
        }
        #expect(throws: MembershipRuleViolation.notAllowed) {
            try MembershipRules.checkInvitation(actor: role, role: .viewer)
        }
        #expect(throws: Never.self) {
            try MembershipRules.checkRemoval(actor: role, target: role, isSelf: true, owners: 1)
        }
    }

    @Test func nobodyIsInvitedAsOwner() {
        #expect(throws: MembershipRuleViolation.ownersOnly) {
            try MembershipRules.checkInvitation(actor: .owner, role: .owner)
        }
    }

    @Test(arguments: Role.allCases)
    func whoMayChangeAnExpense(_ role: Role) {
        let me = UserID()
        let someoneElse = UserID()
        let own: Set<Role> = [.owner, .admin, .finance, .member]
        let anyones: Set<Role> = [.owner, .admin, .finance]
        #expect(role.mayChange(expenseBy: me, actor: me) == own.contains(role))
        #expect(role.mayChange(expenseBy: someoneElse, actor: me) == anyones.contains(role))
    }
}
