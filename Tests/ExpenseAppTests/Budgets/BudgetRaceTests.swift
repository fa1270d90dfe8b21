import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import ExpenseApp

/// The interleaving that would lose an alert, forced on PostgreSQL: two transactions each log
/// 45.00 under a budget of 100.00 (on different days, so no day-sum row is shared between them),
/// the second while the first is still open. Each alone stays
/// under 80%; together they pass it. The budget's row lock makes the second sum after the first
/// commits, so exactly one alert goes out. (SQLite has one writer: the second would wait for the
/// first before it could write at all.)
@Suite struct BudgetRaceTests {
    @Test func aCrossingSplitOverTwoOpenTransactionsAlertsOnce() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let harness = try await AccountsHarness.make(.postgres) { $0.httpPort = 0 }
        // Inside the running application: its database pool runs only while it does.
        try await harness.app.test(.live) { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olga", harness: harness)
            let org = try await client.createOrganization("Ledger Co", by: owner)
            let budget = try await client.send(
                .post, "/api/v1/orgs/\(org)/budgets", json: ["name": "All", "amount": "100.00", "period": "month"],
                headers: owner.auth)
            #expect(budget.status == .created)
            try await Self.race(harness, org: org, ownerID: owner.id)
        }
    }

    static func race(_ harness: AccountsHarness, org: String, ownerID: String) async throws {
        let store = harness.store
        let tenant = try #require(OrganizationID(uuidString: org))
        let userID = try #require(UserID(uuidString: ownerID))
        let clock = harness.clock.clock
        let alerts = BudgetAlerts(store: store, settings: AccountSettings(config: harness.config), ids: .random)
        let expenses = ExpenseService(
            store: store, clock: clock, ids: .random, alerts: alerts, logger: Logger(label: "race"))
        func logInOwnTransaction(_ date: String, beforeCommit: @Sendable () async throws -> Void) async throws {
            try await store.withTenant(tenant, actor: userID) { tx in
                let user = try #require(try await store.users.find(tx, id: userID))
                let (organization, role) = try #require(
                    try await store.organizations.findWithRole(tx, user: userID, lockingMembership: true))
                #expect(organization.hasBudgets)
                let access = TenantAccess(organization: organization, role: role, user: user, transaction: tx)
                _ = try await expenses.create(access, ExpenseInput(amount: "45.00", date: date))
                try await beforeCommit()
            }
        }

        let firstChecked = Mutex(false)
        let release = Mutex(false)
        async let first: Void = logInOwnTransaction("2026-11-20") {
            firstChecked.withLock { $0 = true }
            // Open until the second has written its expense and is checking its budgets.
            while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        while !firstChecked.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        async let second: Void = logInOwnTransaction("2026-11-21") {}
        try await Task.sleep(for: .milliseconds(500))
        release.withLock { $0 = true }
        try await first
        try await second

        let sent = try await harness.outbox("owner@example.org").filter { $0.kind == .budgetAlert }.map(\.subject)
        #expect(sent == ["Budget \u{201C}All\u{201D} reached 80% for November 2026"])
    }
}
