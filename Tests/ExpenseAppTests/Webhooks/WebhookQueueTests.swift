import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// Endpoints and the event outbox through a real server on both databases: who may manage
/// endpoints, which changes queue which events (in their own transaction), and claims that two
/// workers never share. (The end-to-end tests deliver them to a receiver.)
@Suite struct WebhookQueueTests {
    /// An owner and their organization with one endpoint for `expense.created` (on loopback,
    /// never reached: these tests run no worker).
    static func organizationWithEndpoint(_ client: some TestClientProtocol, harness: AccountsHarness) async throws
        -> (owner: TestUser, org: String)
    {
        let owner = try await client.signUp("owner@example.org", name: "Olu", harness: harness)
        let org = try await client.createOrganization("Co-op", by: owner)
        let created = try await client.send(
            .post, "/api/v1/orgs/\(org)/webhooks",
            json: ["url": "http://127.0.0.1:9/in", "events": ["expense.created"]],
            headers: owner.auth)
        try #require(created.status == .created)
        return (owner, org)
    }

    static func deliveries(_ harness: AccountsHarness, _ org: String) async throws -> [WebhookDelivery] {
        let tenant = try #require(OrganizationID(uuidString: org))
        return try await harness.store.withTenant(tenant) { tx in
            var all: [WebhookDelivery] = []
            for endpoint in try await harness.store.webhooks.list(tx) {
                all += try await harness.store.webhooks.deliveries(tx, endpoint: endpoint.id, limit: 100)
            }
            return all
        }
    }

