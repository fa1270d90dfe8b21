// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "expense-tracker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "expense-tracker", targets: ["expense-tracker"]),
        .library(name: "ExpenseApp", targets: ["ExpenseApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.4.0",
            traits: [.defaults, "CommandLineArguments"]
        ),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // libcurl, for the SMTP transport. Typed wrappers around the variadic C calls live in shim.h.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The domain: no I/O, no database, no networking.
        .target(name: "ExpenseCore", swiftSettings: swiftSettings),
        // SQL files, shipped as a resource bundle beside the binary.
        .target(
            name: "ExpenseMigrations",
            path: "Migrations",
            exclude: ["README.md"],
            sources: ["MigrationFiles.swift"],
            resources: [.copy("postgres"), .copy("sqlite")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ExpenseStore",
            dependencies: [
                "ExpenseCore",
                "ExpenseMigrations",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // The pool's `ConnectionPoolError`, mapped to `StoreError.unavailable`.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ExpenseMail",
            dependencies: [
                "ExpenseCore",
                "ExpenseStore",
                "CCurl",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Templates")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ExpenseApp",
            dependencies: [
                "ExpenseCore",
                "ExpenseStore",
                "ExpenseMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                "CCurl",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // Reads openapi.yaml for the /api/docs reference page.
                .product(name: "Yams", package: "Yams"),
                // Receipt uploads: multipart bodies parsed as they stream in, spooled to a file.
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "expense-tracker",
            dependencies: [
                "ExpenseApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ExpenseTestSupport",
            dependencies: [
                "ExpenseCore",
                "ExpenseStore",
                "ExpenseMail",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ExpenseCoreTests", dependencies: ["ExpenseCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ExpenseStoreTests",
            dependencies: ["ExpenseStore", "ExpenseCore", "ExpenseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExpenseMailTests",
            dependencies: [
                "ExpenseCore", "ExpenseMail", "ExpenseStore", "ExpenseTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The reviewed message snapshots, read from the source tree by path.
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExpenseAppTests",
            dependencies: [
                "ExpenseApp",
                "ExpenseMail",
                "ExpenseStore",
                "ExpenseTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The reviewed page snapshots, read from the source tree by path.
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
    ]
)
