import ExpenseCore
import ExpenseStore
import Foundation
import Logging

extension MemberService {
    /// What the accept page shows about an invitation before anyone joins.
    public struct InvitationPreview: Sendable {
        public var invitation: Invitation
        public var organizationName: String
    }

    /// Reads the invitation a token belongs to (row-level security shows that one only), or
    /// `AppError.invalidToken` when it is unknown, used, revoked or expired.
    public func preview(token: String) async throws -> InvitationPreview {
        guard SecretToken.isWellFormed(token) else { throw AppError.invalidToken }
        let now = clock.now()
        let store = self.store
        let preview = try await store.withInvitation(tokenHash: SecretToken.hash(token)) { tx -> InvitationPreview? in
            guard let invitation = try await store.invitations.find(tx) else { return nil }
            guard let name = try await store.organizations.name(tx, of: invitation.tenantID) else { return nil }
            return InvitationPreview(invitation: invitation, organizationName: name)
        }
        guard let preview else { throw AppError.invalidToken }
        guard preview.invitation.isOpen(at: now) else { throw Self.closedReason(preview.invitation, now: now) }
        return preview
    }

    /// Joins the signed-in user to the organization with the invited role. The invitation
    /// must be open and addressed to the user's email, and its inviter must still be able to
    /// invite; accepting confirms that address. The preview's read only shapes the answers: the
    /// acceptance is one statement guarded by the token's hash, so a resend, a revocation or a
    /// demotion of the inviter committed in between is never overlooked. Returns the
    /// organization joined and the role held there.
    @discardableResult
    public func accept(token: String, by user: User) async throws -> (organization: Organization, role: Role) {
        let preview = try await preview(token: token)
        let invitation = preview.invitation
        guard invitation.email == user.email else {
            throw AppError.forbidden(
                "This invitation is for \(invitation.email). Log in with that address, or ask for an invitation to \(user.email)."
            )
        }
        let now = clock.now()
        let store = self.store
        let joined = try await store.withTenant(invitation.tenantID, actor: user.id) { tx -> (Organization, Role) in
            guard let organization = try await store.organizations.find(tx) else { throw AppError.invalidToken }
            if try await store.memberships.find(tx, user: user.id) != nil {
                throw AppError.conflict("You are already a member of \(organization.name).")
            }
            let accepted = try await store.invitations.accept(
                tx, tokenHash: SecretToken.hash(token), by: user.id, at: now,
                inviterRoles: Role.allCases.filter { $0.can(.manageMembers) })
            guard let accepted else {
                // Say why: either the inviter can no longer invite, or the link changed meanwhile.
                if let inviterID = invitation.invitedBy,
                    let inviter = try await store.memberships.find(tx, user: inviterID),
                    inviter.role.can(.manageMembers)
                {
                    throw AppError.invalidToken
                }
                throw AppError.conflict(
                    "The person who invited you can no longer invite members. Ask the organization for a new invitation."
                )
            }
            _ = try await store.memberships.add(tx, user: user.id, role: accepted.role, at: now)
            try await store.credentials.markEmailVerified(tx, user: user.id, at: now)
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: user.id, actorName: user.name, action: .memberJoined, subjectType: .member,
                    subjectID: user.id.description,
                    details: AuditDetails.facts([
                        "role": accepted.role.rawValue, "invitation": accepted.id.description,
                    ]),
                    createdAt: now
                )
            )
            try await WebhookEvents.emit(
                .memberJoined, WebhookEvents.MemberData(userID: user.id.description, role: accepted.role.rawValue),
                organization: organization, in: tx, store: store, at: now)
            return (organization, accepted.role)
        }
        logger.info(
            "invitation accepted", metadata: ["organization_id": "\(joined.0.id)", "user_id": "\(user.id)"])
        return joined
    }

    static func closedReason(_ invitation: Invitation, now: Date) -> AppError {
        if invitation.acceptedAt != nil { return .conflict("This invitation was already accepted.") }
        if invitation.revokedAt != nil { return .conflict("This invitation was withdrawn. Ask for a new one.") }
        return .conflict("This invitation has expired. Ask for a new one.")
    }
}
