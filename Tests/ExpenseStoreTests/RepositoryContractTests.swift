import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// The same cases against SQLite and PostgreSQL: both stores keep one contract.
@Suite struct RepositoryContractTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    /// Two tenants, each with its own owner; `shared` belongs to both.
    struct World: Sendable {
        var alice: User
        var bob: User
        var shared: User
        var orgA: Organization
        var orgB: Organization
    }

    static func seed(_ store: Store) async throws -> World {
        let (alice, bob, shared) = try await store.withSystem { tx in
            (
                try await store.users.create(
                    tx, id: UserID(), email: "alice@example.com", name: "Alice", passwordHash: "x", at: now),
                try await store.users.create(
                    tx, id: UserID(), email: "bob@example.com", name: "Bob", passwordHash: "x", at: now),
                try await store.users.create(
                    tx, id: UserID(), email: "sam@example.com", name: "Sam", passwordHash: "x", at: now)
            )
        }
        func organization(_ name: String, owner: User) async throws -> Organization {
            try await store.withTenant(OrganizationID(), actor: owner.id) { tx in
                let org = try await store.organizations.create(
                    tx,
                    .init(
                        name: name, kind: .cooperative, currency: try Currency(code: "EUR"),
                        timeZone: try TimeZoneName.parse("Europe/Lisbon"),
                        weekStart: .monday),
                    at: now
                )
                _ = try await store.memberships.add(tx, user: owner.id, role: .owner, at: now)
                _ = try await store.memberships.add(tx, user: shared.id, role: .viewer, at: now)
                return org
            }
        }
        let orgA = try await organization("Alpha Co-op", owner: alice)
        let orgB = try await organization("Beta Agency", owner: bob)
        return World(alice: alice, bob: bob, shared: shared, orgA: orgA, orgB: orgB)
    }

    @Test(arguments: TestBackend.available)
    func usersAreFoundByIdAndNormalizedEmailAndEmailsAreUnique(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await Self.seed(store)
            let found = try await store.withSystem { tx in
                (
                    try await store.users.find(tx, id: world.alice.id),
                    try await store.users.find(tx, email: "bob@example.com")
                )
            }
            #expect(found.0 == world.alice)
            #expect(found.1 == world.bob)
            await #expect(throws: StoreError.self) {
                try await store.withSystem { tx in
                    try await store.users.create(
                        tx, id: UserID(), email: "alice@example.com", name: "Again", passwordHash: "x", at: Self.now)
                }
            }
            // A non-normalized email is refused by the schema itself.
            await #expect(throws: StoreError.self) {
                try await store.withSystem { tx in
                    try await store.users.create(
                        tx, id: UserID(), email: " Carol@Example.com", name: "Carol", passwordHash: "x", at: Self.now)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func organizationsAndMembershipsStayInTheirTenant(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await Self.seed(store)

            let (orgA, membersA) = try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx in
                (try await store.organizations.find(tx), try await store.memberships.list(tx))
            }
            #expect(orgA == world.orgA)
            #expect(Set(membersA.map(\.userID)) == [world.alice.id, world.shared.id])
            #expect(membersA.allSatisfy { $0.tenantID == world.orgA.id })

            // Bob is not a member of A: asked from A's transaction, his membership is not there.
            let bobInA = try await store.withTenant(world.orgA.id) { tx in
                try await store.memberships.find(tx, user: world.bob.id)
            }
            #expect(bobInA == nil)
        }
    }

    /// An organization is read with its zone as a `TimeZone`; a zone this build does not know
    /// (written by hand, or by a newer tz database) is an error, never a silent GMT.
    @Test(arguments: TestBackend.available)
    func anUnknownStoredTimeZoneIsAnErrorNotGMT(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await Self.seed(store)
            #expect(world.orgA.timeZone.identifier == "Europe/Lisbon")
            #expect(world.orgA.currency.code == "EUR")
            await #expect(throws: (any Error).self) {
                try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx in
                    try await tx.executor.execute(
                        "UPDATE organizations SET time_zone = 'Mars/Olympus_Mons' WHERE id = \(world.orgA.id)")
                    _ = try await store.organizations.find(tx)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aUserListsExactlyTheOrganizationsTheyBelongTo(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await Self.seed(store)
            let sams = try await store.withUser(world.shared.id) { tx in
                try await store.organizations.list(tx, user: world.shared.id)
            }
            #expect(sams.map(\.0.id) == [world.orgA.id, world.orgB.id])
            #expect(sams.map(\.1) == [.viewer, .viewer])
            let alices = try await store.withUser(world.alice.id) { tx in
                try await store.organizations.list(tx, user: world.alice.id)
            }
            #expect(alices.map(\.0.id) == [world.orgA.id])
            #expect(alices.map(\.1) == [.owner])
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailedTransactionLeavesNothingBehind(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await store.withSystem { tx in
                    _ = try await store.users.create(
                        tx, id: UserID(), email: "gone@example.com", name: "Gone", passwordHash: "x", at: Self.now)
                    throw Abort()
                }
            }
            let user = try await store.withSystem { tx in try await store.users.find(tx, email: "gone@example.com") }
            #expect(user == nil)
        }
    }
}
