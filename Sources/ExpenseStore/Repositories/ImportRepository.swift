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

        /// `errors` read back.
        public var problems: [ImportProblem] {
            (try? JSONDecoder().decode([ImportProblem].self, from: Data(errors.utf8))) ?? []
        }

        /// `preview` read back: each row's fields by name.
        public var previewRows: [[String: String]] {
            (try? JSONDecoder().decode([[String: String]].self, from: Data(preview.utf8))) ?? []
        }
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

    /// The fingerprints among `fingerprints` that `member`'s expenses already hold.
    public func existingFingerprints(_ tx: TenantTransaction, member: UserID, among fingerprints: [String])
        async throws -> Set<String>
    {
        var found: Set<String> = []
        for start in stride(from: 0, to: fingerprints.count, by: 500) {
            var sql: SQL = """
                SELECT import_fingerprint FROM expenses
                WHERE tenant_id = \(tx.tenantID) AND member_id = \(member) AND import_fingerprint IN (
                """
            for (index, fingerprint) in fingerprints[start..<min(start + 500, fingerprints.count)].enumerated() {
                sql.append(index == 0 ? "\(fingerprint)" : ", \(fingerprint)")
            }
            sql.append(")")
            for row in try await tx.executor.query(sql) { found.insert(try row.decode("import_fingerprint")) }
        }
        return found
    }

    /// Stages the rows of a file of COPY text lines (`copyLine`), in order, in a temporary table
    /// of the transaction; `insertStaged` then writes them. PostgreSQL takes the file's bytes as
    /// they are (`COPY FROM`); SQLite takes them in multi-row inserts of 500.
    public func stage(_ tx: TenantTransaction, file path: String) async throws {
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
            guard let postgres = executor as? PostgresExecutor else {
                throw StoreError.unavailable(reason: "COPY FROM needs a PostgreSQL connection")
            }
            try await postgres.copy(into: "import_staging", columns: Self.stagingColumns) { writer in
                try await Self.pieces(of: path) { piece in try await writer.write(ByteBuffer(bytes: piece)) }
            }
        case .sqlite:
            try await executor.execute("DROP TABLE IF EXISTS temp.import_staging")
            try await executor.execute(
                """
                CREATE TEMP TABLE import_staging (
                    seq INTEGER, id TEXT, category_id TEXT, amount_minor INTEGER, currency TEXT, occurred_on TEXT,
                    merchant TEXT, note TEXT, tags TEXT, base_amount_minor INTEGER, fingerprint TEXT
                )
                """)
            var rows: [[String?]] = []
            func flush() async throws {
                guard !rows.isEmpty else { return }
                var sql: SQL =
                    "INSERT INTO temp.import_staging (\(unsafeRaw: Self.stagingColumns.joined(separator: ", "))) VALUES "
                for (index, row) in rows.enumerated() {
                    sql.append(index == 0 ? "(" : ", (")
                    for (position, value) in row.enumerated() {
                        if position > 0 { sql.append(", ") }
                        // seq, amount_minor and base_amount_minor are integers; the rest text.
                        if [0, 3, 9].contains(position), let value, let number = Int64(value) {
                            sql.append("\(number)")
                        } else {
                            sql.append("\(value)")
                        }
                    }
                    sql.append(")")
                }
                try await executor.execute(sql)
                rows.removeAll(keepingCapacity: true)
            }
            var pending: [UInt8] = []
            try await Self.pieces(of: path) { piece in
                pending.append(contentsOf: piece)
                var start = 0
                while let end = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    rows.append(Self.copyFields(pending[start..<end]))
                    start = end + 1
                    if rows.count == 500 { try await flush() }
                }
                pending.removeFirst(start)
            }
            try await flush()
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

    /// One staged row as a line of COPY's text format: tab-separated, `\N` for NULL, backslash,
    /// tab, line feed and carriage return escaped.
    public static func copyLine(_ expense: StagedExpense, seq: Int, into bytes: inout [UInt8]) {
        let fields: [String?] = [
            String(seq), expense.id.description, expense.categoryID?.description, String(expense.amount.minorUnits),
            expense.amount.currency.code, expense.date.description, expense.merchant, expense.note,
            ExpenseRepository.storedTags(expense.tags), expense.baseMinorUnits.map { String($0) }, expense.fingerprint,
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(0x09) }
            guard let field else {
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(0x0A)
    }

    /// A COPY text line's fields, unescaped (nil for `\N`).
    static func copyFields(_ line: ArraySlice<UInt8>) -> [String?] {
        var fields: [String?] = []
        var field: [UInt8] = []
        var escaped = false
        var isNull = false
        for byte in line {
            if escaped {
                escaped = false
                switch byte {
                case UInt8(ascii: "t"): field.append(0x09)
                case UInt8(ascii: "n"): field.append(0x0A)
                case UInt8(ascii: "r"): field.append(0x0D)
                case UInt8(ascii: "N"): isNull = true
                default: field.append(byte)
                }
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == 0x09 {
                fields.append(isNull ? nil : String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                isNull = false
            } else {
                field.append(byte)
            }
        }
        fields.append(isNull ? nil : String(decoding: field, as: UTF8.self))
        return fields
    }

    static func pieces(of path: String, _ body: ([UInt8]) async throws -> Void) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            try await body(Array(data))
        }
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
