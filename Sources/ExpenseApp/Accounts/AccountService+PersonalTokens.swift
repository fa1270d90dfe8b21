import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// What a personal access token is asked for: its name, what it may do, where, and until when.
public struct PersonalTokenRequest: Sendable {
    public var name: String
    /// `read` and `write`; `write` includes reading.
    public var scopes: [String]
    public var organizationID: String?
    public var expiresAt: Date?

    public init(name: String, scopes: [String], organizationID: String? = nil, expiresAt: Date? = nil) {
        self.name = name
        self.scopes = scopes
        self.organizationID = organizationID
        self.expiresAt = expiresAt
    }
}

extension AccountService {
    /// A token without an expiry lasts this long; none may last longer than `personalTokenMaxLifetime`.
    static let personalTokenDefaultLifetime: TimeInterval = 90 * 86_400
    static let personalTokenMaxLifetime: TimeInterval = 366 * 86_400
    /// Personal tokens one account may hold at once (a leaked integration account cannot mint
    /// an unbounded number).
    static let personalTokenLimit = 50

    /// Creates a personal access token for an integration and returns its secret, shown once.
    /// Only a person signed in with their password makes one: a personal token cannot make
    /// another (`insufficientScope`). An organization it is limited to must be one of the
    /// user's (else the field is refused, as for an organization that does not exist).
    public func createPersonalToken(_ request: PersonalTokenRequest, by identity: AccountIdentity) async throws
        -> (token: String, record: APIToken)
    {
        try identity.requireSignInCredential()
        let now = clock.now()
        var validator = Validator()
        let name = try validator.check { try DisplayName.validate(request.name) } ?? ""
        let scopes = Set(request.scopes)
        if scopes.isEmpty || !scopes.isSubset(of: ["read", "write"]) {
            validator.add("scopes", "Choose the scopes read, or read and write.")
        }
        let expiresAt = request.expiresAt ?? now.addingTimeInterval(Self.personalTokenDefaultLifetime)
        if expiresAt <= now.addingTimeInterval(60) || expiresAt > now.addingTimeInterval(Self.personalTokenMaxLifetime)
        {
            validator.add("expires_at", "Choose an expiry in the future and at most 366 days away.")
        }
        var organization: OrganizationID?
        if let raw = request.organizationID {
            organization = OrganizationID(uuidString: raw)
            if organization == nil { validator.add("organization_id", "No organization of yours has this id.") }
        }
        if let organization, try await !isMember(identity.user.id, of: organization) {
            validator.add("organization_id", "No organization of yours has this id.")
        }
        try validating { try validator.finish() }

        let token = tokens()
        let record = APIToken(
            id: ids.uuid(), userID: identity.user.id, name: name, createdAt: now, lastUsedAt: now,
            expiresAt: expiresAt, kind: .personal, canWrite: scopes.contains("write"), organizationID: organization)
        let store = self.store
        try await store.withSystem { tx in
            guard try await store.apiTokens.personalCount(tx, user: record.userID, now: now) < Self.personalTokenLimit
            else {
                throw AppError.conflict(
                    "You hold \(Self.personalTokenLimit) personal access tokens, the most an account may: revoke one first."
                )
            }
            try await store.apiTokens.create(tx, record, hash: SecretToken.hash(token))
        }
        logger.info(
            "auth event",
            metadata: [
                "event": "personal_token_created", "user_id": "\(record.userID)", "token_id": "\(record.id)",
                "write": "\(record.canWrite)",
            ])
        return (token, record)
    }

    private func isMember(_ user: UserID, of organization: OrganizationID) async throws -> Bool {
        let store = self.store
        return try await store.withTenant(organization, actor: user) { tx in
            try await store.organizations.findWithRole(tx, user: user, lockingMembership: false) != nil
        }
    }
}

extension AccountIdentity {
    /// The personal access token the request came with, if it came with one.
    public var personalToken: APIToken? {
        if case .apiToken(let token) = credential, token.kind == .personal { return token }
        return nil
    }

    /// The one organization the request's token is limited to, if it is.
    public var limitedOrganization: OrganizationID? { personalToken?.organizationID }

    /// Throws `insufficientScope` for a personal access token: credentials (passwords, tokens,
    /// two-factor sign-in) are managed only by a person who signed in.
    public func requireSignInCredential() throws {
        guard personalToken == nil else {
            throw AppError.insufficientScope(
                "A personal access token cannot manage passwords, tokens or two-factor sign-in: sign in to do this.")
        }
    }

    /// Throws `insufficientScope` when the request writes (any method but GET and HEAD) and the
    /// token may only read.
    func requireScope(forWrite isWrite: Bool) throws {
        guard isWrite, let token = personalToken, !token.canWrite else { return }
        throw AppError.insufficientScope(
            "This token may only read: create a token with the write scope to change data.")
    }
}
