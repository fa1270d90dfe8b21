/// Every setting that was missing or malformed at start, reported together.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable {
        /// The environment variable name, e.g. `HTTP_PORT`.
        public var setting: String
        public var message: String
    }

    public var problems: [Problem]

    public var description: String {
        "invalid configuration:\n" + problems.map { "  \($0.setting): \($0.message)" }.joined(separator: "\n")
    }
}
