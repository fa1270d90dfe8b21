import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import ExpenseApp

/// On SIGTERM the server leaves a load balancer's rotation before it stops: the drain step is
/// the last service, so it is shut down first, and the server is asked to stop only once it
/// has waited out its delay.
struct DrainingTests {
    final class Observation: Sendable {
        let drainingWhenAskedToStop = Mutex<Bool?>(nil)
        let askedAt = Mutex<ContinuousClock.Instant?>(nil)
    }

    /// Stands in for the HTTP server: notes what it sees when asked to stop.
    struct Server: Service {
        let draining: Draining
        let observation: Observation

        func run() async throws {
            try? await gracefulShutdown()
            observation.drainingWhenAskedToStop.withLock { $0 = draining.isDraining }
            observation.askedAt.withLock { $0 = .now }
        }
    }

    @Test func theServerIsAskedToStopOnlyAfterTheDrainDelay() async throws {
        let draining = Draining()
        let observation = Observation()
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: Server(draining: draining, observation: observation)),
                    .init(service: DrainBeforeShutdown(draining: draining, delay: .milliseconds(300))),
                ],
                logger: Logger(label: "test")))
        #expect(!draining.isDraining)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            let signalled = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            let asked = try #require(observation.askedAt.withLock { $0 })
            #expect(asked - signalled >= .milliseconds(300))
        }
        #expect(observation.drainingWhenAskedToStop.withLock { $0 } == true)
    }
}
