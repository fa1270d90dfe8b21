import Foundation

/// Where the SQL migration files shipped with this build live.
///
/// `Migrations/postgres/*.sql` and `Migrations/sqlite/*.sql` are copied into a SwiftPM resource
/// bundle at build time. `swift run` finds it inside `.build`; an installed binary finds it
/// beside itself (`expense-tracker_ExpenseMigrations.resources`), which is where the container
/// build and the install instructions put it.
public enum MigrationFiles {
    /// The folder holding one dialect's files (`"postgres"` or `"sqlite"`), if the bundle has it.
    public static func directory(dialect: String) -> URL? {
        Bundle.module.url(forResource: dialect, withExtension: nil)
    }
}