    @Test(arguments: TestBackend.available)
    func changesQueueTheEventsEndpointsTake(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend, configure: { $0.webhookAllowPrivate = true })
        try await harness.run { client async throws in
            let owner = try await client.signUp("owner@example.org", name: "Olu", harness: harness)
            let admin = try await client.signUp("admin@example.org", name: "Ade", harness: harness)
            let member = try await client.signUp("member@example.org", name: "Mo", harness: harness)
            let org = try await client.createOrganization("Co-op", by: owner)
            try await client.inviteAndAccept(admin, role: "admin", into: org, by: owner, harness: harness)
            // Before any endpoint: nothing queued (the organization has none, so no statement runs).
            _ = try await client.logExpense(org, ["amount": "1.00", "date": "2026-11-02"], by: owner)
            let hook =
                ["url": "http://127.0.0.1:9/in", "events": ["expense.created", "member.joined", "claim.submitted"]]
                as [String: Any]
            let refused = try await client.send(.post, "/api/v1/orgs/\(org)/webhooks", json: hook, headers: member.auth)
            #expect(refused.status == .notFound)  // not a member yet
            try await client.inviteAndAccept(member, role: "member", into: org, by: owner, harness: harness)
            #expect(
                try await client.send(.post, "/api/v1/orgs/\(org)/webhooks", json: hook, headers: member.auth).status
                    == .forbidden)
            let created = try await client.send(.post, "/api/v1/orgs/\(org)/webhooks", json: hook, headers: admin.auth)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect((created.json["secret"] as? String)?.hasPrefix("whsec_") == true)
            let stored = try await harness.store.withTenant(try #require(OrganizationID(uuidString: org))) { tx in
                try await harness.store.webhooks.sealedSecret(tx, id: try #require(UUID(uuidString: id)))
            }
            #expect(stored?.hasPrefix("v1:") == true && stored?.contains("whsec_") == false)

            let expense = try await client.logExpense(org, ["amount": "4.00", "date": "2026-11-03"], by: member)
            _ = try await client.send(
                .patch, "/api/v1/orgs/\(org)/expenses/\(expense["id"] as! String)", json: ["note": "x"],
                headers: member.auth)
            let claim = try await client.send(
                .post, "/api/v1/orgs/\(org)/claims",
                json: ["title": "Taxi", "expense_ids": [expense["id"] as! String]],
                headers: member.auth)
            _ = try await client.send(
                .post, "/api/v1/orgs/\(org)/claims/\(claim.json["id"] as! String)/submit", headers: member.auth)
            // A refused change queues nothing: the event rolls back with it.
            let closed = try await client.send(
                .post, "/api/v1/orgs/\(org)/expenses", json: ["amount": "oops", "date": "2026-11-03"],
                headers: member.auth)
            #expect(closed.status == .unprocessableContent)

            let queued = try await Self.deliveries(harness, org)
            #expect(queued.map(\.eventType).sorted() == ["claim.submitted", "expense.created"])
            #expect(Set(queued.map(\.messageID)).count == queued.count)
            let payload = try #require(queued.first { $0.eventType == "expense.created" }?.payload)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            #expect(object["organization_id"] as? String == org)
            #expect((object["data"] as? [String: Any])?["id"] as? String == expense["id"] as? String)

            // Disabled: nothing more is queued for it; deleted: its deliveries go with it.
            #expect(
                try await client.send(
                    .patch, "/api/v1/orgs/\(org)/webhooks/\(id)", json: ["enabled": false], headers: admin.auth
                )
                .json["enabled"] as? Bool == false)
            _ = try await client.logExpense(org, ["amount": "5.00", "date": "2026-11-04"], by: owner)
            #expect(try await Self.deliveries(harness, org).count == 2)
            #expect(
                try await client.send(.delete, "/api/v1/orgs/\(org)/webhooks/\(id)", headers: owner.auth).status
                    == .noContent)
            #expect(try await Self.deliveries(harness, org).isEmpty)

            // A deleted organization sends nothing more: its endpoints and their queue go with it.
            _ = try await client.send(
                .post, "/api/v1/orgs/\(org)/webhooks",
                json: ["url": "http://127.0.0.1:9/in", "events": ["expense.created"]],
                headers: owner.auth)
            _ = try await client.logExpense(org, ["amount": "6.00", "date": "2026-11-05"], by: owner)
            #expect(try await Self.deliveries(harness, org).count == 1)
            #expect(try await client.send(.delete, "/api/v1/orgs/\(org)", headers: owner.auth).status == .noContent)
            let (left, stillQueued) = try await harness.store.withTenant(try #require(OrganizationID(uuidString: org)))
            {
                tx in
                (
                    try await harness.store.webhooks.list(tx),
                    try await tx.executor.query(
                        "SELECT id FROM webhook_deliveries WHERE tenant_id = \(tx.tenantID)"
                    ).count
                )
            }
            #expect(left.isEmpty)
            #expect(stillQueued == 0)
        }
    }

    /// Two workers that found the same due deliveries claim each once: the conditional claim in
    /// the organization's transaction lets only the first have it.
    @Test(arguments: TestBackend.available)
    func twoWorkersNeverClaimOneDeliveryAtOnce(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend, configure: { $0.webhookAllowPrivate = true })
        try await harness.run { client async throws in
            let (owner, org) = try await Self.organizationWithEndpoint(client, harness: harness)
            for day in 1...12 {
                _ = try await client.logExpense(
                    org, ["amount": "\(day).00", "date": "2026-11-\(String(format: "%02d", day))"], by: owner)
            }
            let store = harness.store
            let now = harness.clock.now.addingTimeInterval(1)
            let due = try await store.withWebhookWorker { tx in
                try await store.webhookDeliveries.due(tx, now: now, limit: 50)
            }
            #expect(due.count == 12)
            let tenant = due[0].tenantID
            async let first = store.withTenant(tenant) { tx in
                try await store.webhookDeliveries.claim(tx, ids: due.map(\.id), now: now, lease: 60)
            }
            async let second = store.withTenant(tenant) { tx in
                try await store.webhookDeliveries.claim(tx, ids: due.map(\.id).reversed(), now: now, lease: 60)
            }
            let (a, b) = try await (first, second)
            #expect(a.count + b.count == 12)
            #expect(Set(a.map(\.delivery.id)).isDisjoint(with: Set(b.map(\.delivery.id))))
            // A claim whose worker died is due again once its lease has run out, and not before.
            let soon = try await store.withWebhookWorker { tx in
                try await store.webhookDeliveries.due(tx, now: now.addingTimeInterval(30), limit: 50)
            }
            #expect(soon.isEmpty)
            let later = try await store.withWebhookWorker { tx in
                try await store.webhookDeliveries.due(tx, now: now.addingTimeInterval(61), limit: 50)
            }
            #expect(later.count == 12)
            // Another worker takes one over after the lease; the first one's late result then
            // changes nothing, and its renewal before a POST says it no longer holds it.
            let stale = try #require(a.first ?? b.first)
            let takeover = try await store.withTenant(tenant) { tx in
                try await store.webhookDeliveries.claim(
                    tx, ids: [stale.delivery.id], now: now.addingTimeInterval(61), lease: 60)
            }
            #expect(takeover.count == 1)
            let (renewed, overwrote) = try await store.withTenant(tenant) { tx in
                (
                    try await store.webhookDeliveries.renew(tx, stale, until: now.addingTimeInterval(200)),
                    try await store.webhookDeliveries.finish(tx, stale, .dead(at: now, error: "late"))
                )
            }
            #expect(!renewed && !overwrote)
            #expect(
                try await store.withTenant(tenant) { tx in
                    try await store.webhookDeliveries.finish(tx, takeover[0], .delivered(at: now))
                })
            // A disabled endpoint's deliveries wait without filling any batch.
            let endpoint = try #require(
                try await store.withTenant(tenant) { tx in try await store.webhooks.list(tx) }.first)
            _ = try await client.send(
                .patch, "/api/v1/orgs/\(org)/webhooks/\(endpoint.id.uuidString.lowercased())", json: ["enabled": false],
                headers: owner.auth)
            let whileOff = try await store.withWebhookWorker { tx in
                try await store.webhookDeliveries.due(tx, now: now.addingTimeInterval(200), limit: 50)
            }
            #expect(whileOff.isEmpty)
        }
    }

    /// An event queued while its endpoint is being removed by another transaction waits for
    /// that removal and then skips the endpoint, instead of failing the change that queued it.
    @Test(arguments: TestBackend.available)
    func anEndpointRemovedMeanwhileIsSkipped(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend, configure: { $0.webhookAllowPrivate = true })
        try await harness.run { client async throws in
            let (_, org) = try await Self.organizationWithEndpoint(client, harness: harness)
            let store = harness.store
            let tenant = try #require(OrganizationID(uuidString: org))
            let (removed, release) = AsyncStream.makeStream(of: Void.self)
            let (done, finish) = AsyncStream.makeStream(of: Void.self)
            // The removal holds its transaction open until the enqueue has started.
            async let removal: Void = store.withTenant(tenant) { tx in
                try await store.webhooks.deleteAll(tx)
                release.yield()
                var waits = done.makeAsyncIterator()
                _ = await waits.next()
            }
            var signals = removed.makeAsyncIterator()
            _ = await signals.next()
            async let queued = store.withTenant(tenant) { tx in
                try await store.webhooks.enqueue(tx, type: .expenseCreated, payload: "{}", at: harness.clock.now)
            }
            // On SQLite the enqueue waits for the one writer; on PostgreSQL for the endpoint's
            // row. Either way it sees the removal once it commits.
            try await Task.sleep(for: .milliseconds(300))
            finish.yield()
            try await removal
            #expect(try await queued == 0)
        }
    }

    /// The delivery log keeps a finished delivery `WEBHOOK_LOG_DAYS` after it finished; then
    /// the maintenance pass deletes it with its attempts, in every organization, while
    /// deliveries still to make stay whatever their age.
    @Test(arguments: TestBackend.available)
    func finishedDeliveriesLeaveTheLogAfterItsDays(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend, configure: { $0.webhookAllowPrivate = true })
        try await harness.run { client async throws in
            let (owner, org) = try await Self.organizationWithEndpoint(client, harness: harness)
            for day in 1...3 {
                _ = try await client.logExpense(org, ["amount": "\(day).00", "date": "2026-11-0\(day)"], by: owner)
            }
            let store = harness.store
            let tenant = try #require(OrganizationID(uuidString: org))
            func finishTwo() async throws {
                let now = harness.clock.now
                let due = try await store.withWebhookWorker { tx in
                    try await store.webhookDeliveries.due(tx, now: now.addingTimeInterval(1), limit: 2)
                }
                let claimed = try await store.withTenant(tenant) { tx in
                    try await store.webhookDeliveries.claim(tx, ids: due.map(\.id), now: now, lease: 60)
                }
                try #require(claimed.count == 2)
                try await store.withTenant(tenant) { tx in
                    for entry in claimed {
                        try await store.webhookDeliveries.recordAttempt(
                            tx, delivery: entry.delivery.id, at: now, statusCode: 200, durationMs: 5, error: nil,
                            excerpt: "ok")
                    }
                    try await store.webhookDeliveries.finish(tx, claimed[0], .delivered(at: now))
                    try await store.webhookDeliveries.finish(tx, claimed[1], .dead(at: now, error: "answered 410"))
                }
            }
            func counts() async throws -> (deliveries: Int, attempts: Int) {
                try await store.withTenant(tenant) { tx in
                    (
                        try await tx.executor.query(
                            "SELECT id FROM webhook_deliveries WHERE tenant_id = \(tx.tenantID)"
                        )
                        .count,
                        try await tx.executor.query("SELECT id FROM webhook_attempts WHERE tenant_id = \(tx.tenantID)")
                            .count
                    )
                }
            }
            try await finishTwo()
            if backend == .postgres {
                // The purge's scope sees finished deliveries only: a pending one can be neither
                // read nor deleted there.
                let (seen, deleted) = try await store.withWebhookPurge { tx in
                    (
                        try await tx.executor.query("SELECT status FROM webhook_deliveries").map {
                            try $0.decode("status", as: String.self)
                        },
                        try await tx.executor.query(
                            "DELETE FROM webhook_deliveries WHERE status = 'pending' RETURNING id"
                        ).count
                    )
                }
                #expect(seen.sorted() == ["dead", "delivered"] && deleted == 0)
            }
            var maintenance = AccountMaintenance(
                store: store, settings: AccountSettings(config: harness.config), clock: harness.clock.clock,
                logger: TestDatabases.logger)
            maintenance.webhookLogKept = 30 * 24 * 3600
            harness.clock.advance(by: 29 * 24 * 3600)
            #expect(try await maintenance.purgeWebhookLog() == 0)
            harness.clock.advance(by: 2 * 24 * 3600)
            // Two finished a month ago go with their attempts; the one still pending stays.
            #expect(try await maintenance.purgeWebhookLog() == 2)
            #expect(try await counts() == (1, 0))
            // Finished today: kept. (The month ended the first sign-in's session.)
            let token = try #require(try await client.login(owner.email).1)
            var again = owner
            again.auth = client.bearer(token)
            _ = try await client.logExpense(org, ["amount": "4.00", "date": "2026-11-04"], by: again)
            try await finishTwo()
            #expect(try await maintenance.purgeWebhookLog() == 0)
            #expect(try await counts() == (2, 2))
            if backend == .postgres {
                // A worker of the previous release finishes a delivery without saying when (during a
                // rolling upgrade): the time is filled in, so the purge still finds it.
                _ = try await client.logExpense(org, ["amount": "5.00", "date": "2026-11-05"], by: again)
                let filled = try await store.withTenant(tenant) { tx in
                    try await tx.executor.query(
                        """
                        UPDATE webhook_deliveries SET status = 'dead', last_error = 'old release'
                        WHERE tenant_id = \(tx.tenantID) AND status = 'pending'
                        RETURNING finished_at IS NOT NULL AS filled
                        """
                    ).map { try $0.decode("filled", as: Bool.self) }
                }
                #expect(filled == [true])
            }
        }
    }
}
