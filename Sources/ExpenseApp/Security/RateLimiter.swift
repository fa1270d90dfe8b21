import ExpenseCore
import ExpenseStore
import Foundation

/// A limit: at most `limit` hits per `window` for one key.
public struct RateLimitRule: Sendable, Equatable {
    public var name: String
    public var limit: Int
    public var window: Duration

    public init(name: String, limit: Int, window: Duration) {
        self.name = name
        self.limit = limit
        self.window = window
    }
}

/// The limits the accounts flows apply.
public struct RateLimits: Sendable {
    /// Login attempts from one address, across accounts.
    public var loginPerIP = RateLimitRule(name: "login-ip", limit: 30, window: .seconds(600))
    /// Registrations from one address.
    public var registerPerIP = RateLimitRule(name: "register-ip", limit: 10, window: .seconds(3600))
    /// Forgot-password requests from one address.
    public var forgotPerIP = RateLimitRule(name: "forgot-ip", limit: 10, window: .seconds(3600))
    /// Password resets tried from one address (each valid one costs a password hash).
    public var resetPerIP = RateLimitRule(name: "reset-ip", limit: 20, window: .seconds(3600))
    /// Password changes tried by one account (each costs two password hashes).
    public var passwordChangesPerAccount = RateLimitRule(name: "change-account", limit: 10, window: .seconds(3600))
    /// Reset emails to one account (beyond it, requests are answered the same but send nothing).
    public var forgotPerAccount = RateLimitRule(name: "forgot-account", limit: 3, window: .seconds(3600))
    /// Verification emails to one account.
    public var verificationPerAccount = RateLimitRule(name: "verify-account", limit: 3, window: .seconds(3600))
    /// Invitations sent by one account, across organizations.
    public var invitationsPerAccount = RateLimitRule(name: "invite-account", limit: 30, window: .seconds(3600))
    /// Invitations sent from one address.
    public var invitationsPerIP = RateLimitRule(name: "invite-ip", limit: 60, window: .seconds(3600))
    /// Invitations (sent or resent) to one address, across organizations and inviters: nobody
    /// can flood a stranger's inbox by inviting from many organizations.
    public var invitationsPerRecipient = RateLimitRule(name: "invite-recipient", limit: 5, window: .seconds(86_400))
    /// Invitations (sent or resent) by one organization, across its admins.
    public var invitationsPerOrganization = RateLimitRule(name: "invite-org", limit: 100, window: .seconds(3600))
    /// Organizations one account creates (each can send its own invitations).
    public var organizationsPerAccount = RateLimitRule(name: "org-create", limit: 10, window: .seconds(86_400))
    /// Second-factor codes tried for one account (signing in, confirming, turning it off): with
    /// three codes valid at a time, this keeps guessing one hopeless.
    public var secondFactorPerAccount = RateLimitRule(name: "second-factor-account", limit: 10, window: .seconds(900))
    /// Resends of one invitation.
    public var invitationResends = RateLimitRule(name: "invite-resend", limit: 3, window: .seconds(3600))

    public init() {}
}

/// Counts hits in the database, so every server process shares the count.
public struct RateLimiter: Sendable {
    let store: Store
    let clock: AppClock

    /// Counts one hit; throws `AppError.rateLimited` with the seconds until the window ends
    /// once the limit is passed. The count commits on its own, whatever the request does next.
    public func check(_ rule: RateLimitRule, key: String) async throws {
        let decision = try await hit(rule, key: key)
        if !decision.allowed { throw AppError.rateLimited(retryAfter: decision.retryAfter) }
    }

    /// Counts one hit in the request's own transaction (an organization's route runs in one):
    /// the count commits with the request, so a refused request leaves it as it was.
    public func check(_ rule: RateLimitRule, key: String, in tx: some Transaction) async throws {
        let decision = try await hit(rule, key: key, in: tx)
        if !decision.allowed { throw AppError.rateLimited(retryAfter: decision.retryAfter) }
    }

    /// Counts one hit and answers whether it is within the limit, without throwing.
    public func isAllowed(_ rule: RateLimitRule, key: String) async throws -> Bool {
        try await hit(rule, key: key).allowed
    }

    private func hit(_ rule: RateLimitRule, key: String) async throws -> (allowed: Bool, retryAfter: Int) {
        try await store.withSystem { tx in try await hit(rule, key: key, in: tx) }
    }

    private func hit(_ rule: RateLimitRule, key: String, in tx: some Transaction) async throws
        -> (allowed: Bool, retryAfter: Int)
    {
        let now = clock.now()
        let result = try await store.rateLimits.hit(tx, key: "\(rule.name):\(key)", window: rule.window, at: now)
        let ends = result.windowStart.addingTimeInterval(Double(rule.window.components.seconds))
        return (result.hits <= rule.limit, max(1, Int(ends.timeIntervalSince(now).rounded(.up))))
    }
}
