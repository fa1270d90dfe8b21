import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Organizations and their settings. Every change writes the audit log in its transaction.
public struct OrganizationService: Sendable {
    let store: Store
    let limiter: RateLimiter
    let limits: RateLimits
    let clock: AppClock
    let ids: IDGenerator
    let logger: Logger

    /// Settings as a request (JSON or form) gives them; nil keeps the current value (PATCH).
    public struct SettingsInput: Sendable, Decodable {
        public var name: String?
        public var kind: String?
        public var currency: String?
        public var timeZone: String?
        public var weekStart: String?
        /// The claim policy's amount; given empty (or JSON null) it lifts the rule.
        public var receiptRequiredAbove: String?
        /// Whether the request states the policy at all (absent keeps it, as every setting).
        public var statesReceiptRule: Bool
        /// Amounts as a person types them ("1,250.00", "$25"): the pages; the API takes plain decimals.
        public var amountsAsTyped = false
        /// Whether every member must sign in with a second factor (owners only); absent keeps it.
        public var requireSecondFactor: Bool?

        public init(
            name: String? = nil, kind: String? = nil, currency: String? = nil, timeZone: String? = nil,
            weekStart: String? = nil, receiptRequiredAbove: String?? = .none
        ) {
            self.name = name
            self.kind = kind
            self.currency = currency
            self.timeZone = timeZone
            self.weekStart = weekStart
            self.receiptRequiredAbove = receiptRequiredAbove ?? nil
            self.statesReceiptRule = receiptRequiredAbove != nil
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            kind = try container.decodeIfPresent(String.self, forKey: .kind)
            currency = try container.decodeIfPresent(String.self, forKey: .currency)
            timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
            weekStart = try container.decodeIfPresent(String.self, forKey: .weekStart)
            statesReceiptRule = container.contains(.receiptRequiredAbove)
            receiptRequiredAbove = try container.decodeIfPresent(String.self, forKey: .receiptRequiredAbove)
            requireSecondFactor = try container.decodeIfPresent(Bool.self, forKey: .requireSecondFactor)
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, currency
            case timeZone = "timezone"
            case weekStart = "week_start"
            case receiptRequiredAbove = "receipt_required_above"
            case requireSecondFactor = "require_second_factor"
        }
    }

