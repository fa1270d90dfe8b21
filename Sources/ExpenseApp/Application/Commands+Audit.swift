import ExpenseCore
import ExpenseStore
import Foundation
import Logging

extension ExpenseTracker {
    /// `audit verify [--org ID]`: walks each organization's audit chain (or the one given) and
    /// prints one line per organization on standard output: `ok ID entries=N head=SEQ:HASH`, or
    /// `broken ID entry=SEQ id=UUID: what happened`. Returns whether every chain held.
    public static func verifyAudit(config: AppConfig, organization: String?) async throws -> Bool {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        let only: TenantID?
        if let organization {
            guard let id = TenantID(uuidString: organization) else {
                throw AuditCommandError("--org takes an organization's id (a UUID), not \(organization)")
            }
            only = id
        } else {
            only = nil
        }
        let lines = try await withDatabase(config: config, schema: .requireCurrent, logger: logger) { dependencies in
            let store = Store(database: dependencies.database)
            let all = try await store.allOrganizationIDs()
            if let only, !all.contains(only) {
                throw AuditCommandError("No organization has the id \(only).")
            }
            let ids = only.map { [$0] } ?? all
            var lines: [(ok: Bool, text: String)] = []
            for id in ids {
                let result = try await store.withTenant(id) { tx in try await store.audit.verify(tx) }
                if let broken = result.firstBreak {
                    let entry = broken.id.map { " id=\($0.uuidString.lowercased())" } ?? ""
                    lines.append((false, "broken \(id) entry=\(broken.seq)\(entry): \(broken.detail)"))
                } else {
                    lines.append(
                        (true, "ok \(id) entries=\(result.entries) head=\(result.head.seq):\(result.head.hash)"))
                }
            }
            return lines
        }
        let text = lines.map(\.text).joined(separator: "\n")
        FileHandle.standardOutput.write(Data((text.isEmpty ? "" : text + "\n").utf8))
        return lines.allSatisfy(\.ok)
    }
}

/// A mistake in the command's arguments, said as it is.
struct AuditCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
