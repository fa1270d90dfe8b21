import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging

extension AccountService {
    /// Sends a reset link if the email has an account. Answers the same either way, so nobody
    /// learns which emails have accounts; per account, at most a few links an hour go out.
    public func requestPasswordReset(email rawEmail: String, client: ClientAddress) async throws {
        try await limiter.check(limits.forgotPerIP, key: client.rateLimitKey)
        // A malformed address is a typing mistake worth pointing out; it says nothing of accounts.
        let email = try validating { try EmailAddress(rawEmail) }
        let store = self.store
        let user = try await store.withSystem { tx in try await store.users.find(tx, email: email.value) }
        guard let user else {
            logger.info("auth event", metadata: ["event": "reset_requested", "reason": "unknown_account"])
            return
        }
        guard try await limiter.isAllowed(limits.forgotPerAccount, key: user.id.description) else {
            logger.info("auth event", metadata: ["event": "reset_throttled", "user_id": "\(user.id)"])
            return
        }
        let now = clock.now()
        let token = tokens()
        let settings = self.settings
        try await store.withSystem { tx in
            try await store.accountTokens.create(
                tx, hash: SecretToken.hash(token), user: user.id, purpose: .passwordReset,
                at: now, expiresAt: now.addingTimeInterval(settings.resetTokenLifetime)
            )
            try await Mailer.enqueue(
                AccountMessages.passwordReset(
                    to: user.email, name: user.name, link: settings.link("/password/reset", token: token)),
                in: tx, store: store, settings: settings, ids: ids, at: now
            )
        }
        logger.info("auth event", metadata: ["event": "reset_requested", "user_id": "\(user.id)"])
    }

    /// Whether a reset link still works (unused and unexpired), so its page can say at once
    /// when it does not instead of after a new password is typed. Looking a token up costs one
    /// indexed read and no hash; a made-up one is never live.
    public func resetLinkIsLive(token: String) async throws -> Bool {
        guard SecretToken.isWellFormed(token) else { return false }
        let now = clock.now()
        let store = self.store
        return try await store.withSystem { tx in
            try await store.accountTokens.isLive(tx, hash: SecretToken.hash(token), purpose: .passwordReset, at: now)
        }
    }

    /// Sets a new password with a reset token: once only, within its hour. Lifts a lockout, ends
    /// every session and revokes every API token. Returns the account's email address.
    ///
    /// Counted per address, then the token is looked up, and only a live token's reset pays for
    /// a password hash: a stream of made-up tokens costs the server a lookup each.
    @discardableResult
    public func resetPassword(token: String, newPassword: String, client: ClientAddress) async throws -> String {
        try await limiter.check(limits.resetPerIP, key: client.rateLimitKey)
        try validating { try passwordPolicy.validate(newPassword) }
        guard SecretToken.isWellFormed(token) else { throw AppError.invalidToken }
        let now = clock.now()
        let store = self.store
        let settings = self.settings
        let tokenHash = SecretToken.hash(token)
        let live = try await store.withSystem { tx in
            try await store.accountTokens.isLive(tx, hash: tokenHash, purpose: .passwordReset, at: now)
        }
        guard live else { throw AppError.invalidToken }
        let passwordHash = try await hasher.hash(newPassword)
        // Consumed here, not above: of two resets with one link, one wins and the other is refused.
        let (userID, email) = try await store.withSystem { tx -> (UserID, String) in
            guard
                let userID = try await store.accountTokens.consume(
                    tx, hash: tokenHash, purpose: .passwordReset, at: now),
                let user = try await store.users.find(tx, id: userID)
            else { throw AppError.invalidToken }
            try await store.credentials.setPassword(tx, user: userID, hash: passwordHash, at: now)
            // Receiving the link proves the address is theirs.
            try await store.credentials.markEmailVerified(tx, user: userID, at: now)
            try await store.accountTokens.invalidateAll(tx, user: userID, purpose: .passwordReset, at: now)
            try await store.sessions.deleteAll(tx, user: userID)
            try await store.apiTokens.revokeAll(tx, user: userID)
            try await Mailer.enqueue(
                AccountMessages.passwordChanged(
                    to: user.email, name: user.name, resetLink: settings.link("/password/forgot")),
                in: tx, store: store, settings: settings, ids: ids, at: now
            )
            return (userID, user.email)
        }
        logger.info("auth event", metadata: ["event": "password_reset", "user_id": "\(userID)"])
        return email
    }

