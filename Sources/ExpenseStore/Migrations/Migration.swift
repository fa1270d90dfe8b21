import Crypto
import ExpenseCore
import ExpenseMigrations
import Foundation

/// One forward-only migration file.
public struct Migration: Sendable, Equatable {
    /// The file name without `.sql`, e.g. `0001_initial`.
    public let name: String
    public let sql: String
    /// SHA-256 of the file's bytes, hex.
    public let checksum: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
        self.checksum = Hex.lowercase(SHA256.hash(data: Data(sql.utf8)))
    }

    /// The migrations shipped with this build for a dialect, in order.
    public static func bundled(for dialect: SQLDialect) throws -> [Migration] {
        guard let directory = MigrationFiles.directory(dialect: dialect.rawValue) else {
            throw StoreError.migrationFilesMissing("no \(dialect.rawValue) folder in the resource bundle")
        }
        return try load(from: directory)
    }

    /// Reads every `NNNN_name.sql` file in a folder, sorted by name.
    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return try names.filter { $0.hasSuffix(".sql") }.sorted().map { file in
            let name = String(file.dropLast(4))
            guard name.wholeMatch(of: /[0-9]{4}_[a-z0-9_]+/) != nil else {
                throw StoreError.migrationFilesMissing("\(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Migration(name: name, sql: sql)
        }
    }
}
