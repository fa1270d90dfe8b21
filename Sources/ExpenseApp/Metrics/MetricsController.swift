import ExpenseCore
import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// `GET /metrics`: this process's metrics in Prometheus's text format, with the outbox backlog
/// read from the database at scrape time (so it is right whichever process runs the workers).
///
/// Counts of requests and mail say something about the business, so the endpoint is not
/// public: a scraper sends `Authorization: Bearer METRICS_TOKEN`, and without that setting only
/// connections from the loopback interface are answered (the peer's own address, never a header).
struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry
    let store: Store
    let token: String?
    let clock: AppClock

    func addRoutes(to router: Router<AppRequestContext>) {
        let backlog = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "mail_outbox_backlog", unitName: "",
                helpText: "Messages queued or being sent (all workers)."))
        let oldest = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "mail_outbox_oldest", unitName: "seconds",
                helpText: "Age of the oldest message not yet delivered."))
        router.get("metrics") { request, context -> Response in
            guard isAllowed(request, context: context) else {
                throw HTTPError(.notFound)
            }
            do {
                let now = clock.now()
                let (count, age) = try await store.withSystem { tx in try await store.outbox.backlog(tx, now: now) }
                backlog.set(Double(count))
                oldest.set(age)
            } catch {
                context.logger.warning("metrics: outbox backlog unavailable", metadata: ["error": "\(error)"])
            }
            var buffer = [UInt8]()
            buffer.reserveCapacity(4096)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }

    /// A 404 rather than 401 for everyone else: the endpoint does not advertise itself.
    private func isAllowed(_ request: Request, context: AppRequestContext) -> Bool {
        if let token {
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
            return CSRFProtection.constantTimeEquals(String(header.dropFirst("Bearer ".count)), token)
        }
        return context.peerIsLoopback
    }
}
