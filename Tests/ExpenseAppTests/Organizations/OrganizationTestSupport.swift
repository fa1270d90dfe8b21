import ExpenseCore
import ExpenseTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// A signed-in test user: their bearer header and id.
struct TestUser: Sendable {
    var email: String
    var id: String
    var auth: HTTPFields
}

extension TestClientProtocol {
    /// Registers, confirms the email with the emailed link, and logs in.
    func signUp(_ email: String, name: String, harness: AccountsHarness, verify: Bool = true) async throws -> TestUser {
        let registered = try await register(email, name: name)
        guard registered.status == .created, let id = registered.json["id"] as? String else {
            throw TestFailure("registration of \(email) failed: \(registered.status) \(registered.body)")
        }
        if verify {
            let token = try await harness.token(sentTo: email, kind: .emailVerification)
            _ = try await send(.post, "/api/v1/auth/verify", json: ["token": token ?? ""])
        }
        let (_, token) = try await login(email)
        guard let token else { throw TestFailure("login of \(email) failed") }
        return TestUser(email: email, id: id, auth: bearer(token))
    }

    /// Creates an organization; returns its id.
    func createOrganization(_ name: String, currency: String = "EUR", by user: TestUser) async throws -> String {
        let reply = try await send(
            .post, "/api/v1/orgs",
            json: ["name": name, "kind": "cooperative", "currency": currency, "timezone": "Europe/Lisbon"],
            headers: user.auth
        )
        guard reply.status == .created, let id = reply.json["id"] as? String else {
            throw TestFailure("creating \(name) failed: \(reply.status) \(reply.body)")
        }
        return id
    }

    /// Invites `email` as `role` and has `invitee` accept from the emailed link.
    func inviteAndAccept(
        _ invitee: TestUser, role: String, into org: String, by inviter: TestUser, harness: AccountsHarness
    ) async throws {
        let invited = try await send(
            .post, "/api/v1/orgs/\(org)/invitations", json: ["email": invitee.email, "role": role],
            headers: inviter.auth
        )
        guard invited.status == .created else { throw TestFailure("invite failed: \(invited.status) \(invited.body)") }
        let token = try await harness.token(sentTo: invitee.email, kind: .invitation) ?? ""
        let accepted = try await send(
            .post, "/api/v1/invitations/accept", json: ["token": token], headers: invitee.auth)
        guard accepted.status == .ok else { throw TestFailure("accept failed: \(accepted.status) \(accepted.body)") }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