    /// Creates an organization; the creator is its owner.
    public func create(_ input: SettingsInput, by user: User) async throws -> Organization {
        let settings = try validating { try Self.settings(from: input, defaults: nil) }
        let now = clock.now()
        let store = self.store
        let limiter = self.limiter
        let limit = self.limits.organizationsPerAccount
        let organization = try await store.withTenant(ids() as OrganizationID, actor: user.id) { tx in
            // Counted with the creation itself: a refused one leaves the count as it was.
            try await limiter.check(limit, key: user.id.description, in: tx)
            var organization = try await store.organizations.create(tx, settings, at: now)
            _ = try await store.memberships.add(tx, user: user.id, role: .owner, at: now)
            if input.requireSecondFactor == true {
                organization = try await Self.requireSecondFactor(true, by: user, in: tx, store: store, at: now)
            }
            try await store.categories.createDefaults(tx, kind: organization.kind, ids: ids, at: now)
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: user.id, actorName: user.name, action: .organizationCreated,
                    subjectType: .organization,
                    subjectID: organization.id.description, details: AuditDetails.after(Self.snapshot(organization)),
                    createdAt: now
                )
            )
            return organization
        }
        logger.info(
            "organization created", metadata: ["organization_id": "\(organization.id)", "user_id": "\(user.id)"])
        return organization
    }

    public func list(for user: User) async throws -> [(Organization, Role)] {
        let store = self.store
        return try await store.withUser(user.id) { tx in try await store.organizations.list(tx, user: user.id) }
    }

    /// Where a person signing in lands: the organization they last worked in (recorded on the
    /// account, whatever the browser; else `remembered` by this browser, for an account with no
    /// record yet), else their only shared organization, else their personal one, else the
    /// first; nil when they belong to none.
    public func landing(for user: User, remembered: OrganizationID?) async throws -> Organization? {
        let store = self.store
        let (list, recorded) = try await store.withUser(user.id) { tx in
            (
                try await store.organizations.list(tx, user: user.id).map(\.0),
                try await store.users.lastOrganization(tx, user: user.id)
            )
        }
        for id in [recorded, remembered].compactMap({ $0 }) {
            if let organization = list.first(where: { $0.id == id }) { return organization }
        }
        let shared = list.filter { $0.kind != .personal }
        if shared.count == 1 { return shared[0] }
        return list.first { $0.kind == .personal } ?? list.first
    }

    /// Records that the caller works in this organization now, so their next sign-in lands here.
    public func recordWorkingIn(_ access: TenantAccess) async throws {
        try await store.users.setLastOrganization(
            access.transaction, user: access.user.id, organization: access.tenantID)
    }

    /// The caller's organizations, read in an organization's request (its transaction names the
    /// caller as its actor, which row security lets see their own memberships).
    public func list(in access: TenantAccess) async throws -> [(Organization, Role)] {
        try await store.organizations.list(access.transaction, user: access.user.id)
    }

    /// Changes the settings given; the others stay as they are.
    public func update(_ access: TenantAccess, _ input: SettingsInput) async throws -> Organization {
        try access.require(.changeSettings)
        let settings = try validating { try Self.settings(from: input, defaults: access.organization) }
        let now = clock.now()
        let store = self.store
        let before = access.organization
        let updated = try await access.inTransaction { tx -> Organization in
            // Stored base amounts, rates and budgets are in the organization's currency: once
            // there are any, it stays (nothing ever converts them again).
            if settings.currency != before.currency {
                let hasExpenses = try await store.expenses.any(tx)
                let hasRates = try await store.rates.any(tx)
                let hasBudgets = try await store.budgets.any(tx)
                if hasExpenses || hasRates || hasBudgets { throw AppError.conflict(Self.currencyStays) }
            }
            guard var updated = try await store.organizations.update(tx, settings, at: now) else {
                throw AppError.notFound
            }
            if let required = input.requireSecondFactor, required != before.requireSecondFactor {
                try access.require(.requireSecondFactor)
                updated = try await Self.requireSecondFactor(required, by: access.user, in: tx, store: store, at: now)
            }
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .organizationUpdated,
                    subjectType: .organization, subjectID: updated.id.description,
                    details: AuditDetails.change(before: Self.snapshot(before), after: Self.snapshot(updated)),
                    createdAt: now
                )
            )
            return updated
        }
        return updated
    }

    static let currencyStays =
        "The organization's currency cannot change once it has expenses, exchange rates or budgets: their amounts "
        + "in it were converted once and stay as they are."

    /// Deletes the organization (owners only). When `confirmName` is given it must match.
    public func delete(_ access: TenantAccess, confirmName: String?) async throws {
        try access.require(.deleteOrganization)
        if access.organization.kind == .personal {
            throw AppError.conflict(
                "Your personal organization stays with your account; delete the others you own instead.")
        }
        if let confirmName, confirmName.trimmingCharacters(in: .whitespaces) != access.organization.name {
            throw AppError.validation(.init("confirm_name", "Type the organization's name exactly to confirm."))
        }
        let now = clock.now()
        let store = self.store
        try await access.inTransaction { tx in
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .organizationDeleted,
                    subjectType: .organization, subjectID: access.tenantID.description,
                    details: AuditDetails.before(Self.snapshot(access.organization)), createdAt: now
                )
            )
            try await store.organizations.softDelete(tx, at: now)
            // Nothing more goes out about a deleted organization: its endpoints go, and with them
            // the deliveries still queued.
            try await store.webhooks.deleteAll(tx)
        }
        logger.info(
            "organization deleted", metadata: ["organization_id": "\(access.tenantID)", "user_id": "\(access.user.id)"])
    }

    /// Makes another member an owner and the caller an admin (owners only).
    public func transferOwnership(_ access: TenantAccess, to userID: UserID) async throws {
        try access.require(.transferOwnership)
        guard userID != access.user.id else { throw AppError.conflict("You already own this organization.") }
        let now = clock.now()
        let store = self.store
        try await access.inTransaction { tx in
            // The organization exists; the person named is not in it: a bad field, not a missing page.
            guard let target = try await store.memberships.find(tx, user: userID) else {
                throw AppError.validation(ValidationError("user_id", "Choose a member of this organization."))
            }
            _ = try await store.memberships.countOwners(tx)  // locks the owner rows
            try await store.memberships.changeRole(tx, user: userID, to: .owner, at: now)
            try await store.memberships.changeRole(tx, user: access.user.id, to: .admin, at: now)
            try await store.audit.append(
                tx,
                AuditEntry(
                    id: ids.uuid(), actorID: access.user.id, actorName: access.user.name, action: .ownershipTransferred,
                    subjectType: .member, subjectID: userID.description,
                    details: AuditDetails.change(before: ["role": target.role.rawValue], after: ["role": "owner"]),
                    createdAt: now
                )
            )
        }
    }

    /// The log, newest first (owners and admins).
    public func auditLog(_ access: TenantAccess, limit: Int = 200) async throws -> [AuditEntry] {
        try access.require(.viewAuditLog)
        let store = self.store
        return try await access.inTransaction { tx in
            try await store.audit.list(tx, limit: limit)
        }
    }

    /// The names the audit log's entries refer to by id: the people (members or not any more)
    /// and the organization's categories.
    public func auditNames(_ access: TenantAccess, for entries: [AuditEntry]) async throws -> AuditNames {
        try access.require(.viewAuditLog)
        let people = Set(
            entries.compactMap { $0.subjectType == .member ? $0.subjectID.flatMap(UserID.init(uuidString:)) : nil })
        let store = self.store
        return try await access.inTransaction { tx in
            AuditNames(
                people: try await store.expenses.authorNames(tx, ids: Array(people).sorted()),
                categories: Dictionary(
                    try await store.categories.list(tx).map { ($0.id, $0.name) },
                    uniquingKeysWith: { first, _ in first })
            )
        }
    }

    static func settings(from input: SettingsInput, defaults: Organization?) throws
        -> OrganizationRepository.NewOrganization
    {
        var validator = Validator()
        let name = try validator.check { try DisplayName.validate(input.name ?? defaults?.name ?? "") }
        let kind = try validator.check { () throws -> OrganizationKind in
            let raw = input.kind ?? defaults?.kind.rawValue ?? OrganizationKind.business.rawValue
            guard let kind = OrganizationKind(rawValue: raw) else {
                throw ValidationError("kind", "Choose business, cooperative, agency, school or personal.")
            }
            return kind
        }
        // A setting left out keeps the organization's (a new one must name both).
        let currency = try validator.check {
            try input.currency.map { try Currency(code: $0) } ?? defaults?.currency ?? Currency(code: "")
        }
        let timeZone = try validator.check {
            try input.timeZone.map { try TimeZoneName.parse($0) } ?? defaults?.timeZone ?? TimeZoneName.parse("")
        }
        let weekStart = try validator.check { () throws -> Weekday in
            if let raw = input.weekStart {
                guard let day = Weekday(name: raw) else {
                    throw ValidationError("week_start", "Choose a day of the week, such as monday or sunday.")
                }
                return day
            }
            return defaults?.weekStart ?? .monday
        }
        let threshold = try validator.check { () throws -> Int64? in
            guard let currency else { return nil }  // the currency's own error says why
            return try receiptRule(from: input, currency: currency, defaults: defaults)
        }
        try validator.finish()
        return .init(
            name: name!, kind: kind!, currency: currency!, timeZone: timeZone!, weekStart: weekStart!,
            receiptRequiredAbove: threshold ?? nil)
    }

    /// The receipt threshold in minor units of `currency`: as given, else the organization's
    /// own restated in the new currency's decimals (refused when that would change its value).
    static func receiptRule(from input: SettingsInput, currency: Currency, defaults: Organization?) throws -> Int64? {
        let field = "receipt_required_above"
        guard input.statesReceiptRule else {
            guard let old = defaults?.receiptThreshold else { return nil }
            let decimals = currency.exponent - old.currency.exponent
            if decimals >= 0 {
                let scale = (0..<decimals).reduce(Int64(1)) { value, _ in value * 10 }
                let (scaled, overflow) = old.minorUnits.multipliedReportingOverflow(by: scale)
                if !overflow, scaled <= Money.maximumMinorUnits { return scaled }
            } else {
                let scale = (0..<(-decimals)).reduce(Int64(1)) { value, _ in value * 10 }
                if old.minorUnits % scale == 0 { return old.minorUnits / scale }
            }
            throw ValidationError(field, "State the receipt threshold again in \(currency.code).")
        }
        let raw = (input.receiptRequiredAbove ?? "").trimmingCharacters(in: .whitespaces)
        if raw.isEmpty { return nil }
        let amount =
            input.amountsAsTyped
            ? try AmountEntry.money(typed: raw, currency: currency, field: field)
            : try Money(parsing: raw, currency: currency, field: field)
        guard amount.minorUnits >= 0 else {
            throw ValidationError(field, "Give zero or more; leave it empty for no receipt rule.")
        }
        return amount.minorUnits
    }

    static func snapshot(_ organization: Organization) -> [String: String] {
        var snapshot = [
            "name": organization.name, "kind": organization.kind.rawValue, "currency": organization.currency.code,
            "timezone": organization.timeZone.name, "week_start": organization.weekStart.name,
        ]
        snapshot["receipt_required_above"] = organization.receiptThreshold?.decimalString
        snapshot["require_second_factor"] = organization.requireSecondFactor ? "yes" : nil
        return snapshot
    }
}
