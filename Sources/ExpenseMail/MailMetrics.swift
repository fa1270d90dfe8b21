import CoreMetrics

/// What the mail worker counts (swift-metrics): messages sent, retried and given up. The
/// backend is passed in, so a server exposes its own registry and a test reads its own.
public struct MailMetrics: Sendable {
    let sent: Counter
    let retried: Counter
    let dead: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        sent = Counter(label: "mail_messages_sent_total", dimensions: [], factory: factory)
        retried = Counter(label: "mail_messages_retried_total", dimensions: [], factory: factory)
        dead = Counter(label: "mail_messages_dead_total", dimensions: [], factory: factory)
    }
}
