import ExpenseCore
import Foundation
import PostgresNIO

/// Imports: the record of each (what, by whom, how it went) and the bulk write of its rows.
///
/// Rows go first to a temporary staging table (PostgreSQL: `COPY FROM`, which it refuses into a
/// table under row security; SQLite: multi-row inserts), then into `expenses` in one
/// `INSERT ... SELECT` that skips a row whose fingerprint the member's expenses already hold.
public struct ImportRepository: Sendable {
    public init() {}

    /// An import as stored.
    public struct Record: Sendable, Equatable {
        public var id: UUID
        public var memberID: UserID
        public var format: String
        public var filename: String
        public var dryRun: Bool
        public var status: String
        public var rows: Int
        public var imported: Int
        public var skipped: Int
        public var errorCount: Int
        /// JSON: the first problems, `[{row, field, detail}]`.
        public var errors: String
        /// JSON: the first rows as read.
        public var preview: String
        /// Why the whole file was refused, when it was.
        public var detail: String?
        public var createdAt: Date
        public var updatedAt: Date
        public var finishedAt: Date?
    }

    /// A row ready for `expenses`, its category found and its base amount decided.
    public struct StagedExpense: Sendable {
        public var id: ExpenseID
        public var categoryID: CategoryID?
        public var amount: Money
        public var date: CalendarDate
        public var merchant: String
        public var note: String
        public var tags: [String]
        public var baseMinorUnits: Int64?
        public var fingerprint: String

        public init(
            id: ExpenseID, categoryID: CategoryID?, amount: Money, date: CalendarDate, merchant: String, note: String,
            tags: [String], baseMinorUnits: Int64?, fingerprint: String
        ) {
            self.id = id
            self.categoryID = categoryID
            self.amount = amount
            self.date = date
            self.merchant = merchant
            self.note = note
            self.tags = tags
            self.baseMinorUnits = baseMinorUnits
            self.fingerprint = fingerprint
        }
    }

    public func create(
        _ tx: TenantTransaction, id: UUID, member: UserID, format: String, filename: String, dryRun: Bool,
        at now: Date
    ) async throws {
        try await tx.executor.execute(
            """
            INSERT INTO imports (tenant_id, id, member_id, format, filename, dry_run, status, created_at, updated_at)
            VALUES (\(tx.tenantID), \(id), \(member), \(format), \(filename), \(dryRun), 'running', \(now), \(now))
            """)
    }

    public func find(_ tx: TenantTransaction, id: UUID) async throws -> Record? {
        try await tx.executor.first(
            "SELECT \(unsafeRaw: Self.columns) FROM imports WHERE tenant_id = \(tx.tenantID) AND id = \(id)"
        ).map(Self.record)
    }

    /// The newest first, at most `limit`; only `member`'s when given.
    public func list(_ tx: TenantTransaction, member: UserID?, limit: Int) async throws -> [Record] {
        var sql: SQL = "SELECT \(unsafeRaw: Self.columns) FROM imports WHERE tenant_id = \(tx.tenantID)"
        if let member { sql.append(" AND member_id = \(member)") }
        sql.append(" ORDER BY created_at DESC, id LIMIT \(limit)")
        return try await tx.executor.query(sql).map(Self.record)
    }

    /// How far a running import has read (PostgreSQL only: SQLite's one writer is the import).
    public func progress(_ tx: TenantTransaction, id: UUID, rows: Int, at now: Date) async throws {
        try await tx.executor.execute(
            """
            UPDATE imports SET rows = \(rows), updated_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id) AND status = 'running'
            """)
    }

    /// Records how the import ended.
    public func finish(
        _ tx: TenantTransaction, id: UUID, status: String, rows: Int, imported: Int, skipped: Int, errorCount: Int,
        errors: String, preview: String, detail: String?, at now: Date
    ) async throws {
        try await tx.executor.execute(
            """
            UPDATE imports SET status = \(status), rows = \(rows), imported = \(imported), skipped = \(skipped),
                error_count = \(errorCount), errors = \(errors), preview = \(preview), detail = \(detail),
                updated_at = \(now), finished_at = \(now)
            WHERE tenant_id = \(tx.tenantID) AND id = \(id)
            """)
    }

    // MARK: The bulk write

    static let stagingColumns = [
        "seq", "id", "category_id", "amount_minor", "currency", "occurred_on", "merchant", "note", "tags",
        "base_amount_minor", "fingerprint",
    ]

