import ExpenseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The expense and expense-list bodies written straight into the response buffer: the bytes
/// `AppJSON.encoder` makes of `ExpenseResponse` and `ExpensePageResponse` (keys sorted by
/// their UTF-8 bytes, no spaces, `null` for a missing category or cursor), without building
/// the response structs, their strings or Foundation's intermediate tree. Those two types stay
/// as the definition these bytes are tested against.
enum ExpenseJSON {
    /// `{"items":[...],"next_cursor":...}`.
    /// `base`: the organization's currency, which `base_amount` is in.
    static func page(_ items: [Expense], nextCursor: String?, base: Currency) -> ByteBuffer {
        var capacity = 32 + (nextCursor?.utf8.count ?? 0)
        for expense in items { capacity += estimatedSize(expense) + 1 }
        var buffer = ByteBufferAllocator().buffer(capacity: capacity)
        buffer.writeStaticString(#"{"items":["#)
        for (index, expense) in items.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            write(expense, base: base, into: &buffer)
        }
        buffer.writeStaticString(#"],"next_cursor":"#)
        buffer.writeJSONString(nextCursor)
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// One expense object.
    static func expense(_ expense: Expense, base: Currency) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: estimatedSize(expense))
        write(expense, base: base, into: &buffer)
        return buffer
    }

    /// The keys in the order `.sortedKeys` puts them.
    static func write(_ expense: Expense, base: Currency, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"amount":""#)
        buffer.writeDecimal(expense.amount)
        buffer.writeStaticString(#"","base_amount":"#)
        if let minor = expense.baseMinorUnits, let amount = Money(minorUnits: minor, currency: base) {
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeDecimal(amount)
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(#","category_id":"#)
        if let category = expense.categoryID {
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeLowercaseUUID(category.rawValue)
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(#","category_name":"#)
        buffer.writeJSONString(expense.categoryName)
        buffer.writeStaticString(#","claim_id":"#)
        if let claim = expense.claimID {
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeLowercaseUUID(claim.rawValue)
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(#","created_at":""#)
        buffer.writeUTCTimestamp(expense.createdAt)
        buffer.writeStaticString(#"","currency":"#)
        buffer.writeJSONString(expense.amount.currency.code)
        buffer.writeStaticString(#","date":""#)
        buffer.writeCalendarDate(expense.date)
        buffer.writeStaticString(#"","id":""#)
        buffer.writeLowercaseUUID(expense.id.rawValue)
        buffer.writeStaticString(#"","member_id":""#)
        buffer.writeLowercaseUUID(expense.memberID.rawValue)
        buffer.writeStaticString(#"","member_name":"#)
        buffer.writeJSONString(expense.memberName)
        buffer.writeStaticString(#","merchant":"#)
        buffer.writeJSONString(expense.merchant)
        buffer.writeStaticString(#","note":"#)
        buffer.writeJSONString(expense.note)
        buffer.writeStaticString(#","receipt_count":"#)
        buffer.writeDecimal(expense.receiptCount)
        buffer.writeStaticString(#","recurring_id":"#)
        if let recurring = expense.recurringID {
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeLowercaseUUID(recurring.rawValue)
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(expense.reimbursable ? #","reimbursable":true"# : #","reimbursable":false"#)
        buffer.writeStaticString(#","tags":["#)
        for (index, tag) in expense.tags.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeJSONString(tag)
        }
        buffer.writeStaticString(#"],"updated_at":""#)
        buffer.writeUTCTimestamp(expense.updatedAt)
        buffer.writeStaticString(#"","version":"#)
        buffer.writeDecimal(expense.version)
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    /// Room for the fixed part (keys, ids, dates: about 300 bytes) and the free text unescaped,
    /// so most objects are written without the buffer growing.
    static func estimatedSize(_ expense: Expense) -> Int {
        var size = 340 + expense.merchant.utf8.count + expense.note.utf8.count + expense.memberName.utf8.count
        size += expense.categoryName?.utf8.count ?? 0
        for tag in expense.tags { size += tag.utf8.count + 3 }
        return size
    }

    /// The response as Hummingbird's `JSONEncoder` conformance makes it: `headers` first, then
    /// `Content-Type: application/json; charset=utf-8` and `Content-Length`.
    static func response(_ body: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields.append(HTTPField(name: .contentType, value: "application/json; charset=utf-8"))
        fields.append(HTTPField(name: .contentLength, value: String(body.readableBytes)))
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}
