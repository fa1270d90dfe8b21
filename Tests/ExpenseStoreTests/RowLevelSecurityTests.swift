import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// PostgreSQL enforces tenant isolation itself, even for a query that forgot its WHERE clause.
/// These run as the test cluster's ordinary owner role: not superuser, no BYPASSRLS, owner of
/// every table (FORCE binds owners too).
@Suite(.enabled(if: TestBackend.available.contains(.postgres)))
struct RowLevelSecurityTests {
    typealias World = RepositoryContractTests.World

    func withWorld(maxConnections: Int = 8, _ body: @Sendable (Store, World) async throws -> Void) async throws {
        try await withMigratedDatabase(.postgres, maxConnections: maxConnections) { database in
            let store = Store(database: database)
            try await body(store, try await RepositoryContractTests.seed(store))
        }
    }

    @Test func everyTenantTableHasForcedRowLevelSecurityAndAPolicy() async throws {
        try await withMigratedDatabase(.postgres) { database in
            let rows = try await database.transaction(.system) { tx in
                try await tx.query(
                    """
                    SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                           (SELECT COUNT(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                      AND (c.relname = 'organizations' OR EXISTS (
                          SELECT 1 FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
                    ORDER BY c.relname
                    """
                )
            }
            let names = try rows.map { try $0.decode("name", as: String.self) }
            #expect(["memberships", "invitations", "organizations", "audit_log"].allSatisfy(names.contains))
            for row in rows {
                let name: String = try row.decode("name")
                #expect(try row.decode("enabled", as: Bool.self), "\(name): row-level security not enabled")
                #expect(try row.decode("forced", as: Bool.self), "\(name): row-level security not forced")
                #expect(try row.decode("policies", as: Int.self) > 0, "\(name): no policy")
            }
        }
    }

    @Test func withoutATenantSettingQueriesSeeNothing() async throws {
        try await withWorld { store, _ in
            let counts = try await store.database.transaction(.system) { tx in
                (
                    try await tx.first("SELECT COUNT(*) AS n FROM memberships")!.decode("n", as: Int.self),
                    try await tx.first("SELECT COUNT(*) AS n FROM organizations")!.decode("n", as: Int.self),
                    try await tx.first("SELECT COUNT(*) AS n FROM invitations")!.decode("n", as: Int.self),
                    try await tx.first("SELECT COUNT(*) AS n FROM audit_log")!.decode("n", as: Int.self)
                )
            }
            #expect(counts == (0, 0, 0, 0))
        }
    }

    @Test func aTenantTransactionReadsOnlyItsOwnRowsEvenWithoutAWhereClause() async throws {
        try await withWorld { store, world in
            let (tenants, orgs) = try await store.database.transaction(.tenant(world.orgA.id, actor: nil)) { tx in
                (
                    try await tx.query("SELECT DISTINCT tenant_id FROM memberships").map {
                        try $0.decode("tenant_id", as: OrganizationID.self)
                    },
                    try await tx.query("SELECT id FROM organizations").map {
                        try $0.decode("id", as: OrganizationID.self)
                    }
                )
            }
            #expect(tenants == [world.orgA.id])
            #expect(orgs == [world.orgA.id])
        }
    }

