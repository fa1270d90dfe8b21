import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging

/// `mail retry-dead`: sends dead messages again once the cause (a relay down, a bad setting)
/// is fixed.
///
/// A message with a one-time link (password reset, email confirmation, invitation) is not sent
/// again as it was: its link may have expired, and a link that sat in a dead letter for days is
/// not the one to trust. It is re-issued instead: a new token (the old one stops working), a
/// new message with a fresh lifetime, and the dead one retired with its bodies dropped. When
/// there is nothing left to send (the account is gone or already confirmed, the invitation was
/// accepted or withdrawn), the dead message is only retired. Every other message is requeued.
struct DeadMailRecovery: Sendable {
    let store: Store
    let settings: AccountSettings
    let clock: AppClock
    let ids: IDGenerator
    let tokens: TokenGenerator
    let logger: Logger

    struct Outcome: Sendable, Equatable {
        var requeued = 0
        var reissued = 0
        var retired = 0
    }

    func retryAll() async throws -> Outcome {
        let store = self.store
        var outcome = Outcome()
        // Several dead account links of one kind to one person (two resets asked for while the
        // relay was down) become one new link, as only the newest would have worked. (An older
        // invitation message of a resent invitation finds nothing by its replaced token.)
        var reissued: Set<String> = []
        for message in try await store.withSystem({ tx in try await store.outbox.dead(tx) }).reversed() {
            let note: String?
            if [.passwordReset, .emailVerification].contains(message.kind),
                !reissued.insert("\(message.kind) \(message.recipient)").inserted
            {
                try await store.withSystem { tx in
                    try await store.outbox.retire(tx, id: message.id, note: "superseded by a newer link")
                }
                outcome.retired += 1
                continue
            }
            switch message.kind {
            case .passwordReset:
                note = try await reissueAccountLink(message, purpose: .passwordReset)
            case .emailVerification:
                note = try await reissueAccountLink(message, purpose: .emailVerification)
            case .invitation:
                note = try await reissueInvitation(message)
            // No link in them expires: sent again as they were.
            case .welcome, .passwordChanged, .claimSubmitted, .claimApproved, .claimRejected, .claimReimbursed,
                .budgetAlert:
                let now = clock.now()
                try await store.withSystem { tx in try await store.outbox.requeue(tx, id: message.id, at: now) }
                outcome.requeued += 1
                continue
            }
            if let note {
                try await store.withSystem { tx in try await store.outbox.retire(tx, id: message.id, note: note) }
                outcome.retired += 1
            } else {
                outcome.reissued += 1
            }
        }
        logger.notice(
            "dead mail retried",
            metadata: [
                "requeued": "\(outcome.requeued)", "reissued": "\(outcome.reissued)", "retired": "\(outcome.retired)",
            ])
        return outcome
    }

    /// The token in a message's link (every emailed link ends in `?token=` and 43 characters).
    static func token(in body: String) -> String? {
        guard let range = body.range(of: #"token=[A-Za-z0-9_-]{43}"#, options: .regularExpression) else { return nil }
        return String(body[range].dropFirst("token=".count))
    }

    /// Re-issues a reset or confirmation link to the account of the message's address (its old
    /// token may be long deleted by maintenance) in one transaction: old tokens void, a new
    /// one, a new message, the dead one retired. Nil when done, else why nothing was sent.
    private func reissueAccountLink(_ message: OutboxRepository.DeadMessage, purpose: AccountTokenPurpose)
        async throws -> String?
    {
        let now = clock.now()
        let store = self.store
        let settings = self.settings
        return try await store.withSystem { tx -> String? in
            guard let user = try await store.users.find(tx, email: message.recipient) else {
                return "not re-issued: no account has this address any more"
            }
            let userID = user.id
            if purpose == .emailVerification, user.emailVerifiedAt != nil {
                return "not re-issued: the address is already confirmed"
            }
            let fresh = tokens()
            try await store.accountTokens.invalidateAll(tx, user: userID, purpose: purpose, at: now)
            let mail: MailMessage
            switch purpose {
            case .passwordReset:
                try await store.accountTokens.create(
                    tx, hash: SecretToken.hash(fresh), user: userID, purpose: purpose, at: now,
                    expiresAt: now.addingTimeInterval(settings.resetTokenLifetime))
                mail = try AccountMessages.passwordReset(
                    to: user.email, name: user.name, link: settings.link("/password/reset", token: fresh))
            case .emailVerification:
                try await store.accountTokens.create(
                    tx, hash: SecretToken.hash(fresh), user: userID, purpose: purpose, at: now,
                    expiresAt: now.addingTimeInterval(settings.verificationTokenLifetime))
                mail = try AccountMessages.verification(
                    to: user.email, name: user.name, link: settings.link("/verify", token: fresh))
            }
            try await Mailer.enqueue(mail, in: tx, store: store, settings: settings, ids: ids, at: now)
            try await store.outbox.retire(tx, id: message.id, note: "re-issued with a new link")
            return nil
        }
    }

    /// Re-issues an invitation that is still open (accepted or withdrawn ones are not): a new
    /// token and seven more days, as a resend gives.
    private func reissueInvitation(_ message: OutboxRepository.DeadMessage) async throws -> String? {
        guard let token = Self.token(in: message.bodyText) else { return "not re-issued: no link found" }
        let store = self.store
        let settings = self.settings
        let now = clock.now()
        let found = try await store.withInvitation(tokenHash: SecretToken.hash(token)) { tx in
            try await store.invitations.find(tx)
        }
        guard let invitation = found, invitation.acceptedAt == nil, invitation.revokedAt == nil else {
            return "not re-issued: the invitation was accepted, withdrawn or replaced"
        }
        return try await store.withTenant(invitation.tenantID) { tx -> String? in
            guard let organization = try await store.organizations.find(tx) else {
                return "not re-issued: the organization no longer exists"
            }
            let fresh = tokens()
            guard
                try await store.invitations.renew(
                    tx, id: invitation.id, tokenHash: SecretToken.hash(fresh),
                    expiresAt: now.addingTimeInterval(MemberService.invitationLifetime))
            else { return "not re-issued: the invitation is no longer open" }
            var inviterName = organization.name
            if let inviterID = invitation.invitedBy, let inviter = try await store.users.find(tx, id: inviterID) {
                inviterName = inviter.name
            }
            try await Mailer.enqueue(
                OrganizationMessages.invitation(
                    to: invitation.email, organization: organization.name, inviter: inviterName,
                    role: invitation.role.rawValue, link: settings.link("/invitations/accept", token: fresh)),
                in: tx, store: store, settings: settings, ids: ids, at: now)
            try await store.outbox.retire(tx, id: message.id, note: "re-issued with a new link")
            return nil
        }
    }
}
