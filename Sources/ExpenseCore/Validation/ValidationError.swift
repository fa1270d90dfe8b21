/// One or more fields of a request failed validation. Each carries a message for a person.
public struct ValidationError: Error, Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        /// The request's field name, e.g. `email`.
        public var name: String
        public var message: String

        public init(_ name: String, _ message: String) {
            self.name = name
            self.message = message
        }
    }

    public var fields: [Field]

    public init(_ fields: [Field]) {
        self.fields = fields
    }

    public init(_ name: String, _ message: String) {
        self.fields = [Field(name, message)]
    }

    /// The message for a field, if it failed.
    public func message(for name: String) -> String? {
        fields.first { $0.name == name }?.message
    }
}

/// Collects field failures, so a form or request reports every problem at once.
public struct Validator: Sendable {
    public private(set) var fields: [ValidationError.Field] = []

    public init() {}

    /// Runs `check`; a `ValidationError` it throws is recorded and `nil` returned.
    public mutating func check<T>(_ check: () throws -> T) rethrows -> T? {
        do {
            return try check()
        } catch let error as ValidationError {
            fields += error.fields
            return nil
        }
    }

    public mutating func add(_ name: String, _ message: String) {
        fields.append(.init(name, message))
    }

    /// Throws everything collected, if anything.
    public func finish() throws {
        if !fields.isEmpty { throw ValidationError(fields) }
    }
}
