import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging

/// Members, roles and invitations of an organization.
public struct MemberService: Sendable {
    let store: Store
    let settings: AccountSettings
    let limiter: RateLimiter
    let limits: RateLimits
    let clock: AppClock
    let ids: IDGenerator
    let tokens: TokenGenerator
    let logger: Logger

    public static let invitationLifetime: TimeInterval = 7 * 24 * 3600

    public func members(_ access: TenantAccess) async throws -> [Member] {
        try access.require(.viewOrganization)
        let store = self.store
        return try await access.inTransaction { tx in
            try await store.memberships.listMembers(tx)
        }
    }

    /// Gives a member another role, within the rules (admins cannot touch owners; an
    /// organization always keeps an owner).
    public func changeRole(_ access: TenantAccess, of userID: UserID, to role: Role) async throws -> Member {
        let now = clock.now()
        let store = self.store
        return try await access.inTransaction { tx -> Member in
            let owners = try await store.memberships.countOwners(tx)
            guard let target = try await store.memberships.find(tx, user: userID) else { throw AppError.notFound }
            do {
                try MembershipRules.checkRoleChange(actor: access.role, current: target.role, new: role, owners: owners)
            } catch let violation as MembershipRuleViolation {
                throw AppError(violation)
            }
            if target.role != role {
                try await store.memberships.changeRole(tx, user: userID, to: role, at: now)
                // An invitation carries its inviter's authority: who can no longer invite has
                // no invitations out (acceptance checks the inviter's role as well).
                if !role.can(.manageMembers) {
                    try await store.invitations.revokeAll(tx, sentBy: userID, at: now)
                }
                try await store.audit.append(
                    tx,
                    AuditEntry(
                        id: ids.uuid(), actorID: access.user.id, actorName: access.user.name,
                        action: .memberRoleChanged,
                        subjectType: .member, subjectID: userID.description,
                        details: AuditDetails.change(
                            before: ["role": target.role.rawValue], after: ["role": role.rawValue]),
                        createdAt: now
                    )
                )
            }
            guard let member = try await store.memberships.listMembers(tx).first(where: { $0.userID == userID }) else {
                throw AppError.notFound
            }
            return member
        }
    }

