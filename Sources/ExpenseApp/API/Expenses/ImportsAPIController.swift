import ExpenseCore
import ExpenseStore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/orgs/{orgId}/imports` (multipart: `file`, `format`, and for a bank's CSV
/// `mapping`, `date_format`, `decimal_separator`, `delimiter`; `dry_run`), `GET .../imports`
/// and `GET .../imports/{importId}`.
struct ImportsAPIController: Sendable {
    let imports: ImportService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("imports", use: list)
        group.get("imports/:importId", use: show)
    }

    /// The start, on the group whose files are spooled before their transaction starts.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("imports", use: start)
    }

    @Sendable func start(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let file = try Upload.requireFile(context.upload, limit: ImportService.maximumFileBytes)
        let record = try await imports.start(context.access, file: file, try Self.request(context.upload))
        var response = try ImportResponse(record).response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] =
            "/api/v1/orgs/\(context.access.tenantID)/imports/\(record.id.uuidString.lowercased())"
        return response
    }

    /// The form's text fields (the file is the part named `file`).
    static let fieldNames: Set<String> = [
        "format", "mapping", "date_format", "decimal_separator", "delimiter", "dry_run",
    ]

    /// The form's fields as an import request; `dry_run` is `true` or `false` (absent: false).
    static func request(_ upload: Upload?) throws -> ImportService.Request {
        try upload?.requireFields(known: fieldNames)
        let dryRun = upload?.field("dry_run")
        guard dryRun == nil || dryRun == "true" || dryRun == "false" else {
            throw AppError.validation(.init("dry_run", "Send dry_run as true or false."))
        }
        return ImportService.Request(
            format: upload?.field("format"), mapping: upload?.field("mapping"),
            dateFormat: upload?.field("date_format"), decimalSeparator: upload?.field("decimal_separator"),
            delimiter: upload?.field("delimiter"), dryRun: dryRun == "true")
    }

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> ImportResponse {
        guard let id = UUID(uuidString: context.parameters.get("importId") ?? "") else { throw AppError.notFound }
        return ImportResponse(try await imports.find(context.access, id: id))
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<ImportResponse> {
        ItemList(items: try await imports.list(context.access).map(ImportResponse.init))
    }
}

/// An import: `{id, member_id, format, filename, dry_run, status, rows, imported, skipped,
/// error_count, errors, preview, detail, created_at, finished_at}`. `status` is `running`,
/// `done` or `failed`; `errors` holds the first 1,000 problems as `{row, field, detail}`.
struct ImportResponse: ResponseEncodable, Sendable {
    var record: ImportRepository.Record

    init(_ record: ImportRepository.Record) { self.record = record }

    enum CodingKeys: String, CodingKey {
        case id, format, filename, status, rows, imported, skipped, errors, preview, detail
        case memberID = "member_id"
        case dryRun = "dry_run"
        case errorCount = "error_count"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id.uuidString.lowercased(), forKey: .id)
        try container.encode(record.memberID.description, forKey: .memberID)
        try container.encode(record.format, forKey: .format)
        try container.encode(record.filename, forKey: .filename)
        try container.encode(record.dryRun, forKey: .dryRun)
        try container.encode(record.status, forKey: .status)
        try container.encode(record.rows, forKey: .rows)
        try container.encode(record.imported, forKey: .imported)
        try container.encode(record.skipped, forKey: .skipped)
        try container.encode(record.errorCount, forKey: .errorCount)
        try container.encode(record.problems, forKey: .errors)
        try container.encode(record.previewRows, forKey: .preview)
        try container.encode(record.detail, forKey: .detail)
        try container.encode(UTCTimestamp.format(record.createdAt), forKey: .createdAt)
        try container.encode(record.finishedAt.map(UTCTimestamp.format), forKey: .finishedAt)
    }
}
