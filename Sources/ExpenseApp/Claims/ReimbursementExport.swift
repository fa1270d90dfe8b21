import ExpenseCore
import Hummingbird
import NIOCore

/// The reimbursements CSV, for the bank or the accountant: one record per claim paid back in
/// the period and currency (member, email, claim, its id, currency, amount, paid on,
/// reference), with the other exports' conventions (byte-order mark, RFC 4180, exact decimals).
enum ReimbursementExport {
    static let header = CSV.record(
        ["member", "email", "claim", "claim_id", "currency", "amount", "paid_on", "reference"].map(CSV.Field.value))

    static func response(_ parameters: [String: String], access: TenantAccess, claims: ClaimService) async throws
        -> Response
    {
        let (from, to) = try PeriodQuery.parse(parameters)
        var text = CSVExports.byteOrderMark + header
        for payment in try await claims.payments(access, from: from, to: to) {
            text += CSV.record([
                .text(payment.memberName), .text(payment.memberEmail), .text(payment.title),
                .value(payment.claimID.description), .value(payment.total.currency.code),
                .value(payment.total.decimalString), .value(payment.paidOn.description), .text(payment.reference),
            ])
        }
        let name = CSVExports.fileName(
            organization: access.organization.name, kind: "reimbursements",
            from: parameters["from"].map { _ in from }, to: parameters["to"].map { _ in to })
        return Response(
            status: .ok, headers: CSVResponses.headers(fileName: name),
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
