import ExpenseCore
import Foundation

/// The account rules in force, from configuration.
public struct AccountSettings: Sendable {
    public var publicBaseURL: String
    public var sessionIdle: TimeInterval
    public var sessionMaxAge: TimeInterval
    public var loginMaxFailures: Int
    public var lockout: TimeInterval
    public var resetTokenLifetime: TimeInterval = 3600
    public var verificationTokenLifetime: TimeInterval = 24 * 3600
    /// A new account's organization currency and time zone when the request names none.
    public var defaultCurrency: Currency = .usd
    public var defaultTimeZone: TimeZone = .utc

    public init(config: AppConfig) {
        publicBaseURL = config.publicBaseURL
        sessionIdle = TimeInterval(config.sessionIdleMinutes * 60)
        sessionMaxAge = TimeInterval(config.sessionMaxHours * 3600)
        loginMaxFailures = config.loginMaxFailures
        lockout = TimeInterval(config.loginLockoutMinutes * 60)
    }

    /// An absolute link to a page, built from the configured public base URL only.
    func link(_ path: String, token: String? = nil) -> String {
        guard let token else { return publicBaseURL + path }
        return publicBaseURL + path + "?token=" + token
    }
}
