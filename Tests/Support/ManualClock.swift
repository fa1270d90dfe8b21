import ExpenseCore
import Foundation
import Synchronization

/// The time in a test: it stands still until the test moves it.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    /// 2026-11-30 00:53:20 UTC unless told otherwise: a fixed instant, so output that shows the
    /// time is the same on every run.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_796_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }
}

extension ManualClock {
    /// This clock as the application reads the time.
    public var clock: AppClock { AppClock { self.now } }
}
