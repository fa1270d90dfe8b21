import ExpenseCore
import Foundation
import Synchronization

/// 1, 2, 3, … on each call, from a counter of its own.
private func counting() -> @Sendable () -> Int {
    let counter = Mutex(0)
    return {
        counter.withLock { value in
            value += 1
            return value
        }
    }
}

extension IDGenerator {
    /// Ids counting up from `00000000-0000-0000-0000-000000000001`, so output that shows them
    /// is the same on every run. Each generator counts on its own.
    public static func sequential() -> IDGenerator {
        let next = counting()
        return IDGenerator { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012lx", next()))! }
    }
}

extension TokenGenerator {
    /// Well-formed secrets counting up (`000…001`), so output that shows them is the same on
    /// every run. Each generator counts on its own.
    public static func sequential() -> TokenGenerator {
        let next = counting()
        return TokenGenerator {
            let number = String(next())
            return String(repeating: "0", count: 43 - number.count) + number
        }
    }
}
