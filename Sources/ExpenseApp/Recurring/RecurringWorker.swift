import ExpenseCore
import ExpenseStore
import Foundation
import Logging
import ServiceLifecycle

/// Writes the occurrences of recurring expenses as they fall due: at start and every
/// `interval`, it finds due schedules of every organization and writes each in that
/// organization's transaction. Runs inside `serve` and in `worker`; several at once write each
/// occurrence once (see `OccurrenceWriter`). A worker that was stopped catches up every missed
/// date on its next pass.
public struct RecurringWorker: Service {
    let writer: OccurrenceWriter
    let clock: AppClock
    let logger: Logger
    var interval: Duration = .seconds(60)
    /// Schedules handled per scan; a longer backlog is taken in further scans of one pass.
    static let batch = 200

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let written = try await runOnce()
                    if written > 0 { logger.info("recurring expenses written", metadata: ["count": "\(written)"]) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("recurring expenses failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: every schedule due by now, in any time zone. Returns how many expenses it wrote.
    @discardableResult
    public func runOnce() async throws -> Int {
        let now = clock.now()
        // The latest "today" anywhere (UTC+14); each schedule is then judged in its own zone.
        let through = CalendarDate(now.addingTimeInterval(14 * 3600), in: TimeZone(identifier: "UTC")!)
        let store = writer.store
        var written = 0
        var after: (CalendarDate, RecurringID)?
        while true {
            let key = after
            let due = try await store.withScheduler { tx in
                try await store.recurring.due(tx, through: through, after: key, limit: Self.batch)
            }
            for schedule in due {
                // One schedule that cannot be written (its amount too large in the base currency
                // at a new rate, say) must not hold up the others: it is logged and tried again
                // on the next pass.
                do {
                    written += try await writer.writeDue(tenant: schedule.tenant, id: schedule.id, at: now)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.warning(
                        "recurring expense not written",
                        metadata: ["recurring_id": "\(schedule.id)", "error": "\(String(reflecting: error))"])
                }
            }
            guard due.count == Self.batch, let last = due.last else { break }
            after = (last.next, last.id)
        }
        return written
    }
}
