import ExpenseCore
import Foundation
import Hummingbird

/// A user as the API shows them.
struct UserResponse: ResponseEncodable, Equatable {
    var id: String
    var email: String
    var name: String
    var emailVerified: Bool
    var secondFactorEnabled: Bool
    var createdAt: Date

    init(_ user: User) {
        id = user.id.description
        email = user.email
        name = user.name
        emailVerified = user.emailVerifiedAt != nil
        secondFactorEnabled = user.secondFactorEnabled
        createdAt = user.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name
        case emailVerified = "email_verified"
        case secondFactorEnabled = "second_factor_enabled"
        case createdAt = "created_at"
    }
}