    /// Changes the password of a signed-in user who knows the current one. Every other session
    /// and token ends; the one making the change stays signed in.
    public func changePassword(of identity: AccountIdentity, current: String, new: String) async throws {
        try identity.requireSignInCredential()
        // Limited before anything is hashed: one session cannot keep the hashing threads busy.
        try await limiter.check(limits.passwordChangesPerAccount, key: identity.user.id.description)
        var validator = Validator()
        try validator.check { try passwordPolicy.validate(new, field: "new_password") }
        let store = self.store
        let userID = identity.user.id
        let credentials = try await store.withSystem { tx in try await store.credentials.find(tx, id: userID) }
        guard let credentials else { throw AppError.unauthenticated }
        let now = clock.now()
        let settings = self.settings
        // A wrong current password counts toward the lockout like a wrong login: a stolen
        // session cannot guess the password.
        switch try await checkPassword(current, of: credentials, at: now) {
        case .right: break
        case .wrong: validator.add("current_password", "That is not your current password.")
        case .locked:
            validator.add(
                "current_password",
                "Too many wrong passwords: the account is locked for now. Try again later, or reset your password.")
        }
        try validating { try validator.finish() }
        let passwordHash = try await hasher.hash(new)
        try await store.withSystem { tx in
            try await store.credentials.setPassword(tx, user: userID, hash: passwordHash, at: now)
            try await store.accountTokens.invalidateAll(tx, user: userID, purpose: .passwordReset, at: now)
            switch identity.credential {
            case .session(let session):
                try await store.sessions.deleteAll(tx, user: userID, except: session.idHash)
                try await store.apiTokens.revokeAll(tx, user: userID)
            case .apiToken(let token):
                try await store.sessions.deleteAll(tx, user: userID)
                try await store.apiTokens.revokeAll(tx, user: userID, except: token.id)
            }
            try await Mailer.enqueue(
                AccountMessages.passwordChanged(
                    to: identity.user.email, name: identity.user.name, resetLink: settings.link("/password/forgot")
                ),
                in: tx, store: store, settings: settings, ids: ids, at: now
            )
        }
        logger.info("auth event", metadata: ["event": "password_changed", "user_id": "\(userID)"])
    }

    /// Confirms an email address with the token from the verification email.
    /// Whether a confirmation link still works: the page says at once when it was used, replaced
    /// by a newer one or expired, instead of after a click.
    public func verificationLinkIsLive(token: String) async throws -> Bool {
        guard SecretToken.isWellFormed(token) else { return false }
        let now = clock.now()
        let store = self.store
        return try await store.withSystem { tx in
            try await store.accountTokens.isLive(
                tx, hash: SecretToken.hash(token), purpose: .emailVerification, at: now)
        }
    }

    public func verifyEmail(token: String) async throws {
        guard SecretToken.isWellFormed(token) else { throw AppError.invalidToken }
        let now = clock.now()
        let store = self.store
        let userID = try await store.withSystem { tx -> UserID in
            guard
                let userID = try await store.accountTokens.consume(
                    tx, hash: SecretToken.hash(token), purpose: .emailVerification, at: now
                )
            else { throw AppError.invalidToken }
            try await store.credentials.markEmailVerified(tx, user: userID, at: now)
            return userID
        }
        logger.info("auth event", metadata: ["event": "email_verified", "user_id": "\(userID)"])
    }

    /// Sends a fresh verification link (older ones stop working); rate-limited per account.
    public func resendVerification(to user: User) async throws {
        guard user.emailVerifiedAt == nil else { return }
        try await limiter.check(limits.verificationPerAccount, key: user.id.description)
        let now = clock.now()
        let token = tokens()
        let store = self.store
        let settings = self.settings
        try await store.withSystem { tx in
            try await store.accountTokens.invalidateAll(tx, user: user.id, purpose: .emailVerification, at: now)
            try await store.accountTokens.create(
                tx, hash: SecretToken.hash(token), user: user.id, purpose: .emailVerification,
                at: now, expiresAt: now.addingTimeInterval(settings.verificationTokenLifetime)
            )
            try await Mailer.enqueue(
                AccountMessages.verification(
                    to: user.email, name: user.name, link: settings.link("/verify", token: token)),
                in: tx, store: store, settings: settings, ids: ids, at: now
            )
        }
    }
}
