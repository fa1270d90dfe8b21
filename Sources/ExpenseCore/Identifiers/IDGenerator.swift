import Foundation

/// Where the ids of new records come from, injected like the clock: random UUIDs in production,
/// a known sequence where a test compares output that shows ids.
public struct IDGenerator: Sendable {
    public var uuid: @Sendable () -> UUID

    public init(uuid: @escaping @Sendable () -> UUID) {
        self.uuid = uuid
    }

    public static let random = IDGenerator { UUID() }

    /// A new typed id: `let id: ExpenseID = ids()`.
    public func callAsFunction<Tag>() -> Identifier<Tag> { Identifier(uuid()) }
}
