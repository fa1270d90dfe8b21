/// Why a change to the membership of an organization is refused.
public enum MembershipRuleViolation: Error, Sendable, Equatable {
    /// The actor's role does not allow it at all.
    case notAllowed
    /// Only an owner may change, remove or create an owner.
    case ownersOnly
    /// The organization would be left without an owner.
    case lastOwner
}

/// Who may change whose role, and the rule that an organization always keeps an owner.
/// Pure: the caller supplies the facts.
public enum MembershipRules {
    /// May `actor` give `target` (currently `current`) the role `new`?
    /// `owners` is how many owners the organization has now.
    public static func checkRoleChange(actor: Role, current: Role, new: Role, owners: Int)
        throws(MembershipRuleViolation)
    {
        guard actor.can(.manageMembers) else { throw .notAllowed }
        if (current == .owner || new == .owner) && actor != .owner { throw .ownersOnly }
        if current == .owner && new != .owner && owners <= 1 { throw .lastOwner }
    }

    /// May `actor` remove a member whose role is `target`? Leaving is `actor == target` with
    /// `isSelf`: anyone may leave, except the last owner.
    public static func checkRemoval(actor: Role, target: Role, isSelf: Bool, owners: Int)
        throws(MembershipRuleViolation)
    {
        if target == .owner && owners <= 1 { throw .lastOwner }
        if isSelf { return }
        guard actor.can(.manageMembers) else { throw .notAllowed }
        if target == .owner && actor != .owner { throw .ownersOnly }
    }

    /// May `actor` invite someone with `role`? Nobody is invited as owner: ownership is transferred.
    public static func checkInvitation(actor: Role, role: Role) throws(MembershipRuleViolation) {
        guard actor.can(.manageMembers) else { throw .notAllowed }
        if role == .owner { throw .ownersOnly }
    }
}
