import ExpenseCore
import ExpenseStore
import Foundation
import Logging

extension AccountService {
    /// What checking a password against the lockout found.
    enum PasswordCheck {
        case right
        case wrong
        /// Locked, or as many attempts as the limit allows are already counted: not checked.
        case locked
    }

    /// Checks a password of an account (a login, or the current password on a change) under the
    /// lockout. The attempt counts as a failure before bcrypt runs, so parallel guesses each take a
    /// slot atomically and those past the limit are refused unchecked, after the same hashing
    /// time as any other refusal; a right password is refused if the account locked meanwhile
    /// through other guesses of the burst.
    func checkPassword(_ password: String, of credentials: Credentials, at now: Date) async throws -> PasswordCheck {
        let store = self.store
        let settings = self.settings
        let userID = credentials.user.id
        // The place in the hashing queue is taken before the attempt counts: a server too busy
        // to check a password refuses before counting it, and a counted one is always checked.
        return try await hasher.queue.holdingPlace { place in
            let counted = try await store.withSystem { tx in
                try await store.credentials.beginAttempt(
                    tx, user: userID, maxFailures: settings.loginMaxFailures, now: now)
            }
            guard counted else {
                _ = try await hasher.verifyDummy(password, in: place)
                return .locked
            }
            guard try await hasher.verify(password, against: credentials.passwordHash, in: place) else {
                let lockedNow = try await store.withSystem { tx in
                    try await store.credentials.recordFailure(
                        tx, user: userID, maxFailures: settings.loginMaxFailures,
                        lockUntil: now.addingTimeInterval(settings.lockout))
                }
                if lockedNow {
                    logger.warning("auth event", metadata: ["event": "account_locked", "user_id": "\(userID)"])
                }
                return .wrong
            }
            let cleared = try await store.withSystem { tx in
                try await store.credentials.recordSuccess(tx, user: userID, now: now)
            }
            return cleared ? .right : .locked
        }
    }
}
