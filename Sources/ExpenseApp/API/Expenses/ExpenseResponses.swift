import ExpenseCore
import ExpenseStore
import Foundation
import Hummingbird

/// An expense as the API shows it. `version` is also its ETag.
struct ExpenseResponse: ResponseEncodable {
    var id: String
    var amount: String
    /// In the organization's currency; nil (null) while no rate converts it.
    var baseAmount: String?
    var currency: String
    var date: String
    var categoryID: String?
    var categoryName: String?
    var merchant: String
    var note: String
    var tags: [String]
    var memberID: String
    var memberName: String
    var version: Int
    var receiptCount: Int
    var reimbursable: Bool
    var claimID: String?
    /// The schedule that wrote it, for an occurrence of a recurring expense.
    var recurringID: String?
    /// Formatted here rather than by the encoder's date strategy: lists encode a hundred of them.
    var createdAt: String
    var updatedAt: String

    init(_ expense: Expense, base: Currency) {
        id = expense.id.description
        amount = expense.amount.decimalString
        baseAmount = expense.baseMinorUnits.flatMap { Money(minorUnits: $0, currency: base) }?.decimalString
        currency = expense.amount.currency.code
        date = expense.date.description
        categoryID = expense.categoryID?.description
        categoryName = expense.categoryName
        merchant = expense.merchant
        note = expense.note
        tags = expense.tags
        memberID = expense.memberID.description
        memberName = expense.memberName
        version = expense.version
        receiptCount = expense.receiptCount
        reimbursable = expense.reimbursable
        claimID = expense.claimID?.description
        recurringID = expense.recurringID?.description
        createdAt = UTCTimestamp.format(expense.createdAt)
        updatedAt = UTCTimestamp.format(expense.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, amount, currency, date, merchant, note, tags, version
        case baseAmount = "base_amount"
        case categoryID = "category_id"
        case categoryName = "category_name"
        case memberID = "member_id"
        case memberName = "member_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case receiptCount = "receipt_count"
        case reimbursable
        case claimID = "claim_id"
        case recurringID = "recurring_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(amount, forKey: .amount)
        try container.encode(baseAmount, forKey: .baseAmount)
        try container.encode(currency, forKey: .currency)
        try container.encode(date, forKey: .date)
        try container.encode(categoryID, forKey: .categoryID)
        try container.encode(categoryName, forKey: .categoryName)
        try container.encode(merchant, forKey: .merchant)
        try container.encode(note, forKey: .note)
        try container.encode(tags, forKey: .tags)
        try container.encode(memberID, forKey: .memberID)
        try container.encode(memberName, forKey: .memberName)
        try container.encode(version, forKey: .version)
        try container.encode(receiptCount, forKey: .receiptCount)
        try container.encode(reimbursable, forKey: .reimbursable)
        try container.encode(recurringID, forKey: .recurringID)
        try container.encode(claimID, forKey: .claimID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A keyset page: `{items, next_cursor}`, the cursor null on the last page.
struct CursorPage<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

typealias ExpensePageResponse = CursorPage<ExpenseResponse>

struct CategoryResponse: ResponseEncodable {
    var id: String
    var name: String
    var archived: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ category: Category) {
        id = category.id.description
        name = category.name
        archived = category.isArchived
        createdAt = category.createdAt
        updatedAt = category.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, archived
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `{period, from, to, group_by, totals, groups, buckets: [{start, end, totals, groups}]}`.
struct TotalsResponse: ResponseEncodable {
    struct Amount: Encodable, Sendable {
        var currency: String
        var amount: String
        var count: Int

        init(_ total: MoneyTotal) {
            currency = total.currency.code
            amount = total.decimalString
            count = total.count
        }
    }

    struct Group: Encodable, Sendable {
        var id: String?
        var name: String
        var totals: [Amount]
        var unconverted: Int?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(totals, forKey: .totals)
            try container.encodeIfPresent(unconverted, forKey: .unconverted)
        }

        enum CodingKeys: String, CodingKey { case id, name, totals, unconverted }
    }

    struct Bucket: Encodable, Sendable {
        var start: String
        var end: String
        var totals: [Amount]
        var groups: [Group]
        /// Base-currency reports only: expenses left out for want of a rate.
        var unconverted: Int?
        /// Every day of it is on or before the closed-through date.
        var closed: Bool
    }

    var period: String
    /// `base` or `original`.
    var currency: String
    var unconverted: Int?
    var from: String
    var to: String
    var groupBy: String?
    var totals: [Amount]
    var groups: [Group]
    var buckets: [Bucket]
    var closedThrough: String?

    init(_ result: ReportService.Totals) {
        let report = result.report
        let inBase = result.inBase
        func groups(_ groups: [TotalsReport.Group]) -> [Group] {
            groups.map {
                Group(
                    id: $0.key, name: result.name(of: $0.key), totals: $0.totals.map(Amount.init),
                    unconverted: inBase ? $0.unconverted : nil)
            }
        }
        currency = inBase ? "base" : "original"
        unconverted = inBase ? report.unconverted : nil
        period = report.period.rawValue
        from = report.range.from.description
        to = report.range.to.description
        groupBy =
            switch result.groupBy {
            case .category: "category"
            case .member: "member"
            case nil: nil
            }
        totals = report.totals.map(Amount.init)
        self.groups = groups(report.groups)
        buckets = report.buckets.map { bucket in
            Bucket(
                start: bucket.start.description, end: bucket.end.description, totals: bucket.totals.map(Amount.init),
                groups: groups(bucket.groups), unconverted: inBase ? bucket.unconverted : nil,
                closed: result.isClosed(bucket))
        }
        closedThrough = result.closedThrough?.description
    }

    enum CodingKeys: String, CodingKey {
        case period, from, to, totals, groups, buckets, currency, unconverted
        case groupBy = "group_by"
        case closedThrough = "closed_through"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        try container.encode(closedThrough, forKey: .closedThrough)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(groupBy, forKey: .groupBy)
        try container.encode(currency, forKey: .currency)
        try container.encodeIfPresent(unconverted, forKey: .unconverted)
        try container.encode(totals, forKey: .totals)
        try container.encode(groups, forKey: .groups)
        try container.encode(buckets, forKey: .buckets)
    }
}
