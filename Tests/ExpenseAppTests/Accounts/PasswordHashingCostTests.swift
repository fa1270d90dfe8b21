import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import ExpenseApp

/// Hashing a password is the costliest thing an unauthenticated caller can ask for: every
/// endpoint that hashes is limited first, made-up tokens cost no hash, the wait for a hashing
/// thread is bounded, and hashing runs on threads of its own.
@Suite struct PasswordHashingCostTests {
    @Test("a made-up reset token is refused without hashing the new password", arguments: TestBackend.available)
    func madeUpResetTokensCostNoHash(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            let before = harness.hashing.completed
            for _ in 0..<3 {
                let reply = try await client.send(
                    .post, "/api/v1/auth/password/reset",
                    json: ["token": TokenGenerator.secure(), "password": "a brand new passphrase"])
                #expect(reply.status == .badRequest)
            }
            #expect(harness.hashing.completed == before)
        }
    }

    @Test("password resets are limited per address before anything is looked up", arguments: TestBackend.available)
    func resetAttemptsAreLimitedPerAddress(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.resetPerIP.limit = 2
        let harness = try await AccountsHarness.make(backend, limits: limits)
        try await harness.run { client async throws in
            let body = ["token": TokenGenerator.secure(), "password": "a brand new passphrase"]
            #expect(try await client.send(.post, "/api/v1/auth/password/reset", json: body).status == .badRequest)
            #expect(try await client.send(.post, "/api/v1/auth/password/reset", json: body).status == .badRequest)
            let third = try await client.send(.post, "/api/v1/auth/password/reset", json: body)
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
        }
    }

    @Test("password changes are limited per account before anything is hashed", arguments: TestBackend.available)
    func passwordChangesAreLimitedPerAccount(_ backend: TestBackend) async throws {
        var limits = RateLimits.generous
        limits.passwordChangesPerAccount.limit = 2
        limits.loginPerIP.limit = 10_000
        let harness = try await AccountsHarness.make(backend, limits: limits) { $0.loginMaxFailures = 100 }
        try await harness.run { client async throws in
            let ana = try await client.signUp("ana@example.org", name: "Ana", harness: harness)
            let body = ["current_password": "not my password", "new_password": "a brand new passphrase"]
            for _ in 0..<2 {
                let wrong = try await client.send(.post, "/api/v1/auth/password/change", json: body, headers: ana.auth)
                #expect(wrong.status == .unprocessableContent)
            }
            let before = harness.hashing.completed
            let third = try await client.send(.post, "/api/v1/auth/password/change", json: body, headers: ana.auth)
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
            #expect(harness.hashing.completed == before)
        }
    }

    @Test(
        "with the hashing queue full, sign-in and registration answer 503 and nothing is counted",
        arguments: TestBackend.available)
    func aFullHashingQueueRefusesBeforeCountingAnything(_ backend: TestBackend) async throws {
        let harness = try await AccountsHarness.make(backend)
        try await harness.run { client async throws in
            try await client.register("ana@example.org")
            try await harness.hashing.occupying(harness.hashing.capacity) {
                for _ in 0..<10 {
                    let login = try await client.login("ana@example.org", password: "not my password").0
                    #expect(login.status == .serviceUnavailable)
                    #expect(login.headers[.retryAfter] == "1")
                }
                let register = try await client.register("bo@example.org")
                #expect(register.status == .serviceUnavailable)
                #expect(register.json["type"] as? String == "/problems/service-unavailable")
            }
            // Ten refused attempts did not lock the account, and the refused registration left nothing.
            let credentials = try await harness.store.withSystem { tx in
                try await harness.store.credentials.find(tx, email: "ana@example.org")
            }
            #expect(credentials?.failedLogins == 0)
            #expect(try await client.login("ana@example.org").0.status == .ok)
            #expect(try await client.register("bo@example.org").status == .created)
        }
    }

    @Test("hashing does not wait on the shared thread pool the SMTP transport blocks in")
    func hashingRunsOffTheSharedThreadPool() async throws {
        // Every thread of the shared pool blocked, as a slow SMTP relay would leave them.
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let threads = NIOSingletons.blockingPoolThreadCountSuggestion
        let blocked = (0..<threads).map { _ in
            Task {
                try await NIOThreadPool.singleton.runIfActive {
                    started.signal()
                    release.wait()
                }
            }
        }
        for _ in 0..<threads { _ = started.wait(timeout: .now() + 30) }
        let hasher = PasswordHasher(cost: 4)
        let hashedFirst = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await hasher.verify("x", against: hasher.hash("x")) }
            // A guard against hanging the run: a hasher sharing the blocked pool never answers
            // until the pool is let go here.
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return false
            }
            let first = try await group.next() ?? false
            for _ in 0..<threads { release.signal() }
            group.cancelAll()
            return first
        }
        #expect(hashedFirst)
        for task in blocked { try await task.value }
    }
}