    /// Removes a member, or lets the caller leave when `userID` is their own.
    public func remove(_ access: TenantAccess, userID: UserID) async throws {
        let now = clock.now()
        let store = self.store
        let isSelf = userID == access.user.id
        try await access.inTransaction { tx in
            let owners = try await store.memberships.countOwners(tx)
            guard let target = try await store.memberships.find(tx, user: userID) else { throw AppError.notFound }
            do {
                try MembershipRules.checkRemoval(
                    actor: access.role, target: target.role, isSelf: isSelf, owners: owners)
            } catch let violation as MembershipRuleViolation {
                throw AppError(violation)
            }
            try await store.memberships.remove(tx, user: userID)
            try await store.invitations.revokeAll(tx, sentBy: userID, at: now)
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: access.user.id, actorName: access.user.name,
                    action: isSelf ? .memberLeft : .memberRemoved,
                    subjectType: .member, subjectID: userID.description,
                    details: AuditDetails.before(["role": target.role.rawValue]), createdAt: now
                )
            )
            try await WebhookEvents.emit(
                .memberRemoved, WebhookEvents.MemberData(userID: userID.description, role: target.role.rawValue),
                in: access, store: store, at: now)
        }
    }

    public func pendingInvitations(_ access: TenantAccess) async throws -> [Invitation] {
        try access.require(.manageMembers)
        let now = clock.now()
        let store = self.store
        return try await access.inTransaction { tx in
            try await store.invitations.listPending(tx, now: now)
        }
    }

    /// Invites an address with a role and queues the email, in one transaction. Refused for
    /// an unconfirmed inviter, an existing member, or an address already invited.
    public func invite(_ access: TenantAccess, email rawEmail: String, role rawRole: String, client: ClientAddress)
        async throws -> Invitation
    {
        var validator = Validator()
        let email = try validator.check { try EmailAddress(rawEmail) }
        let role = Role(rawValue: rawRole)
        if role == nil { validator.add("role", "Choose admin, finance, member or viewer.") }
        try validating { try validator.finish() }
        guard let email, let role else { throw AppError.validation(.init([])) }
        try checkMayInvite(access, as: role)
        // Counted in the request's transaction: a refused invitation (already a member, already
        // invited) sends nothing and leaves the counts as they were, so the limits bound the
        // invitations actually sent.
        try await limiter.check(limits.invitationsPerAccount, key: access.user.id.description, in: access.transaction)
        try await limiter.check(limits.invitationsPerIP, key: client.rateLimitKey, in: access.transaction)
        try await checkMailLimits(access, recipient: email.value)

        let now = clock.now()
        let token = tokens()
        let invitation = Invitation(
            id: ids(), tenantID: access.tenantID, email: email.value, role: role, invitedBy: access.user.id,
            expiresAt: now.addingTimeInterval(Self.invitationLifetime), acceptedAt: nil, revokedAt: nil, createdAt: now
        )
        let store = self.store
        let settings = self.settings
        do {
            try await access.inTransaction { tx in
                if let existing = try await store.users.find(tx, email: email.value),
                    try await store.memberships.find(tx, user: existing.id) != nil
                {
                    throw AppError.conflict("\(email.value) is already a member of this organization.")
                }
                if let open = try await store.invitations.findOpen(tx, email: email.value) {
                    guard open.expiresAt <= now else {
                        throw AppError.conflict("\(email.value) is already invited. Resend the invitation instead.")
                    }
                    _ = try await store.invitations.revoke(tx, id: open.id, at: now)
                }
                // Behind a savepoint: a concurrent invitation of the same address is answered 409
                // and the request's transaction stays usable for the page that reports it.
                try await tx.savepoint {
                    try await store.invitations.create(tx, invitation, tokenHash: SecretToken.hash(token))
                }
                try await Mailer.enqueue(
                    OrganizationMessages.invitation(
                        to: email.value, organization: access.organization.name, inviter: access.user.name,
                        role: role.rawValue, link: settings.link("/invitations/accept", token: token)
                    ),
                    in: tx, store: store, settings: settings, ids: ids, at: now
                )
                try await store.audit.append(
                    tx,
                    AuditEntry(
                        id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .memberInvited,
                        subjectType: .invitation, subjectID: invitation.id.description,
                        details: AuditDetails.facts(["email": email.value, "role": role.rawValue]), createdAt: now
                    )
                )
            }
        } catch StoreError.uniqueViolation {
            throw AppError.conflict("\(email.value) is already invited. Resend the invitation instead.")
        }
        return invitation
    }

    /// Sends an open invitation again with a fresh link (the old one stops working) and 7 more days.
    public func resend(_ access: TenantAccess, invitationID: InvitationID) async throws {
        try access.require(.manageMembers)
        try await limiter.check(limits.invitationResends, key: invitationID.description, in: access.transaction)
        let now = clock.now()
        let token = tokens()
        let store = self.store
        let settings = self.settings
        try await access.inTransaction { tx in
            guard let invitation = try await store.invitations.find(tx, id: invitationID),
                invitation.acceptedAt == nil, invitation.revokedAt == nil,
                try await store.invitations.renew(
                    tx, id: invitationID, tokenHash: SecretToken.hash(token),
                    expiresAt: now.addingTimeInterval(Self.invitationLifetime)
                )
            else { throw AppError.notFound }
            try await checkMailLimits(access, recipient: invitation.email)
            try await Mailer.enqueue(
                OrganizationMessages.invitation(
                    to: invitation.email, organization: access.organization.name, inviter: access.user.name,
                    role: invitation.role.rawValue, link: settings.link("/invitations/accept", token: token)
                ),
                in: tx, store: store, settings: settings, ids: ids, at: now
            )
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .invitationResent,
                    subjectType: .invitation, subjectID: invitationID.description,
                    details: AuditDetails.facts(["email": invitation.email]), createdAt: now
                )
            )
        }
    }

    /// Counts one invitation email against the limits per recipient and per organization, in
    /// the request's transaction: a refused request leaves the counts as they were. The
    /// recipient counts without a `+tag` (`ana+1@` and `ana+2@` reach one inbox) and is kept
    /// only as a hash.
    func checkMailLimits(_ access: TenantAccess, recipient: String) async throws {
        let inbox = recipient.split(separator: "@", maxSplits: 1)
        let key = inbox.count == 2 ? "\(inbox[0].prefix { $0 != "+" })@\(inbox[1])" : recipient
        try await limiter.check(
            limits.invitationsPerRecipient, key: SecretToken.hash(key), in: access.transaction)
        try await limiter.check(
            limits.invitationsPerOrganization, key: access.tenantID.description, in: access.transaction)
    }

    /// The rules of inviting with `role`: the membership rules allow it, and the inviter's own
    /// address is confirmed.
    private func checkMayInvite(_ access: TenantAccess, as role: Role) throws {
        do {
            try MembershipRules.checkInvitation(actor: access.role, role: role)
        } catch let violation {
            throw AppError(violation)
        }
        guard access.user.emailVerifiedAt != nil else {
            throw AppError.forbidden("Confirm your email address before inviting others: use the link we sent you.")
        }
    }

    /// Offers a pending invitation another role, under the rules of inviting (an admin cannot
    /// offer ownership). The emailed link stays the same: accepting it joins with the new role.
    public func changeInvitationRole(_ access: TenantAccess, invitationID: InvitationID, to role: Role)
        async throws -> Invitation
    {
        try access.require(.manageMembers)
        try checkMayInvite(access, as: role)
        let now = clock.now()
        let store = self.store
        return try await access.inTransaction { tx in
            guard let invitation = try await store.invitations.find(tx, id: invitationID),
                invitation.expiresAt > now,
                try await store.invitations.changeRole(tx, id: invitationID, to: role)
            else { throw AppError.notFound }
            if invitation.role != role {
                try await store.audit.append(
                    tx,
                    AuditEntry(
                        id: ids.uuid(), actorID: access.user.id, actorName: access.user.name,
                        action: .invitationRoleChanged, subjectType: .invitation, subjectID: invitationID.description,
                        details: AuditDetails.change(
                            before: ["email": invitation.email, "role": invitation.role.rawValue],
                            after: ["email": invitation.email, "role": role.rawValue]),
                        createdAt: now
                    )
                )
            }
            var changed = invitation
            changed.role = role
            return changed
        }
    }

    public func revoke(_ access: TenantAccess, invitationID: InvitationID) async throws {
        try access.require(.manageMembers)
        let now = clock.now()
        let store = self.store
        try await access.inTransaction { tx in
            guard let invitation = try await store.invitations.find(tx, id: invitationID),
                try await store.invitations.revoke(tx, id: invitationID, at: now)
            else { throw AppError.notFound }
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .invitationRevoked,
                    subjectType: .invitation, subjectID: invitationID.description,
                    details: AuditDetails.facts(["email": invitation.email]), createdAt: now
                )
            )
        }
    }
}
