import ExpenseCore
import Foundation
import HTTPTypes
import Hummingbird

/// Receipts of one organization's expenses, and the accountant's archive of a period's.
struct ReceiptsAPIController: Sendable {
    let receipts: ReceiptService

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("expenses/:expenseId/receipts", use: list)
        group.get("receipts/:receiptId", use: download)
        group.delete("receipts/:receiptId", use: remove)
        group.get("exports/receipts.zip", use: archive)
    }

    /// The upload, on the group whose requests are spooled before their transaction starts.
    func addUploadRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.post("expenses/:expenseId/receipts", use: upload)
    }

    @Sendable func upload(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let expenseID = try context.parameters.id(ExpenseID.self, "expenseId")
        let file = try Upload.requireFile(context.upload, limit: receipts.limits.maxFileBytes)
        let receipt = try await receipts.add(context.access, to: expenseID, file)
        var response = try ReceiptResponse(receipt).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/orgs/\(context.access.tenantID)/receipts/\(receipt.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: OrgRequestContext) async throws -> ItemList<ReceiptResponse> {
        let expenseID = try context.parameters.id(ExpenseID.self, "expenseId")
        return ItemList(items: try await receipts.list(context.access, expense: expenseID).map(ReceiptResponse.init))
    }

    @Sendable func download(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let receipt = try await receipts.find(
            context.access, id: try context.parameters.id(ReceiptID.self, "receiptId"))
        return ReceiptResponses.file(receipt, bytes: receipts.bytes(of: receipt, in: context.access), request: request)
    }

    @Sendable func remove(_ request: Request, context: OrgRequestContext) async throws -> Response {
        _ = try await receipts.remove(context.access, id: try context.parameters.id(ReceiptID.self, "receiptId"))
        return Response(status: .noContent)
    }

    @Sendable func archive(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try ReceiptArchive.response(request.queryValues, access: context.access, receipts: receipts)
    }
}

/// `{id, expense_id, media_type, size, sha256, filename, uploaded_by, created_at}`.
struct ReceiptResponse: ResponseEncodable {
    var id: String
    var expenseID: String
    var mediaType: String
    var size: Int64
    var sha256: String
    var filename: String
    var uploadedBy: String
    var createdAt: String

    init(_ receipt: Receipt) {
        id = receipt.id.description
        expenseID = receipt.expenseID.description
        mediaType = receipt.kind.mediaType
        size = receipt.size
        sha256 = receipt.sha256Hex
        filename = receipt.filename
        uploadedBy = receipt.uploadedBy.description
        createdAt = UTCTimestamp.format(receipt.createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, size, sha256, filename
        case expenseID = "expense_id"
        case mediaType = "media_type"
        case uploadedBy = "uploaded_by"
        case createdAt = "created_at"
    }
}
