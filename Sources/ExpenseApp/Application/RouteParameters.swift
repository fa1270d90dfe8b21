import ExpenseCore
import Hummingbird

extension Parameters {
    /// The typed id a route names in its path, e.g. `try context.parameters.id(ExpenseID.self, "expenseId")`.
    /// A segment that is not a UUID names nothing: `AppError.notFound` (404), as an unknown id does.
    func id<Tag>(_ type: Identifier<Tag>.Type, _ name: String) throws -> Identifier<Tag> {
        guard let id = get(name).flatMap(Identifier<Tag>.init(uuidString:)) else { throw AppError.notFound }
        return id
    }
}
