import ExpenseCore
import ExpenseTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ExpenseApp

/// `/api/docs` shows every operation of `openapi.yaml`, and the lists the schema states (the
/// currencies, the time zones) are the ones the server takes.
@Suite struct APIReferenceTests {
    /// The description in the source tree, read here without the app's YAML parser.
    static let yaml: String = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/ExpenseApp/Resources/openapi.yaml")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }()

    /// "METHOD path" of every operation, counted from the file's lines: a path at two spaces of
    /// indentation under `paths:`, a method at four under it.
    static func operationsInFile() -> [String] {
        var operations: [String] = []
        var path: String?
        var inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            for method in ["get", "put", "post", "patch", "delete"] where line == "    \(method):" {
                operations.append("\(method.uppercased()) \(path ?? "?")")
            }
        }
        return operations
    }

    /// The values of the `enum: [...]` of the named component schema.
    static func enumValues(of schema: String) -> [String] {
        guard let start = yaml.range(of: "\n    \(schema):\n"),
            let open = yaml.range(of: "enum: [", range: start.upperBound..<yaml.endIndex),
            let close = yaml.range(of: "]", range: open.upperBound..<yaml.endIndex)
        else { return [] }
        return yaml[open.upperBound..<close.lowerBound].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    @Test func thePageListsEveryOperationOfTheFile() async throws {
        let operations = Self.operationsInFile()
        #expect(operations.count >= 40)
        try await HealthTests.app(.sqlite).test(.router) { client in
            try await client.execute(uri: "/api/docs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                #expect(html.components(separatedBy: "<section class=\"operation\"").count - 1 == operations.count)
                for operation in operations {
                    let (method, path) = (operation.prefix { $0 != " " }, operation.drop { $0 != " " }.dropFirst())
                    #expect(html.contains("<span class=\"method\">\(method)</span> \(path)</code>"), "\(operation)")
                }
                #expect(html.contains("\(operations.count) operations."))
                // Rules of the schema are shown, escaped, next to their fields.
                #expect(html.contains("<code>^[A-Za-z0-9_-]{43}$</code>"))
                #expect(html.contains("1 to 200 characters"))
                #expect(html.contains("The 158 values"))
                #expect(!html.contains("<script"))
            }
        }
    }

    @Test func theReferenceReadsEveryOperationWithItsParametersAndBody() throws {
        let reference = try APIReference(yaml: Self.yaml)
        let operations = reference.sections.flatMap(\.operations)
        #expect(operations.map { "\($0.method) \($0.path)" }.sorted() == Self.operationsInFile().sorted())
        #expect(reference.operationCount == operations.count)
        let create = try #require(operations.first { $0.anchor == "createExpense" })
        #expect(create.parameters.map(\.name) == ["orgId"] && create.parameters[0].required)
        let body = try #require(create.body)
        #expect(body.fields.filter(\.required).map(\.name) == ["amount", "date"])
        #expect(body.rules.contains("A field not listed here is refused (400)."))
        let tags = try #require(body.fields.first { $0.name == "tags" })
        #expect(tags.rules.contains("at most 10 items"))
        #expect(create.responses.map(\.status).contains("201"))
        #expect(operations.first { $0.anchor == "register" }?.signedIn == false)
        #expect(operations.first { $0.anchor == "me" }?.signedIn == true)
    }

    @Test func theSchemasCurrenciesAreExactlyTheServers() {
        #expect(Self.enumValues(of: "CurrencyCode") == Currency.knownCodes)
    }

    /// Every zone the schema lists is one the server takes (the server may take a few more:
    /// older aliases such as US/Eastern, which the schema does not advertise).
    @Test func everyTimeZoneTheSchemaListsIsAccepted() throws {
        let zones = Self.enumValues(of: "TimeZoneName")
        #expect(zones.count > 400 && zones.contains("UTC") && zones.contains("Europe/Lisbon"))
        for zone in zones { #expect(throws: Never.self, "\(zone)") { _ = try TimeZoneName.parse(zone) } }
        #expect(zones.allSatisfy { !$0.hasPrefix("Etc/") })
    }
}
