import ExpenseCore
import ExpenseStore
import Foundation

extension OrganizationService {
    /// Sets the organization's two-factor rule in `tx`. Only someone who signs in with a second
    /// factor may turn it on: otherwise the owner would shut themselves out of their own
    /// organization until they enrolled.
    static func requireSecondFactor(
        _ required: Bool, by user: User, in tx: TenantTransaction, store: Store, at now: Date
    ) async throws -> Organization {
        if required, !user.secondFactorEnabled {
            throw AppError.conflict(
                "Turn on two-factor sign-in for your own account first, then require it of the organization.")
        }
        guard let organization = try await store.organizations.setSecondFactorRule(tx, required: required, at: now)
        else { throw AppError.notFound }
        return organization
    }
}
