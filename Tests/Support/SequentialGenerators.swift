import ExpenseCore
import Foundation
import Synchronization

extension IDGenerator {
    /// Ids counting up from `00000000-0000-0000-0000-000000000001`, so output that shows them
    /// is the same on every run. Each generator counts on its own.
    public static func sequential() -> IDGenerator {
        let counter = Mutex<UInt64>(0)
        return IDGenerator {
            let next = counter.withLock { value in
                value += 1
                return value
            }
            return UUID(uuidString: String(format: "00000000-0000-0000-0000-%012llx", next))!
        }
    }
}

extension TokenGenerator {
    /// Well-formed secrets counting up (`000…001`), so output that shows them is the same on
    /// every run. Each generator counts on its own.
    public static func sequential() -> TokenGenerator {
        let counter = Mutex<Int>(0)
        return TokenGenerator {
            let next = counter.withLock { value in
                value += 1
                return value
            }
            return String(repeating: "0", count: 43 - String(next).count) + String(next)
        }
    }
}
