import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// The audit log as a hash chain: the documented bytes, a busy log that verifies, and every
/// kind of tampering by someone with the tables' owner's rights (the append-only trigger lifted)
/// named by the first entry it breaks.
@Suite struct AuditChainTests {
    @Test func theHashIsSHA256OfThePreviousHashAndTheDocumentedBytes() {
        // Computed independently (Python's hashlib over the bytes the README describes).
        let link = AuditChain.Link(
            tenantID: "0b0e0c0a-0000-4000-8000-000000000001", seq: 1, id: "0b0e0c0a-0000-4000-8000-0000000000aa",
            actorID: nil, actorName: "Ana Søren", action: "expense.created", subjectType: "expense", subjectID: "e-1",
            details: #"{"after":{"amount":"12.50"}}"#, createdAt: "2026-11-30T00:53:00.123000Z")
        let first = "eff97a883318c81f4ae21fed6f350fd107cb8686fbed2eccbfd8cc18a8bbe792"
        #expect(link.hash(after: AuditChain.genesis) == first)
        #expect(link.hash(after: first) == "134e1069d45adde0910b1fd51d2adf890ca4df18b1cf793c5d4e52743f30a99a")
        #expect(
            AuditChain.timestamp(Date(timeIntervalSince1970: 1_796_000_000.123456)) == "2026-11-30T00:53:20.123456Z")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 1_796_000_000)) == "2026-11-30T00:53:20.000000Z")
    }

    static func entry(_ world: RepositoryContractTests.World, _ n: Int) -> AuditEntry {
        AuditEntry(
            id: UUID(), actorID: world.alice.id, actorName: "Alice \(n)", action: .expenseUpdated,
            subjectType: .expense, subjectID: "e-\(n)",
            details: .change(before: ["n": "\(n)"], after: ["n": "\(n + 1)"]),
            createdAt: Date(timeIntervalSince1970: 1_796_000_000 + Double(n) * 1.000_123))
    }

    @Test(arguments: TestBackend.available)
    func aBusyLogWrittenByConcurrentWritersVerifies(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend, maxConnections: 10) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            let before = try await store.withTenant(world.orgA.id) { tx in try await store.audit.head(tx) }
            // Eight writers at once, two organizations: each organization's writers take turns.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        let org = writer.isMultiple(of: 2) ? world.orgA.id : world.orgB.id
                        for n in 0..<25 {
                            try await store.withTenant(org) { tx in
                                try await store.audit.append(tx, Self.entry(world, writer * 100 + n))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for org in [world.orgA.id, world.orgB.id] {
                let result = try await store.withTenant(org) { tx in try await store.audit.verify(tx) }
                #expect(result.ok, "\(String(describing: result.firstBreak))")
                #expect(result.entries == result.head.seq)
            }
            let after = try await store.withTenant(world.orgA.id) { tx in try await store.audit.verify(tx) }
            #expect(after.head.seq == before.seq + 100)
            #expect(after.head.hash != before.hash)
        }
    }

    /// Runs statements as the tables' owner with the audit log's triggers and row security
    /// lifted, as someone who means to rewrite history would.
    static func tamper(_ database: any Database, _ statements: [String]) async throws {
        try await asOwner(database, table: "audit_log", withoutTriggers: true, statements)
    }

    /// Runs statements across tenants as the owner of `table`, its row security (and, with
    /// `withoutTriggers`, its append-only triggers) lifted while they run.
    static func asOwner(
        _ database: any Database, table: String, withoutTriggers: Bool = false, _ statements: [String]
    ) async throws {
        try await database.transaction(.system) { executor in
            let postgres = executor.dialect == .postgres
            if postgres {
                if withoutTriggers {
                    try await executor.execute("ALTER TABLE \(unsafeRaw: table) DISABLE TRIGGER USER")
                }
                try await executor.execute("ALTER TABLE \(unsafeRaw: table) NO FORCE ROW LEVEL SECURITY")
            } else if withoutTriggers {
                try await executor.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
                try await executor.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
            }
            for statement in statements { try await executor.execute(SQL(stringLiteral: statement)) }
            if postgres {
                try await executor.execute("ALTER TABLE \(unsafeRaw: table) FORCE ROW LEVEL SECURITY")
                if withoutTriggers { try await executor.execute("ALTER TABLE \(unsafeRaw: table) ENABLE TRIGGER USER") }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func anEntryAlteredMovedOrRemovedIsNamed(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            let org = world.orgA.id
            let start = try await store.withTenant(org) { tx in try await store.audit.head(tx) }.seq
            for n in 1...10 {
                try await store.withTenant(org) { tx in try await store.audit.append(tx, Self.entry(world, n)) }
            }
            func verify() async throws -> AuditVerification {
                try await store.withTenant(org) { tx in try await store.audit.verify(tx) }
            }
            func seq(_ n: Int64) -> Int64 { start + n }
            let tenant = org.description
            let fourth = try await database.transaction(.tenant(org, actor: nil)) { executor in
                try await executor.first(
                    "SELECT CAST(id AS TEXT) AS id, details FROM audit_log WHERE tenant_id = \(org) AND chain_seq = \(seq(4))"
                )
            }
            let fourthID: String = try #require(try fourth?.decode("id"))
            let fourthDetails: String = try #require(try fourth?.decode("details"))
            #expect(try await verify().ok)

            // Altered: entry 4's details; named by its number and id. Put back, the chain holds.
            try await Self.tamper(
                database,
                [
                    "UPDATE audit_log SET details = '{\"after\":{\"n\":\"999\"}}' WHERE tenant_id = '\(tenant)' AND chain_seq = \(seq(4))"
                ])
            var result = try await verify()
            #expect(result.firstBreak?.seq == seq(4))
            #expect(result.firstBreak?.id?.uuidString.lowercased() == fourthID)
            #expect(result.firstBreak?.detail.contains("does not match its hash") == true)
            try await Self.tamper(
                database,
                [
                    "UPDATE audit_log SET details = '\(fourthDetails)' WHERE tenant_id = '\(tenant)' AND chain_seq = \(seq(4))"
                ])
            #expect(try await verify().ok)

            // Reordered: entries 6 and 7 swap places; the first of them no longer follows.
            let swap = { (a: Int64, b: Int64) in
                [
                    "UPDATE audit_log SET chain_seq = -1 WHERE tenant_id = '\(tenant)' AND chain_seq = \(a)",
                    "UPDATE audit_log SET chain_seq = \(a) WHERE tenant_id = '\(tenant)' AND chain_seq = \(b)",
                    "UPDATE audit_log SET chain_seq = \(b) WHERE tenant_id = '\(tenant)' AND chain_seq = -1",
                ]
            }
            try await Self.tamper(database, swap(seq(6), seq(7)))
            result = try await verify()
            #expect(result.firstBreak?.seq == seq(6))
            try await Self.tamper(database, swap(seq(6), seq(7)))
            #expect(try await verify().ok)

            // Removed: the newest entry (the organization's head still counts it) ...
            try await Self.tamper(
                database, ["DELETE FROM audit_log WHERE tenant_id = '\(tenant)' AND chain_seq = \(seq(10))"])
            result = try await verify()
            #expect(result.firstBreak?.seq == seq(10))
            #expect(result.firstBreak?.detail.contains("missing") == true)
            // ... and one in the middle, which is now the first break.
            try await Self.tamper(
                database, ["DELETE FROM audit_log WHERE tenant_id = '\(tenant)' AND chain_seq = \(seq(5))"])
            result = try await verify()
            #expect(result.firstBreak?.seq == seq(5))
            #expect(result.firstBreak?.detail == "Entry \(seq(5)) is missing: it was removed.")
            // The other organization's chain is untouched.
            #expect(try await store.withTenant(world.orgB.id) { tx in try await store.audit.verify(tx) }.ok)
        }
    }

    @Test(arguments: TestBackend.available)
    func aChainRecomputedAfterAChangeMissesTheHeadKeptAtAClose(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            let org = world.orgA.id
            for n in 1...3 {
                try await store.withTenant(org) { tx in try await store.audit.append(tx, Self.entry(world, n)) }
            }
            // The books are closed here: the head at that moment is kept with the close.
            let anchor = try await store.withTenant(org) { tx in
                let head = try await store.audit.head(tx)
                _ = try await store.closes.add(
                    tx, action: .close, through: try CalendarDate(parsing: "2026-10-31"), reason: nil,
                    actor: world.alice.id, actorName: "Alice", head: head, at: Date())
                return head
            }
            for n in 4...6 {
                try await store.withTenant(org) { tx in try await store.audit.append(tx, Self.entry(world, n)) }
            }
            // Someone changes the second entry and recomputes every later hash and the head.
            let tenant = org.description
            let second = anchor.seq - 1
            try await Self.tamper(
                database,
                ["UPDATE audit_log SET actor_name = 'Mallory' WHERE tenant_id = '\(tenant)' AND chain_seq = \(second)"])
            let rows = try await database.transaction(.tenant(org, actor: nil)) { executor in
                try await executor.query(
                    """
                    SELECT chain_seq, CAST(id AS TEXT) AS entry, CAST(actor_id AS TEXT) AS actor, actor_name, action,
                           subject_type, subject_id, details, created_at
                    FROM audit_log WHERE tenant_id = \(org) AND chain_seq >= \(second) ORDER BY chain_seq
                    """)
            }
            var previous: String = try await database.transaction(.tenant(org, actor: nil)) { executor in
                try await executor.first(
                    "SELECT hash FROM audit_log WHERE tenant_id = \(org) AND chain_seq = \(second - 1)")!.decode("hash")
            }
            var rewrite: [String] = []
            for row in rows {
                let seq: Int64 = try row.decode("chain_seq")
                let link = AuditChain.Link(
                    tenantID: tenant, seq: seq, id: try row.decode("entry"), actorID: try row.decode("actor"),
                    actorName: try row.decode("actor_name"), action: try row.decode("action"),
                    subjectType: try row.decode("subject_type"), subjectID: try row.decode("subject_id"),
                    details: try row.decode("details"), createdAt: AuditChain.timestamp(try row.decode("created_at")))
                previous = link.hash(after: previous)
                rewrite.append(
                    "UPDATE audit_log SET hash = '\(previous)' WHERE tenant_id = '\(tenant)' AND chain_seq = \(seq)")
            }
            try await Self.tamper(database, rewrite)
            try await Self.asOwner(
                database, table: "organizations",
                ["UPDATE organizations SET audit_hash = '\(previous)' WHERE id = '\(tenant)'"])
            let result = try await store.withTenant(org) { tx in try await store.audit.verify(tx) }
            #expect(result.firstBreak?.seq == anchor.seq)
            #expect(result.firstBreak?.detail.contains("the books were closed on") == true)

            // Or cuts the log off before that entry and sets the head back to the new last one.
            let kept: String = try await database.transaction(.tenant(org, actor: nil)) { executor in
                try await executor.first(
                    "SELECT hash FROM audit_log WHERE tenant_id = \(org) AND chain_seq = \(second - 1)")!.decode("hash")
            }
            try await Self.tamper(
                database, ["DELETE FROM audit_log WHERE tenant_id = '\(tenant)' AND chain_seq >= \(second)"])
            try await Self.asOwner(
                database, table: "organizations",
                ["UPDATE organizations SET audit_seq = \(second - 1), audit_hash = '\(kept)' WHERE id = '\(tenant)'"])
            let cut = try await store.withTenant(org) { tx in try await store.audit.verify(tx) }
            #expect(cut.firstBreak?.seq == anchor.seq)
            #expect(cut.firstBreak?.detail.contains("were removed") == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func theMigrationChainsTheEntriesAlreadyWritten(_ backend: TestBackend) async throws {
        let database = try await TestDatabases.make(backend)
        try await withRunning(database) { database in
            let shipped = try Migration.bundled(for: database.dialect)
            let before = shipped.filter { $0.name < "0015" }
            try await MigrationRunner(database: database, migrations: before, logger: TestDatabases.logger).migrate()
            // Two organizations with entries written before the chain existed, some in the same
            // second, interleaved.
            let orgs = [TenantID(), TenantID()]
            for org in orgs {
                try await database.transaction(.tenant(org, actor: nil)) { executor in
                    try await executor.execute(
                        """
                        INSERT INTO organizations (id, name, kind, currency, time_zone, week_start, created_at, updated_at)
                        VALUES (\(org), 'Old Co', 'business', 'EUR', 'UTC', 1, \(Date()), \(Date()))
                        """)
                }
            }
            for n in 0..<12 {
                let org = orgs[n % 2]
                try await database.transaction(.tenant(org, actor: nil)) { executor in
                    try await executor.execute(
                        """
                        INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, subject_type, subject_id,
                                               details, created_at)
                        VALUES (\(org), \(UUID()), NULL, \(n == 3 ? nil : "Ana ❤︎ \(n)"), 'expense.created', 'expense',
                                \("e-\(n)"), \(n == 5 ? nil : "{\"n\":\"\(n)\"}"),
                                \(Date(timeIntervalSince1970: 1_790_000_000 + Double(n / 4) + 0.123_456)))
                        """)
                }
            }
            try await MigrationRunner(database: database, migrations: shipped, logger: TestDatabases.logger).migrate()
            let store = Store(database: database)
            for org in orgs {
                let result = try await store.withTenant(org) { tx in try await store.audit.verify(tx) }
                #expect(result.ok, "\(String(describing: result.firstBreak))")
                #expect(result.entries == 6 && result.head.seq == 6)
                // New entries continue the same chain.
                try await store.withTenant(org) { tx in
                    try await store.audit.append(
                        tx,
                        AuditEntry(
                            id: UUID(), actorID: nil, actorName: "After", action: .categoryCreated,
                            subjectType: .category, subjectID: nil, details: nil, createdAt: Date()))
                }
                let after = try await store.withTenant(org) { tx in try await store.audit.verify(tx) }
                #expect(after.ok && after.head.seq == 7)
                // Listed newest first in the order they were written.
                let listed = try await store.withTenant(org) { tx in try await store.audit.list(tx, limit: 10) }
                #expect(listed.first?.actorName == "After" && listed.count == 7)
            }
        }
    }
}
