import Foundation
import ServiceLifecycle

/// Runs imports beside the requests that start them, and knows how far each has read. As a
/// service of the server it cancels those still running at shutdown (each rolls back whole and
/// is recorded as interrupted) and waits for them to end.
public actor ImportRunner: Service {
    private var tasks: [UUID: Task<Void, Never>] = [:]
    private var rows: [UUID: Int] = [:]

    public init() {}

    func submit(id: UUID, _ work: @escaping @Sendable () async -> Void) {
        rows[id] = 0
        // Detached: the request's task-local values (its open transaction among them) stay
        // with the request.
        tasks[id] = Task.detached {
            await work()
            await self.finished(id)
        }
    }

    func report(_ id: UUID, rows count: Int) {
        rows[id] = count
    }

    /// Rows read so far by an import running in this process; nil when none is.
    func progress(of id: UUID) -> Int? {
        rows[id]
    }

    private func finished(_ id: UUID) {
        tasks[id] = nil
        rows[id] = nil
    }

    /// Waits for every import running now to end (tests, and shutdown after cancelling).
    public func waitForAll() async {
        while let task = tasks.values.first {
            await task.value
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        for task in tasks.values { task.cancel() }
        await waitForAll()
    }
}
