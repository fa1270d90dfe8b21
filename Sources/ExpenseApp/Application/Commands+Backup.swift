import ExpenseStore
import Foundation
import Logging

extension ExpenseTracker {
    /// Why `backup` refused before copying anything.
    public struct BackupRefusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// `backup FILE`: a consistent copy of the embedded SQLite database, taken while the server
    /// may be running (SQLite's `VACUUM INTO`), then checked page by page. Restoring is copying
    /// the file back to `DATA_DIR/expense-tracker.sqlite` with the server stopped (README,
    /// "Backup and restore"). On PostgreSQL the tools are `pg_dump` and `pg_restore`, which
    /// this command names instead of wrapping.
    public static func backup(config: AppConfig, to file: String) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        guard case .sqlite = config.database else {
            throw BackupRefusal(
                description:
                    "DATABASE_URL names PostgreSQL: back it up with pg_dump -Fc and restore with pg_restore (deploy/backup.md)"
            )
        }
        let target = URL(fileURLWithPath: file).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: target) else {
            throw BackupRefusal(description: "\(target) exists; choose a new file (a backup never overwrites one)")
        }
        let started = ContinuousClock.now
        try await withDatabase(config: config, schema: .requireCurrent, logger: logger) { dependencies in
            guard let database = dependencies.database as? SQLiteDatabase else {
                throw BackupRefusal(description: "the embedded database did not open as SQLite")
            }
            try await database.backup(to: target)
        }
        // It holds password and token hashes: readable by the server's user alone, whatever the umask.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        let copy = try await SQLiteDatabase.open(path: target, logger: logger)
        let check: String
        do {
            check = try await copy.integrityCheck()
            try await copy.close()
        } catch {
            try? await copy.close()
            throw error
        }
        guard check == "ok" else {
            throw BackupRefusal(description: "the copy at \(target) failed SQLite's integrity check: \(check)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        logger.notice(
            "backup written",
            metadata: [
                "file": .string(target), "bytes": "\(size)", "integrity": "ok",
                "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started) / .seconds(1)))",
            ])
    }
}
