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
    ///
    /// Authenticator and webhook secrets are sealed under a key the database does not hold. When
    /// that key is the data directory's key file (no `SECRET_KEY`), it is copied to `FILE.key`,
    /// since a restore without it leaves every enrolled authenticator's codes refused and every
    /// webhook unsigned; with `SECRET_KEY` set, the restore needs that same value.
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
        let keyTarget = target + ".key"
        for path in [target, keyTarget] where FileManager.default.fileExists(atPath: path) {
            throw BackupRefusal(description: "\(path) exists; choose a new file (a backup never overwrites one)")
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
        var metadata: Logger.Metadata = [
            "file": .string(target), "bytes": "\(size)", "integrity": "ok",
            "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started) / .seconds(1)))",
        ]
        if config.secretKey != nil {
            metadata["sealed_secrets"] = "restore with the same SECRET_KEY"
        } else if let key = FileManager.default.contents(atPath: SecretBox.keyFile(in: config)) {
            guard
                FileManager.default.createFile(atPath: keyTarget, contents: key, attributes: [.posixPermissions: 0o600])
            else { throw BackupRefusal(description: "could not write the key file \(keyTarget)") }
            metadata["key_file"] = .string(keyTarget)
            metadata["sealed_secrets"] = "restore FILE.key as DATA_DIR/secret.key; keep it apart from the backup"
        }
        logger.notice("backup written", metadata: metadata)
    }
}
