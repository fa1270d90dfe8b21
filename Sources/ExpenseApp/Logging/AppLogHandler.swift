import Foundation
import Logging

/// Writes one line per log event to standard error, as text for people or JSON for collectors.
///
/// Every value is escaped: a control character in user-supplied text (a path, a name) is written
/// as an escape sequence, so nobody can forge a log line. swift-log ships no JSON handler, and
/// its `StreamLogHandler` writes metadata unescaped, hence this small one.
public struct AppLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: AppConfig.LogFormat
    let sink: @Sendable (String) -> Void

    public init(
        label: String,
        level: Logger.Level,
        format: AppConfig.LogFormat,
        sink: @escaping @Sendable (String) -> Void = AppLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let timestamp = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
        let line: String
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.escapeText("\($0.value)"))" }
            line =
                ([timestamp, event.level.rawValue.uppercased(), label, Self.escapeText("\(event.message)")] + fields)
                .joined(separator: " ")
        case .json:
            var object: [(String, String)] = [
                ("time", timestamp), ("level", event.level.rawValue), ("logger", label),
                ("message", "\(event.message)"),
            ]
            object += merged.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
            line = "{" + object.map { "\(Self.jsonString($0.0)):\(Self.jsonString($0.1))" }.joined(separator: ",") + "}"
        }
        sink(line + "\n")
    }

    /// Text values: quoted when they hold spaces, with every control character escaped.
    static func escapeText(_ value: String) -> String {
        var escaped = ""
        var needsQuotes = value.isEmpty
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case "\"": escaped += "\\\""; needsQuotes = true
            case "\\": escaped += "\\\\"
            case " ": escaped += " "; needsQuotes = true
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                    escaped += String(format: "\\u{%04X}", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return needsQuotes ? "\"\(escaped)\"" : escaped
    }

    static func jsonString(_ value: String) -> String {
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F
                    || (scalar.value <= 0xFFFF && scalar.properties.generalCategory == .format)
                {
                    escaped += String(format: "\\u%04x", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension AppLogHandler {
    /// Installs this handler for every logger in the process. Call once, at start.
    public static func bootstrap(level: Logger.Level, format: AppConfig.LogFormat) {
        LoggingSystem.bootstrap { label in
            AppLogHandler(label: label, level: level, format: format)
        }
    }
}
