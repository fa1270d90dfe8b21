import ServiceLifecycle
import Synchronization

/// Whether this server is leaving the load balancer's rotation: once set, `/health/ready`
/// answers 503 while requests are still served.
public final class Draining: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { flag.load(ordering: .relaxed) }

    func start() { flag.store(true, ordering: .relaxed) }
}

/// On SIGTERM, the first thing to stop (services stop in reverse order, each after the one
/// before has ended): it fails the readiness check and keeps serving for `delay`
/// (`SHUTDOWN_DRAIN_SECONDS`), so a load balancer that checks `/health/ready` takes this server
/// out of rotation before it stops accepting connections. Only then does the server close its
/// listener and finish the requests under way.
struct DrainBeforeShutdown: Service {
    let draining: Draining
    let delay: Duration

    func run() async throws {
        try? await gracefulShutdown()
        draining.start()
        try? await Task.sleep(for: delay)
    }
}
