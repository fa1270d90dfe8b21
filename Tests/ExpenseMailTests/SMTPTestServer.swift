import ExpenseTestSupport
import Foundation
import Testing

@testable import ExpenseMail

/// `scripts/smtp-test-server.py` (aiosmtpd) on a free loopback port, for as long as a test runs.
final class SMTPTestServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    /// Whether the tests can run one here; `make test` installs aiosmtpd and requires it.
    static var available: Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import aiosmtpd"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    static var required: Bool { ProcessInfo.processInfo.environment["EXPENSE_TRACKER_REQUIRE_SMTP"] == "1" }

    init(arguments: [String] = []) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", root.appendingPathComponent("scripts/smtp-test-server.py").path, String(port), directory.path]
            + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // "ready" once it listens.
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).contains("ready") else {
            kill(process.processIdentifier, SIGKILL)
            throw SMTPServerFailed()
        }
    }

    /// The SMTP transport to `server`, plain (no TLS), with short timeouts.
    static func transport(_ server: SMTPTestServer) -> SMTPTransport {
        SMTPTransport(
            settings: .init(url: "smtp://127.0.0.1:\(server.port)", startTLS: .off, connectTimeout: 5, timeout: 20),
            logger: TestDatabases.logger)
    }

    /// The messages it accepted, oldest first, each as received (with envelope lines on top).
    func messages() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map {
            try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }
    }

    deinit {
        // SIGKILL: a child of Foundation's Process may have SIGTERM blocked.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.bind(socket, generic, length) == 0 && getsockname(socket, generic, &length) == 0
            }
        }
        guard bound else { throw SMTPServerFailed() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct SMTPServerFailed: Error {}

/// A self-signed certificate for 127.0.0.1, made with openssl, for STARTTLS tests.
struct TestCertificate {
    let certificate: String
    let key: String

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificate = directory.appendingPathComponent("cert.pem").path
        key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw SMTPServerFailed() }
    }
}
