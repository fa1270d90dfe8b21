import Foundation
import Logging
import Synchronization
import Testing

@testable import ExpenseApp

@Suite struct LoggingTests {
    final class Lines: Sendable {
        let storage = Mutex<[String]>([])
        var all: [String] { storage.withLock { $0 } }
        func append(_ line: String) { storage.withLock { $0.append(line) } }
    }

    func logger(_ format: AppConfig.LogFormat, into lines: Lines) -> Logger {
        Logger(label: "test") { label in
            AppLogHandler(label: label, level: .info, format: format, sink: { lines.append($0) })
        }
    }

    @Test func textLinesEscapeControlCharactersSoNothingCanForgeALine() {
        let lines = Lines()
        logger(.text, into: lines).info(
            "request",
            metadata: ["path": "/a\nINFO forged line", "name": "tab\there"]
        )
        #expect(lines.all.count == 1)
        let line = lines.all[0]
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false)
        #expect(line.contains(#"path="/a\nINFO forged line""#))
        #expect(line.contains(#"name=tab\there"#))
    }

    @Test func jsonLinesAreValidJSONWithEveryField() throws {
        let lines = Lines()
        logger(.json, into: lines).warning("odd \"quote\"", metadata: ["request_id": "abc", "path": "/x\u{0}y"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: String]
        )
        #expect(object["level"] == "warning")
        #expect(object["message"] == "odd \"quote\"")
        #expect(object["request_id"] == "abc")
        #expect(object["path"] == "/x\u{0}y")
        #expect(object["time"] != nil)
    }

    @Test func belowTheLevelNothingIsWritten() {
        let lines = Lines()
        logger(.text, into: lines).debug("hidden")
        #expect(lines.all.isEmpty)
    }
}
