import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging

/// Registration, sign-in, sessions and tokens, password reset and email verification.
///
/// The JSON API and the pages both call this; neither holds account rules of its own.
public struct AccountService: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let passwordPolicy: PasswordPolicy
    let settings: AccountSettings
    let limiter: RateLimiter
    let limits: RateLimits
    let clock: AppClock
    let ids: IDGenerator
    let tokens: TokenGenerator
    let logger: Logger

    public struct Registration: Sendable {
        public var email: String
        public var password: String
        public var name: String
        public var currency: String?
        public var timeZone: String?
        /// The address is already proven (an open invitation to it was presented): it is
        /// confirmed at once and no confirmation email is sent.
        public var emailProven: Bool

        public init(
            email: String, password: String, name: String, currency: String? = nil, timeZone: String? = nil,
            emailProven: Bool = false
        ) {
            self.email = email
            self.password = password
            self.name = name
            self.currency = currency
            self.timeZone = timeZone
            self.emailProven = emailProven
        }
    }

    /// Creates the user, their personal organization (they own it) and queues the welcome and
    /// verification emails, all in one transaction.
    public func register(_ registration: Registration, client: ClientAddress) async throws -> User {
        try await limiter.check(limits.registerPerIP, key: client.rateLimitKey)
        var validator = Validator()
        let email = try validator.check { try EmailAddress(registration.email) }
        let name = try validator.check { try DisplayName.validate(registration.name) }
        try validator.check { try passwordPolicy.validate(registration.password) }
        let currency = try validator.check {
            try registration.currency.map { try Currency(code: $0) } ?? self.settings.defaultCurrency
        }
        let timeZone = try validator.check {
            try registration.timeZone.map { try TimeZoneName.parse($0) } ?? self.settings.defaultTimeZone
        }
        try validating { try validator.finish() }
        guard let email, let name, let currency, let timeZone else { throw AppError.validation(.init([])) }

        let passwordHash = try await hasher.hash(registration.password)
        let now = clock.now()
        let userID: UserID = ids()
        let organizationID: OrganizationID = ids()
        let verificationToken = tokens()
        let settings = self.settings
        let store = self.store
        do {
            let user = try await store.withTenant(organizationID, actor: userID) { tx in
                if try await store.users.find(tx, email: email.value) != nil { throw AppError.emailTaken }
                let user = try await store.users.create(
                    tx, id: userID, email: email.value, name: name, passwordHash: passwordHash, at: now
                )
                _ = try await store.organizations.create(
                    tx,
                    .init(
                        name: "Personal", kind: .personal, currency: currency, timeZone: timeZone,
                        weekStart: .monday),
                    at: now
                )
                _ = try await store.memberships.add(tx, user: userID, role: .owner, at: now)
                try await store.categories.createDefaults(tx, kind: .personal, ids: ids, at: now)
                try await Mailer.enqueue(
                    AccountMessages.welcome(
                        to: user.email, name: user.name, dashboardLink: settings.link("/")),
                    in: tx, store: store, settings: settings, ids: ids, at: now
                )
                if registration.emailProven {
                    try await store.credentials.markEmailVerified(tx, user: userID, at: now)
                    return try await store.users.find(tx, id: userID) ?? user
                }
                try await store.accountTokens.create(
                    tx, hash: SecretToken.hash(verificationToken), user: userID, purpose: .emailVerification,
                    at: now, expiresAt: now.addingTimeInterval(settings.verificationTokenLifetime)
                )
                try await Mailer.enqueue(
                    AccountMessages.verification(
                        to: user.email, name: user.name, link: settings.link("/verify", token: verificationToken)
                    ),
                    in: tx, store: store, settings: settings, ids: ids, at: now
                )
                return user
            }
            logger.info("auth event", metadata: ["event": "registered", "user_id": .string(user.id.description)])
            return user
        } catch StoreError.uniqueViolation {
            // Two registrations for one email raced; the other one won.
            throw AppError.emailTaken
        }
    }

    /// Checks an email and password. Unknown, wrong and locked all fail alike, in about the same
    /// time; the fifth failure in a row locks the account.
    public func authenticate(email rawEmail: String, password: String, client: ClientAddress) async throws -> User {
        try await limiter.check(limits.loginPerIP, key: client.rateLimitKey)
        let now = clock.now()
        let store = self.store
        let credentials: Credentials?
        if let email = try? EmailAddress(rawEmail) {
            credentials = try await store.withSystem { tx in try await store.credentials.find(tx, email: email.value) }
        } else {
            credentials = nil
        }
        guard let credentials else {
            _ = try await hasher.verifyDummy(password)
            logger.info("auth event", metadata: ["event": "login_failed", "reason": "unknown_account"])
            throw AppError.invalidCredentials
        }
        let userID = credentials.user.id
        switch try await checkPassword(password, of: credentials, at: now) {
        case .right:
            break
        case .wrong:
            logger.info(
                "auth event", metadata: ["event": "login_failed", "reason": "wrong_password", "user_id": "\(userID)"])
            throw AppError.invalidCredentials
        case .locked:
            logger.info("auth event", metadata: ["event": "login_refused", "reason": "locked", "user_id": "\(userID)"])
            throw AppError.invalidCredentials
        }
        logger.info("auth event", metadata: ["event": "login_succeeded", "user_id": "\(userID)"])
        return credentials.user
    }

    /// The user and the organizations they belong to, with their role in each.
    public func profile(of userID: UserID) async throws -> (User, [(Organization, Role)]) {
        let store = self.store
        let user = try await store.withSystem { tx in try await store.users.find(tx, id: userID) }
        guard let user else { throw AppError.unauthenticated }
        let memberships = try await store.withUser(userID) { tx in try await store.organizations.list(tx, user: userID)
        }
        return (user, memberships)
    }
}