    /// Stages the rows `produce` hands to its sink, in order, in a temporary table of the
    /// transaction; returns how many. `insertStaged` then writes them.
    @discardableResult
    public func stage(_ tx: TenantTransaction, produce: (inout StagingSink) async throws -> Void) async throws -> Int {
        let executor = tx.executor
        switch executor.dialect {
        case .postgres:
            try await executor.execute("DROP TABLE IF EXISTS pg_temp.import_staging")
            try await executor.execute(
                """
                CREATE TEMP TABLE import_staging (
                    seq integer, id uuid, category_id uuid, amount_minor bigint, currency text, occurred_on date,
                    merchant text, note text, tags text, base_amount_minor bigint, fingerprint text
                ) ON COMMIT DROP
                """)
            guard let postgres = executor as? PostgresExecutor else { preconditionFailure("a PostgreSQL executor") }
            var count = 0
            try await postgres.copy(into: "import_staging", columns: Self.stagingColumns) { writer in
                var sink = StagingSink(flush: { rows in
                    var buffer = ByteBuffer()
                    for row in rows { Self.copyLine(row, into: &buffer) }
                    try await writer.write(buffer)
                })
                try await produce(&sink)
                try await sink.flushPending()
                count = sink.count
            }
            return count
        case .sqlite:
            try await executor.execute("DROP TABLE IF EXISTS temp.import_staging")
            try await executor.execute(
                """
                CREATE TEMP TABLE import_staging (
                    seq INTEGER, id TEXT, category_id TEXT, amount_minor INTEGER, currency TEXT, occurred_on TEXT,
                    merchant TEXT, note TEXT, tags TEXT, base_amount_minor INTEGER, fingerprint TEXT
                )
                """)
            var sink = StagingSink(flush: { rows in
                var sql: SQL =
                    "INSERT INTO temp.import_staging (\(unsafeRaw: Self.stagingColumns.joined(separator: ", "))) VALUES "
                for (index, row) in rows.enumerated() {
                    if index > 0 { sql.append(", ") }
                    let expense = row.expense
                    sql.append(
                        """
                        (\(row.seq), \(expense.id), \(expense.categoryID), \(expense.amount.minorUnits),
                         \(expense.amount.currency.code), \(expense.date), \(expense.merchant), \(expense.note),
                         \(ExpenseRepository.storedTags(expense.tags)), \(expense.baseMinorUnits), \(expense.fingerprint))
                        """)
                }
                try await executor.execute(sql)
            })
            try await produce(&sink)
            try await sink.flushPending()
            return sink.count
        }
    }

    /// Writes the staged rows as `member`'s expenses, in file order, skipping each whose
    /// fingerprint the member's expenses already hold (or an earlier row of the file); returns
    /// how many it wrote.
    public func insertStaged(_ tx: TenantTransaction, member: UserID, at now: Date) async throws -> Int {
        let executor = tx.executor
        let insert: SQL = """
            INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on, merchant,
                                  note, tags, base_amount_minor, import_fingerprint, created_at, updated_at)
            SELECT \(tx.tenantID), id, \(member), category_id, amount_minor, currency, occurred_on, merchant, note, tags,
                   base_amount_minor, fingerprint, \(now), \(now)
            FROM import_staging WHERE true ORDER BY seq
            ON CONFLICT (tenant_id, member_id, import_fingerprint) WHERE import_fingerprint IS NOT NULL DO NOTHING
            """
        switch executor.dialect {
        case .postgres:
            return try await executor.first(
                "WITH written AS (\(insert) RETURNING 1) SELECT count(*) AS n FROM written")?
                .decode("n") ?? 0
        case .sqlite:
            try await executor.execute(insert)
            let written: Int = try await executor.first("SELECT changes() AS n")?.decode("n") ?? 0
            try await executor.execute("DROP TABLE temp.import_staging")
            return written
        }
    }

    /// One row in COPY's text format: tab-separated, `\N` for NULL, backslash, tab, line feed
    /// and carriage return escaped.
    static func copyLine(_ row: StagingSink.Row, into buffer: inout ByteBuffer) {
        let expense = row.expense
        let fields: [String?] = [
            String(row.seq), expense.id.description, expense.categoryID?.description,
            String(expense.amount.minorUnits), expense.amount.currency.code, expense.date.description,
            expense.merchant, expense.note, ExpenseRepository.storedTags(expense.tags),
            expense.baseMinorUnits.map { String($0) }, expense.fingerprint,
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.writeStaticString("\\N")
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    static let columns = """
        id, member_id, format, filename, dry_run, status, rows, imported, skipped, error_count, errors, preview, detail,
        created_at, updated_at, finished_at
        """

    static func record(from row: SQLRow) throws -> Record {
        Record(
            id: try row.decode("id"), memberID: try row.decode("member_id"), format: try row.decode("format"),
            filename: try row.decode("filename"), dryRun: try row.decode("dry_run"), status: try row.decode("status"),
            rows: try row.decode("rows"), imported: try row.decode("imported"), skipped: try row.decode("skipped"),
            errorCount: try row.decode("error_count"), errors: try row.decode("errors"),
            preview: try row.decode("preview"), detail: try row.decode("detail"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            finishedAt: try row.decode("finished_at"))
    }
}

/// Where an import hands its rows: they are written in batches, so a file of any length takes
/// the memory of one batch.
public struct StagingSink {
    struct Row {
        var seq: Int
        var expense: ImportRepository.StagedExpense
    }

    static let batch = 1000
    let flush: ([Row]) async throws -> Void
    var pending: [Row] = []
    public private(set) var count = 0

    init(flush: @escaping ([Row]) async throws -> Void) {
        self.flush = flush
        pending.reserveCapacity(Self.batch)
    }

    public mutating func add(_ expense: ImportRepository.StagedExpense) async throws {
        count += 1
        pending.append(Row(seq: count, expense: expense))
        if pending.count >= Self.batch { try await flushPending() }
    }

    mutating func flushPending() async throws {
        guard !pending.isEmpty else { return }
        try await flush(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
