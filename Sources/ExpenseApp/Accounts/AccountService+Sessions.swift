import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Who a request acts for, and through which credential.
public struct AccountIdentity: Sendable {
    public enum Credential: Sendable {
        /// A browser session (cookie); its CSRF token guards every form.
        case session(StoredSession)
        /// A bearer token of the JSON API.
        case apiToken(APIToken)
    }

    public var user: User
    public var credential: Credential
}

extension AccountService {
    /// Starts a browser session: a new random id each time, stored only hashed.
    /// Returns the cookie value.
    public func startSession(for user: User) async throws -> (cookie: String, session: StoredSession) {
        let now = clock.now()
        let cookie = tokens()
        let session = StoredSession(
            idHash: SecretToken.hash(cookie),
            userID: user.id,
            csrfToken: tokens(),
            createdAt: now,
            lastSeenAt: now,
            expiresAt: now.addingTimeInterval(settings.sessionMaxAge)
        )
        let store = self.store
        try await store.withSystem { tx in try await store.sessions.create(tx, session) }
        return (cookie, session)
    }

    /// Issues a bearer token for the JSON API, limited like a session (idle and absolute).
    public func issueToken(for user: User, name: String) async throws -> (token: String, record: APIToken) {
        let now = clock.now()
        let token = tokens()
        let record = APIToken(
            id: ids.uuid(),
            userID: user.id,
            name: name,
            createdAt: now,
            lastUsedAt: now,
            expiresAt: now.addingTimeInterval(settings.sessionMaxAge)
        )
        let store = self.store
        try await store.withSystem { tx in try await store.apiTokens.create(tx, record, hash: SecretToken.hash(token)) }
        return (token, record)
    }

    /// The identity behind a session cookie, if the session exists and is within both limits
    /// (idle and absolute). An expired session is deleted.
    public func identity(sessionCookie cookie: String) async throws -> AccountIdentity? {
        guard SecretToken.isWellFormed(cookie) else { return nil }
        let now = clock.now()
        let idleLimit = settings.sessionIdle
        let store = self.store
        // Each statement stands alone (a read, then at most one idempotent write): no transaction.
        return try await store.withoutTransaction { tx -> AccountIdentity? in
            let hash = SecretToken.hash(cookie)
            guard case (var session, let user)? = try await store.sessions.findWithUser(tx, idHash: hash) else {
                return nil
            }
            guard session.expiresAt > now, session.lastSeenAt.addingTimeInterval(idleLimit) > now else {
                try await store.sessions.delete(tx, idHash: hash)
                return nil
            }
            // Writing last_seen_at at most once a minute keeps page views from being writes.
            if now.timeIntervalSince(session.lastSeenAt) >= 60 {
                try await store.sessions.touch(tx, idHash: hash, at: now)
                session.lastSeenAt = now
            }
            return AccountIdentity(user: user, credential: .session(session))
        }
    }

    /// The identity behind a bearer token, if it exists and is within both limits.
    public func identity(bearerToken token: String) async throws -> AccountIdentity? {
        guard SecretToken.isWellFormed(token) else { return nil }
        let store = self.store
        // Each statement stands alone (a read, then at most one idempotent write): no transaction.
        return try await store.withoutTransaction { tx -> AccountIdentity? in
            try await identity(
                bearer: try await store.apiTokens.findWithUser(tx.executor, hash: SecretToken.hash(token)), in: tx)
        }
    }

    /// The identity of a bearer token found (with its user) in `tx`, if within its limits (a
    /// login's token: idle and absolute, like a session; a personal token: its own expiry): an
    /// expired token is revoked, and its last use is written at most once a minute.
    func identity(bearer found: (token: APIToken, user: User)?, in tx: some Transaction) async throws
        -> AccountIdentity?
    {
        guard case (var record, let user)? = found else { return nil }
        let now = clock.now()
        let idle = record.kind == .session && record.lastUsedAt.addingTimeInterval(settings.sessionIdle) <= now
        guard record.expiresAt > now, !idle else {
            _ = try await store.apiTokens.revoke(tx, id: record.id, user: record.userID)
            return nil
        }
        if now.timeIntervalSince(record.lastUsedAt) >= 60 {
            try await store.apiTokens.touch(tx, id: record.id, at: now)
            record.lastUsedAt = now
        }
        return AccountIdentity(user: user, credential: .apiToken(record))
    }

    /// Ends the session or revokes the token the identity came with (logout).
    public func signOut(_ identity: AccountIdentity) async throws {
        let store = self.store
        try await store.withSystem { tx in
            switch identity.credential {
            case .session(let session): try await store.sessions.delete(tx, idHash: session.idHash)
            case .apiToken(let token): _ = try await store.apiTokens.revoke(tx, id: token.id, user: token.userID)
            }
        }
        logger.info("auth event", metadata: ["event": "logout", "user_id": "\(identity.user.id)"])
    }

    public func tokens(of user: UserID) async throws -> [APIToken] {
        let now = clock.now()
        let store = self.store
        return try await store.withSystem { tx in try await store.apiTokens.list(tx, user: user, now: now) }
    }

    /// Revokes one of the user's tokens; `AppError.notFound` when they have no such token.
    public func revokeToken(_ id: UUID, of user: UserID) async throws {
        let store = self.store
        let revoked = try await store.withSystem { tx in try await store.apiTokens.revoke(tx, id: id, user: user) }
        guard revoked else { throw AppError.notFound }
        logger.info("auth event", metadata: ["event": "token_revoked", "user_id": "\(user)"])
    }
}
