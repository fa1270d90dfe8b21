import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// Writes realistic organizations and expenses fast, for development and benchmarks
/// (`expense-tracker dev seed`). Rows go in with multi-row INSERTs of `batchSize`, one
/// transaction per batch, without audit entries: this is generated data, not anyone's change.
public struct DataSeeder: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let ids: IDGenerator
    let logger: Logger

    public struct Options: Sendable {
        public var organizations: Int
        public var expensesPerOrganization: Int
        public var ownerEmail: String
        public var password: String
        public var batchSize = 1000
        /// Batches written at once on PostgreSQL.
        public var parallelism = 4
        /// Extra members per organization, so reports by member have something to show.
        public var members = 4
        public var seed: UInt64 = 2026

        public init(organizations: Int, expensesPerOrganization: Int, ownerEmail: String, password: String) {
            self.organizations = organizations
            self.expensesPerOrganization = expensesPerOrganization
            self.ownerEmail = ownerEmail
            self.password = password
        }
    }

    public struct Result: Sendable {
        public var ownerID: UserID
        public var organizations: [OrganizationID]
        public var expenses: Int
        public var seconds: Double
    }

    public init(store: Store, hasher: PasswordHasher, ids: IDGenerator, logger: Logger) {
        self.store = store
        self.hasher = hasher
        self.ids = ids
        self.logger = logger
    }

    public func seed(_ options: Options) async throws -> Result {
        let started = ContinuousClock.now
        let email = try EmailAddress(options.ownerEmail).value
        let now = Date()
        let hash = try await hasher.hash(options.password)
        let store = self.store
        var random = SeedRandom(seed: options.seed)
        let suffix = String(UInt32.random(in: 100_000...999_999))
        // The owner: reused when the address has an account (its password stays as it is).
        let owner = try await store.withSystem { tx -> UserID in
            if let user = try await store.users.find(tx, email: email) { return user.id }
            let user = try await store.users.create(
                tx, id: ids(), email: email, name: "Seed Owner", passwordHash: hash, at: now)
            try await store.credentials.markEmailVerified(tx, user: user.id, at: now)
            return user.id
        }
        let helpers = try await store.withSystem { tx in
            var helpers: [UserID] = []
            for index in 0..<options.members {
                let user = try await store.users.create(
                    tx, id: ids(), email: "seed-\(suffix)-\(index)@example.invalid",
                    name: Self.people[index % Self.people.count], passwordHash: hash, at: now)
                helpers.append(user.id)
            }
            return helpers
        }
        let today = CalendarDate(now, in: .gmt)
        let currencies = (try Currency(code: "EUR"), try Currency(code: "USD"))
        var organizations: [OrganizationID] = []
        var total = 0
        for number in 0..<options.organizations {
            let id: OrganizationID = ids()
            let categories = try await store.withTenant(id, actor: owner) { tx -> [CategoryID] in
                _ = try await store.organizations.create(
                    tx,
                    .init(
                        name: "Seeded \(number + 1) (\(suffix))", kind: .business, currency: currencies.0,
                        timeZone: try TimeZoneName.parse("Europe/Lisbon"),
                        weekStart: .monday),
                    at: now)
                _ = try await store.memberships.add(tx, user: owner, role: .owner, at: now)
                for helper in helpers { _ = try await store.memberships.add(tx, user: helper, role: .member, at: now) }
                try await store.categories.createDefaults(tx, kind: .business, ids: ids, at: now)
                return try await store.categories.list(tx).map(\.id)
            }
            organizations.append(id)
            let authors = [owner] + helpers
            let batches = (options.expensesPerOrganization + options.batchSize - 1) / options.batchSize
            // Several batches at once on PostgreSQL (each on its own pooled connection); SQLite
            // has one connection, so one at a time.
            let parallel = store.database.dialect == .postgres ? options.parallelism : 1
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<batches {
                    if batch >= parallel { try await group.next() }
                    let count = min(options.batchSize, options.expensesPerOrganization - batch * options.batchSize)
                    var generator = SeedRandom(seed: random.next())
                    let rows = try (0..<count).map { _ in
                        try Self.row(
                            random: &generator, today: today, authors: authors, categories: categories,
                            currencies: currencies)
                    }
                    group.addTask {
                        try await store.withTenant(id, actor: owner) { tx in
                            try await store.expenses.insertMany(tx, rows, ids: ids, at: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            total += options.expensesPerOrganization
            try await store.withTenant(id, actor: owner) { tx in try await store.expenses.analyze(tx) }
            logger.info(
                "organization seeded",
                metadata: ["organization_id": "\(id)", "expenses": "\(options.expensesPerOrganization)"])
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(ownerID: owner, organizations: organizations, expenses: total, seconds: seconds)
    }

    /// One expense: the last two years, mostly small amounts in EUR, a few in other currencies.
    static func row(
        random: inout SeedRandom, today: CalendarDate, authors: [UserID], categories: [CategoryID],
        currencies: (main: Currency, other: Currency)
    ) throws -> ExpenseRepository.Row {
        let (merchant, category) = merchants[Int(random.next() % UInt64(merchants.count))]
        let currency = random.next() % 20 == 0 ? currencies.other : currencies.main
        // Skewed like receipts are: most under 100, a long tail up to 5,000.
        let roll = random.next() % 100
        let cents: Int64 =
            roll < 70
            ? Int64(random.next() % 10_000) + 100
            : roll < 97
                ? Int64(random.next() % 90_000) + 10_000
                : Int64(random.next() % 500_000) + 100_000
        let categoryID =
            categories.isEmpty ? nil : categories[(category + Int(random.next() % 2)) % categories.count]
        guard let amount = Money(minorUnits: cents, currency: currency) else {
            throw ValidationError("amount", "Generated amount out of range.")
        }
        return ExpenseRepository.Row(
            memberID: authors[Int(random.next() % UInt64(authors.count))],
            categoryID: random.next() % 10 == 0 ? nil : categoryID,
            amount: amount,
            date: today.adding(days: -Int(random.next() % 730)),
            merchant: merchant,
            note: random.next() % 5 == 0 ? notes[Int(random.next() % UInt64(notes.count))] : "",
            tags: random.next() % 8 == 0 ? [tags[Int(random.next() % UInt64(tags.count))]] : [])
    }

    static let people = ["Ana Silva", "Bruno Costa", "Chen Wei", "Dara O'Neill", "Emma Müller", "Farid Haddad"]
    static let merchants: [(String, Int)] = [
        ("Lisbon Metro", 0), ("TAP Air Portugal", 0), ("Uber", 0), ("Hotel Avenida", 0), ("Café Central", 1),
        ("Pastelaria Alfama", 1), ("Pingo Doce", 1), ("Staples", 2), ("IKEA", 2), ("GitHub", 3), ("AWS", 3),
        ("Figma", 3), ("EDP Energia", 4), ("Vodafone", 4), ("Post office", 5), ("Bank fees", 5),
    ]
    static let notes = ["Client visit", "Team lunch", "Quarterly renewal", "Receipt in the shared drive", "Conference"]
    static let tags = ["client-a", "client-b", "conference", "q-review", "reimbursable"]
}

/// SplitMix64: fast, reproducible, good enough for made-up receipts (not for secrets).
struct SeedRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
