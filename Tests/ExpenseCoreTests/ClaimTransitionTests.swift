import ExpenseCore
import Testing

/// Who may move a claim where: every role against every move, for one's own claim and another's.
@Suite struct ClaimTransitionTests {
    static let me = UserID()
    static let other = UserID()

    @Test(arguments: Role.allCases)
    func whoMayMoveAClaim(_ role: Role) {
        let approves = [.owner, .admin, .finance].contains(role)
        // Submitting is the member's own act, whatever the role.
        #expect(ClaimTransition.submit.refusal(role: role, actor: Self.me, member: Self.me, approvers: 3) == nil)
        #expect(
            ClaimTransition.submit.refusal(role: role, actor: Self.me, member: Self.other, approvers: 3) == .notYours)
        for move in [ClaimTransition.approve, .reject] {
            let others = move.refusal(role: role, actor: Self.me, member: Self.other, approvers: 3)
            #expect(others == (approves ? nil : .notAllowed), "\(role) \(move) another's")
            let own = move.refusal(role: role, actor: Self.me, member: Self.me, approvers: 3)
            #expect(own == (approves ? .selfApproval : .notAllowed), "\(role) \(move) their own")
            // The only approver may decide their own claim only as the owner.
            let alone = move.refusal(role: role, actor: Self.me, member: Self.me, approvers: 1)
            #expect(alone == (role == .owner ? nil : approves ? .selfApproval : .notAllowed), "\(role) alone")
        }
        let pays = role == .owner || role == .finance
        #expect(
            ClaimTransition.reimburse.refusal(role: role, actor: Self.me, member: Self.other, approvers: 3)
                == (pays ? nil : .notAllowed))
    }

    @Test func statesLockAndEditAsTheWorkflowSays() {
        #expect(ClaimStatus.allCases.filter(\.locksExpenses) == [.submitted, .approved, .reimbursed])
        #expect(ClaimStatus.allCases.filter(\.isEditable) == [.draft, .rejected])
        #expect(ClaimTransition.submit.from == [.draft, .rejected] && ClaimTransition.submit.to == .submitted)
        #expect(ClaimTransition.approve.from == [.submitted] && ClaimTransition.reject.to == .rejected)
        #expect(ClaimTransition.reimburse.from == [.approved] && ClaimTransition.reimburse.to == .reimbursed)
    }
}
