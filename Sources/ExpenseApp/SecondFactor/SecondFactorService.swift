import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Two-factor sign-in: enrolling an authenticator app (a secret, confirmed by a first code,
/// then ten recovery codes shown once), the second step of a sign-in, and turning it off.
///
/// The pages and the JSON API both call this. Every code is checked under the per-account limit,
/// and accepting one is a single conditional write, so a code (or a recovery code) works once
/// even when two requests race with it.
public struct SecondFactorService: Sendable {
    let store: Store
    /// Nil when no key is configured (PostgreSQL without `SECRET_KEY`): enrolment is refused.
    let box: SecretBox?
    let limiter: RateLimiter
    let limits: RateLimits
    let clock: AppClock
    let tokens: TokenGenerator
    let logger: Logger

    /// What an authenticator app is given: the URI (as a QR code) and the same secret to type.
    public struct Enrolment: Sendable {
        public var secret: String
        public var uri: String
    }

    static let issuer = "ExpenseTracker"
    static let recoveryCodeCount = 10
    /// How long the step between a right password and the code may take.
    static let challengeLifetime: TimeInterval = 300
    /// Wrong codes one sign-in may send before its password must be given again.
    static let challengeFailures = 5
    /// How every refusal that ends a sign-in (expired, finished, too many wrong codes) ends: the
    /// pages then offer to start again rather than ask for another code.
    static let signInEnded = "Sign in with your password again."

    /// Starts enrolment with a new secret (replacing one not yet confirmed).
    public func begin(_ identity: AccountIdentity) async throws -> Enrolment {
        try identity.requireSignInCredential()
        guard let box else {
            throw AppError.conflict(
                "Two-factor sign-in is not available on this server: its operator has not set SECRET_KEY.")
        }
        let user = identity.user
        let secret = TOTPCode.newSecret()
        let sealed = try box.seal(secret, owner: user.id.description)
        let now = clock.now()
        let store = self.store
        let started = try await store.withSystem { tx in
            try await store.secondFactors.begin(tx, user: user.id, sealed: sealed, at: now)
        }
        guard started else {
            throw AppError.conflict("Two-factor sign-in is already on. Turn it off first to enrol another app.")
        }
        let uri = TOTPCode(secret: secret).provisioningURI(issuer: Self.issuer, account: user.email)
        let base32 = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return Enrolment(secret: base32, uri: uri)
    }

    /// The enrolment under way, to show its QR code again (a page reloaded); nil when none.
    public func pending(_ identity: AccountIdentity) async throws -> Enrolment? {
        let user = identity.user
        guard let box, let factor = try await factor(of: user.id), factor.confirmedAt == nil,
            let secret = try? box.open(factor.secretSealed, owner: user.id.description)
        else { return nil }
        let uri = TOTPCode(secret: secret).provisioningURI(issuer: Self.issuer, account: user.email)
        let base32 = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return Enrolment(secret: base32, uri: uri)
    }

    /// Confirms enrolment with a first code; returns the recovery codes, shown this once.
    public func confirm(_ identity: AccountIdentity, code: String) async throws -> [String] {
        try identity.requireSignInCredential()
        let user = identity.user.id
        try await limiter.check(limits.secondFactorPerAccount, key: user.description)
        // A secret sealed under another key (SECRET_KEY changed since) cannot be confirmed either.
        guard let box, let factor = try await factor(of: user), factor.confirmedAt == nil,
            let secret = try? box.open(factor.secretSealed, owner: user.description)
        else {
            throw AppError.conflict("There is no enrolment to confirm: start one first.")
        }
        let now = clock.now()
        guard let step = TOTPCode(secret: secret).accept(code, at: now, after: nil) else {
            throw AppError.validation(
                .init("code", "That code is not the one your app shows now. Check the app and type the current code."))
        }
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
        let hashes = codes.map { Self.recoveryHash($0, user: user) }
        let store = self.store
        let credential = identity.credential
        let confirmed = try await store.withSystem { tx in
            guard
                try await store.secondFactors.confirm(
                    tx, user: user, sealed: factor.secretSealed, step: step, recoveryHashes: hashes, at: now)
            else { return false }
            // Every other session and token was opened with the password alone: they end, so
            // from now on each sign-in has passed the second factor (an organization that
            // requires it counts on that). The one confirming stays signed in.
            switch credential {
            case .session(let session):
                try await store.sessions.deleteAll(tx, user: user, except: session.idHash)
                try await store.apiTokens.revokeAll(tx, user: user)
            case .apiToken(let token):
                try await store.sessions.deleteAll(tx, user: user)
                try await store.apiTokens.revokeAll(tx, user: user, except: token.id)
            }
            return true
        }
        guard confirmed else {
            throw AppError.conflict("This enrolment was confirmed or started again meanwhile: start it again.")
        }
        logger.info("auth event", metadata: ["event": "second_factor_enabled", "user_id": "\(user)"])
        return codes
    }

    /// Turns two-factor sign-in off; it takes a current code or an unused recovery code.
    public func disable(_ identity: AccountIdentity, code: String) async throws {
        try identity.requireSignInCredential()
        let user = identity.user.id
        try await limiter.check(limits.secondFactorPerAccount, key: user.description)
        guard let factor = try await factor(of: user), factor.confirmedAt != nil else {
            throw AppError.conflict("Two-factor sign-in is not on.")
        }
        let store = self.store
        let box = self.box
        let now = clock.now()
        let accepted = try await store.withSystem { tx in
            guard try await Self.spend(code, factor: factor, box: box, in: tx, store: store, at: now) else {
                return false
            }
            try await store.secondFactors.remove(tx, user: user)
            return true
        }
        guard accepted else {
            throw AppError.validation(.init("code", "That code is not right, or was used already."))
        }
        logger.info("auth event", metadata: ["event": "second_factor_disabled", "user_id": "\(user)"])
    }

    /// After a right password: the token that carries the sign-in to its second step.
    public func challenge(for user: User) async throws -> String {
        let token = tokens()
        let now = clock.now()
        let store = self.store
        try await store.withSystem { tx in
            try await store.secondFactors.createChallenge(
                tx, hash: SecretToken.hash(token), user: user.id, at: now,
                expiresAt: now.addingTimeInterval(Self.challengeLifetime))
        }
        return token
    }

    /// The second step: a current code (one not used before) or an unused recovery code for the
    /// challenge's account. Returns the user signed in; the challenge is spent.
    public func complete(challenge token: String, code: String, client: ClientAddress) async throws -> User {
        try await limiter.check(limits.loginPerIP, key: client.rateLimitKey)
        let hash = SecretToken.hash(token)
        let now = clock.now()
        let store = self.store
        let expired = AppError.invalidSecondFactor(
            "This sign-in expired or was finished already. " + Self.signInEnded)
        guard SecretToken.isWellFormed(token),
            let challenge = try await store.withSystem({ tx in
                try await store.secondFactors.findChallenge(tx, hash: hash)
            }),
            challenge.expiresAt > now
        else { throw expired }
        try await limiter.check(limits.secondFactorPerAccount, key: challenge.userID.description)
        guard let factor = try await factor(of: challenge.userID), factor.confirmedAt != nil else { throw expired }
        let box = self.box
        let user = try await store.withSystem { tx -> User? in
            guard try await Self.spend(code, factor: factor, box: box, in: tx, store: store, at: now) else {
                return nil
            }
            guard try await store.secondFactors.deleteChallenge(tx, hash: hash) else { throw expired }
            return try await store.users.find(tx, id: challenge.userID)
        }
        guard let user else {
            let stands = try await store.withSystem { tx in
                try await store.secondFactors.recordChallengeFailure(
                    tx, hash: hash, maxFailures: Self.challengeFailures)
            }
            logger.info(
                "auth event",
                metadata: [
                    "event": "second_factor_failed", "user_id": "\(challenge.userID)", "challenge_ended": "\(!stands)",
                ])
            throw AppError.invalidSecondFactor(
                stands
                    ? "That code is not right, or was used already. Type the current code from your app, or a recovery code."
                    : "Too many wrong codes for this sign-in. " + Self.signInEnded)
        }
        logger.info("auth event", metadata: ["event": "second_factor_succeeded", "user_id": "\(user.id)"])
        return user
    }

    /// How many unused recovery codes the account has left.
    public func recoveryCodesLeft(_ identity: AccountIdentity) async throws -> Int {
        let store = self.store
        return try await store.withSystem { tx in
            try await store.secondFactors.unusedRecoveryCodes(tx, user: identity.user.id)
        }
    }

    private func factor(of user: UserID) async throws -> StoredSecondFactor? {
        let store = self.store
        return try await store.withSystem { tx in try await store.secondFactors.find(tx, user: user) }
    }

    /// Spends `code` for the account in `tx`: a code of a step after the last one used, or an
    /// unused recovery code. False when it is neither.
    static func spend(
        _ code: String, factor: StoredSecondFactor, box: SecretBox?, in tx: SystemTransaction, store: Store,
        at now: Date
    ) async throws -> Bool {
        let digits = code.filter { !$0.isWhitespace }
        if digits.count == 6, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            // Without the key it was sealed under (SECRET_KEY unset or changed) no code matches;
            // recovery codes, stored as hashes, still do.
            guard let box, let secret = try? box.open(factor.secretSealed, owner: factor.userID.description) else {
                return false
            }
            guard let step = TOTPCode(secret: secret).accept(digits, at: now, after: factor.lastStep) else {
                return false
            }
            return try await store.secondFactors.useStep(tx, user: factor.userID, step: step)
        }
        return try await store.secondFactors.useRecoveryCode(
            tx, user: factor.userID, hash: recoveryHash(code, user: factor.userID), at: now)
    }

    /// What is stored for a recovery code: SHA-256 of the account's id and the code as typed
    /// normalized. The id makes each account's hashes its own, so no one computation tests a
    /// guess against every account; the code works only after the right password anyway.
    static func recoveryHash(_ code: String, user: UserID) -> String {
        SecretToken.hash(user.description + ":" + normalized(code))
    }

    /// Recovery codes as typed: case, spaces and dashes do not matter.
    static func normalized(_ code: String) -> String {
        code.uppercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Ten characters of an alphabet without look-alikes (no 0/O, 1/I/L), shown as two groups of
    /// five: 50 random bits each.
    static func newRecoveryCode() -> String {
        let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }
}