    @Test func aTenantTransactionCannotWriteAnotherTenantsRows() async throws {
        try await withWorld { store, world in
            // Insert into B from A's transaction: refused by the policy's WITH CHECK.
            await #expect(throws: StoreError.rowSecurityViolation) {
                try await store.database.transaction(.tenant(world.orgA.id, actor: nil)) { tx in
                    try await tx.execute(
                        """
                        INSERT INTO memberships (tenant_id, user_id, role, created_at, updated_at)
                        VALUES (\(world.orgB.id), \(world.alice.id), 'owner', now(), now())
                        """
                    )
                }
            }
            // Update and delete aimed at B from A's transaction touch nothing.
            let touched = try await store.database.transaction(.tenant(world.orgA.id, actor: nil)) { tx in
                let updated = try await tx.query(
                    "UPDATE memberships SET role = 'viewer' WHERE tenant_id = \(world.orgB.id) RETURNING user_id"
                ).count
                let renamed = try await tx.query(
                    "UPDATE organizations SET name = 'Taken' WHERE id = \(world.orgB.id) RETURNING id"
                ).count
                let deleted = try await tx.query(
                    "DELETE FROM memberships WHERE tenant_id = \(world.orgB.id) RETURNING user_id"
                ).count
                return updated + renamed + deleted
            }
            #expect(touched == 0)
            // Moving A's row into B is refused as well.
            await #expect(throws: StoreError.rowSecurityViolation) {
                try await store.database.transaction(.tenant(world.orgA.id, actor: nil)) { tx in
                    try await tx.execute(
                        "UPDATE memberships SET tenant_id = \(world.orgB.id) WHERE tenant_id = \(world.orgA.id)")
                }
            }
            let bob = try await store.withTenant(world.orgB.id) { tx in
                try await store.memberships.find(tx, user: world.bob.id)
            }
            #expect(bob?.role == .owner)
            let orgB = try await store.withTenant(world.orgB.id) { tx in try await store.organizations.find(tx) }
            #expect(orgB?.name == "Beta Agency")
        }
    }

    @Test func aPooledConnectionReusedAfterATenantTransactionSeesNothing() async throws {
        // One connection in the pool: the second transaction must run on the first one's connection.
        try await withWorld(maxConnections: 1) { store, world in
            let seenInA = try await store.database.transaction(.tenant(world.orgA.id, actor: nil)) { tx in
                try await tx.first("SELECT COUNT(*) AS n FROM memberships")!.decode("n", as: Int.self)
            }
            #expect(seenInA == 2)
            let (seenAfter, setting, backend) = try await store.database.transaction(.system) { tx in
                (
                    try await tx.first("SELECT COUNT(*) AS n FROM memberships")!.decode("n", as: Int.self),
                    try await tx.first("SELECT COALESCE(current_setting('app.tenant_id', true), '') AS s")!.decode(
                        "s", as: String.self),
                    try await tx.first("SELECT pg_backend_pid() AS pid")!.decode("pid", as: Int.self)
                )
            }
            #expect(seenAfter == 0)
            #expect(setting == "")
            // And a plain query outside any scoped transaction on the same connection sees nothing either.
            let (plain, samePID) = try await store.database.transaction(.system) { tx in
                (
                    try await tx.first("SELECT COUNT(*) AS n FROM organizations")!.decode("n", as: Int.self),
                    try await tx.first("SELECT pg_backend_pid() AS pid")!.decode("pid", as: Int.self)
                )
            }
            #expect(plain == 0)
            #expect(samePID == backend)
        }
    }

    @Test func aUserSeesTheirOwnMembershipsAcrossTenantsAndNobodyElses() async throws {
        try await withWorld { store, world in
            let (memberships, orgs) = try await store.database.transaction(.user(world.shared.id)) { tx in
                (
                    try await tx.query("SELECT tenant_id, user_id FROM memberships").map {
                        (try $0.decode("tenant_id", as: OrganizationID.self), try $0.decode("user_id", as: UserID.self))
                    },
                    try await tx.query("SELECT id FROM organizations ORDER BY name").map {
                        try $0.decode("id", as: OrganizationID.self)
                    }
                )
            }
            #expect(memberships.allSatisfy { $0.1 == world.shared.id })
            #expect(Set(memberships.map(\.0)) == [world.orgA.id, world.orgB.id])
            #expect(orgs == [world.orgA.id, world.orgB.id])
            // The user scope grants reading only: no writes into a tenant through it.
            await #expect(throws: StoreError.rowSecurityViolation) {
                try await store.database.transaction(.user(world.shared.id)) { tx in
                    try await tx.execute(
                        """
                        INSERT INTO memberships (tenant_id, user_id, role, created_at, updated_at)
                        VALUES (\(world.orgA.id), \(world.bob.id), 'owner', now(), now())
                        """
                    )
                }
            }
            let renamed = try await store.database.transaction(.user(world.shared.id)) { tx in
                try await tx.query("UPDATE organizations SET name = 'Mine' RETURNING id").count
            }
            #expect(renamed == 0)
        }
    }

    @Test func anInvitationTokenRevealsThatInvitationAndNothingElse() async throws {
        try await withWorld { store, world in
            let tokenHash = String(repeating: "ab", count: 32)
            for (org, hash) in [(world.orgA.id, tokenHash), (world.orgB.id, String(repeating: "cd", count: 32))] {
                try await store.database.transaction(.tenant(org, actor: nil)) { tx in
                    try await tx.execute(
                        """
                        INSERT INTO invitations (tenant_id, id, email, role, token_hash, expires_at, created_at)
                        VALUES (\(org), \(UUID()), 'new@example.com', 'member', \(hash), now() + interval '7 days', now())
                        """
                    )
                }
            }
            let (invitations, orgNames, members) = try await store.database.transaction(
                .invitation(tokenHash: tokenHash)
            ) { tx in
                (
                    try await tx.query("SELECT tenant_id FROM invitations").map {
                        try $0.decode("tenant_id", as: OrganizationID.self)
                    },
                    try await tx.query("SELECT name FROM organizations").map { try $0.decode("name", as: String.self) },
                    try await tx.first("SELECT COUNT(*) AS n FROM memberships")!.decode("n", as: Int.self)
                )
            }
            #expect(invitations == [world.orgA.id])
            #expect(orgNames == ["Alpha Co-op"])
            #expect(members == 0)
            let wrong = try await store.database.transaction(.invitation(tokenHash: "00")) { tx in
                try await tx.first("SELECT COUNT(*) AS n FROM invitations")!.decode("n", as: Int.self)
            }
            #expect(wrong == 0)
        }
    }

    @Test func theOwnerRoleIsAcceptedAndASuperuserIsRefused() async throws {
        try await withMigratedDatabase(.postgres) { database in
            let role = try #require(try await database.connectedRole())
            #expect(role.isBoundByRowSecurity)
            try await DatabasePreflight(database: database, logger: TestDatabases.logger).checkRole()
        }
        let superuserURL = try #require(TestDatabases.postgresSuperuserURL, "TEST_SUPERUSER_URL is not set")
        let superuser = try await TestDatabases.open(url: superuserURL)
        try await withRunning(superuser) { database in
            let role = try #require(try await database.connectedRole())
            #expect(role.isSuperuser)
            await #expect {
                try await DatabasePreflight(database: database, logger: TestDatabases.logger).checkRole()
            } throws: { error in
                guard case StoreError.unsafeDatabaseRole(let message) = error else { return false }
                return message.contains("superuser") && message.contains("CREATE ROLE")
            }
        }
    }
}
