import ExpenseStore
import Foundation
import Logging

extension ExpenseTracker {
    /// Why `backup` refused or failed; it leaves no file behind either way.
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
    /// that key is the data directory's key file (no `SECRET_KEY`), it is copied to `keyFile`
    /// (`FILE.key` unless named; one that already holds the key is kept), since a restore
    /// without it leaves every enrolled authenticator's codes refused and every webhook's
    /// deliveries failing; with `SECRET_KEY` set, the restore needs that same value. Both files
    /// are made exclusively with mode 0600, and a backup that fails leaves no copy behind.
    public static func backup(config: AppConfig, to file: String, keyFile: String? = nil) async throws {
        AppLogHandler.bootstrap(level: config.logLevel, format: config.logFormat)
        let logger = Logger(label: "expense-tracker")
        guard case .sqlite = config.database else {
            throw BackupRefusal(
                description:
                    "DATABASE_URL names PostgreSQL: back it up with pg_dump -Fc and restore with pg_restore (deploy/backup.md)"
            )
        }
        let target = URL(fileURLWithPath: file).standardizedFileURL.path
        let keyTarget = URL(fileURLWithPath: keyFile ?? file + ".key").standardizedFileURL.path
        let keySource = SecretBox.keyFile(in: config)
        let key = config.secretKey == nil ? FileManager.default.contents(atPath: keySource) : nil
        // The key changes only if its file is deleted, so one copy serves every backup: a key
        // file that already holds this key is kept as it is; one that holds another is refused.
        var keyAlreadyThere = false
        if let key, FileManager.default.fileExists(atPath: keyTarget) {
            guard FileManager.default.contents(atPath: keyTarget) == key else {
                throw BackupRefusal(
                    description: "\(keyTarget) holds another key; choose a new file (a backup never overwrites one)")
            }
            keyAlreadyThere = true
        }
        let started = ContinuousClock.now
        // Made empty first (SQLite writes a copy into an empty file), so it is never anyone
        // else's file and never readable by others: it holds password and token hashes.
        do { try PrivateFile.create(target) } catch let failure as PrivateFile.Failure {
            throw BackupRefusal(description: failure.description)
        }
        do {
            try await withDatabase(config: config, schema: .requireCurrent, logger: logger) { dependencies in
                guard let database = dependencies.database as? SQLiteDatabase else {
                    throw BackupRefusal(description: "the embedded database did not open as SQLite")
                }
                try await database.backup(to: target)
            }
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
                throw BackupRefusal(description: "the copy failed SQLite's integrity check: \(check)")
            }
            if let key, !keyAlreadyThere {
                do { try PrivateFile.create(keyTarget, contents: key) } catch let failure as PrivateFile.Failure {
                    throw BackupRefusal(description: failure.description)
                }
            }
        } catch {
            // Half a backup is none: the copy goes (with the log files SQLite may have made beside
            // it while checking it), so the same name can be used again.
            for path in [target, target + "-wal", target + "-shm"] { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        var metadata: Logger.Metadata = [
            "file": .string(target), "bytes": "\(size)", "integrity": "ok",
            "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started) / .seconds(1)))",
        ]
        if config.secretKey != nil {
            metadata["sealed_secrets"] = "restore with the same SECRET_KEY"
        } else if key != nil {
            metadata["key_file"] = .string(keyTarget)
            metadata["sealed_secrets"] = "restore the key file as DATA_DIR/secret.key; keep it apart from the backups"
        } else {
            metadata["sealed_secrets"] =
                .string("no key at \(keySource): nothing is sealed yet, or DATA_DIR or SECRET_KEY is not the server's")
        }
        logger.notice("backup written", metadata: metadata)
    }
}
