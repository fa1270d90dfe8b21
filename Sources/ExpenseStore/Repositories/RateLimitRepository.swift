import Foundation

/// Fixed-window counters in the database, so every server process shares one count.
public struct RateLimitRepository: Sendable {
    public init() {}

    /// Counts one hit on `key` and returns the hits in the current window and when it started.
    /// A window older than `window` starts again at this hit.
    public func hit(_ tx: some Transaction, key: String, window: Duration, at now: Date) async throws -> (
        hits: Int, windowStart: Date
    ) {
        let cutoff = now.addingTimeInterval(-Double(window.components.seconds))
        let row = try await tx.executor.first(
            """
            INSERT INTO rate_limits (key, window_start, hits) VALUES (\(key), \(now), 1)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN rate_limits.window_start <= \(cutoff) THEN 1 ELSE rate_limits.hits + 1 END,
                window_start = CASE WHEN rate_limits.window_start <= \(cutoff) THEN \(now) ELSE rate_limits.window_start END
            RETURNING hits, window_start
            """
        )!
        return (try row.decode("hits"), try row.decode("window_start"))
    }

    /// Drops windows that started before `cutoff`; returns how many.
    @discardableResult
    public func purge(_ tx: some Transaction, before cutoff: Date) async throws -> Int {
        try await tx.executor.query("DELETE FROM rate_limits WHERE window_start < \(cutoff) RETURNING key").count
    }
}
