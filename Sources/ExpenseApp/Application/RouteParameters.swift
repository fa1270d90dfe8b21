import ExpenseCore
import Foundation
import Hummingbird

extension Parameters {
    /// The typed id a route names in its path, e.g. `try context.parameters.id(ExpenseID.self, "expenseId")`.
    /// A segment that is not a UUID names nothing: `AppError.notFound` (404), as an unknown id does.
    func id<Tag>(_ type: Identifier<Tag>.Type, _ name: String) throws -> Identifier<Tag> {
        guard let id = get(name).flatMap(Identifier<Tag>.init(uuidString:)) else { throw AppError.notFound }
        return id
    }

    /// An untyped UUID the path names (a webhook endpoint's, a token's): 404 when it is none.
    func uuid(_ name: String) throws -> UUID {
        guard let id = get(name).flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        return id
    }
}
