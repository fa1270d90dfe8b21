import Crypto
import ExpenseCore
import ExpenseStore
import Foundation
import Logging

/// One import, run beside the request that started it: reads the file in pieces, checks every
/// row as an expense of the importing member, stages the good ones and writes them in one
/// statement, all in one transaction of the organization; a row with a problem, a dry run or a
/// failure rolls everything back. The outcome is recorded on the import either way.
struct ImportJob: Sendable {
    let service: ImportService
    let tenant: TenantID
    let member: UserID
    let id: UUID
    let format: ImportFormat
    let file: ImportFile
    let dryRun: Bool

    /// A running import untouched this long was interrupted (it reports progress every 2 s).
    static let staleAfter: TimeInterval = 60
    static let progressEvery: TimeInterval = 2

    enum Failure: Error {
        /// The whole file: not the format, unreadable, the importer gone.
        case file(String)
        /// Rows with problems: nothing written.
        case rows
        /// A dry run's end: everything read and checked, rolled back.
        case dryRun
    }

    /// What reading found, kept as it goes.
    struct Tally {
        var rows = 0
        var skipped = 0
        var problems: [ImportProblem] = []
        var problemCount = 0
        var preview: [[String: String]] = []
        var staged = 0
        /// Occurrences of each field-made fingerprint so far: the second identical coffee of
        /// a day is its own row.
        /// Keyed by the first 128 bits of the fields' SHA-256: a few bytes a row, not the text.
        var occurrences: [RowChecker.Key: Int] = [:]

        mutating func problem(_ problem: ImportProblem) {
            problemCount += 1
            if problems.count < ImportService.problemLimit { problems.append(problem) }
        }
    }

    func run() async {
        let store = service.store
        let logger = service.logger
        defer { file.remove() }
        // The request that recorded the import commits after it hands over the job.
        guard await waitForRecord() else { return }
        var tally = Tally()
        var outcome: (status: String, imported: Int, detail: String?) = ("failed", 0, nil)
        do {
            let imported = try await store.withTenant(tenant, actor: member) { tx in
                try await importRows(tx, tally: &tally)
            }
            outcome = ("done", imported, nil)
        } catch Failure.dryRun {
            outcome = ("done", tally.staged, nil)
        } catch Failure.rows {
            outcome = ("failed", 0, nil)
        } catch Failure.file(let detail) {
            outcome = ("failed", 0, detail)
        } catch StoreError.periodClosed {
            outcome = (
                "failed", 0, "The books were closed meanwhile for some of the rows' dates; nothing was imported."
            )
        } catch is CancellationError {
            outcome = ("failed", 0, ImportService.interrupted)
        } catch {
            logger.error("import failed", metadata: ["import_id": "\(id)", "error": "\(String(reflecting: error))"])
            outcome = ("failed", 0, "The import failed on the server's side; nothing was imported. Try again later.")
        }
        if outcome.status == "done" && !dryRun { return }  // recorded in the import's transaction
        let final = tally
        do {
            try await store.withTenant(tenant, actor: member) { tx in
                try await record(tx, final, status: outcome.status, imported: outcome.imported, detail: outcome.detail)
            }
        } catch {
            logger.error("import outcome not recorded", metadata: ["import_id": "\(id)", "error": "\(error)"])
        }
    }

    /// Waits up to ten seconds for the import's record to be visible (its request committed);
    /// false when it never is (the request failed and rolled back).
    private func waitForRecord() async -> Bool {
        for _ in 0..<200 {
            let found = try? await service.store.withTenant(tenant) { tx in
                try await service.store.imports.find(tx, id: id)
            }
            if found != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private func record(_ tx: TenantTransaction, _ tally: Tally, status: String, imported: Int, detail: String?)
        async throws
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let errors = String(decoding: (try? encoder.encode(tally.problems)) ?? Data("[]".utf8), as: UTF8.self)
        let preview = String(decoding: (try? encoder.encode(tally.preview)) ?? Data("[]".utf8), as: UTF8.self)
        try await service.store.imports.finish(
            tx, id: id, status: status, rows: tally.rows, imported: imported,
            skipped: tally.skipped + (status == "done" ? tally.staged - imported : 0), errorCount: tally.problemCount,
            errors: errors, preview: preview, detail: detail, at: service.clock.now())
    }

    /// The import's transaction: returns how many expenses it wrote.
    private func importRows(_ tx: TenantTransaction, tally: inout Tally) async throws -> Int {
        let store = service.store
        guard let (organization, role) = try await store.organizations.findWithRole(tx, user: member),
            role.can(.createExpenses), let user = try await store.users.find(tx, id: member)
        else { throw Failure.file("You may no longer log expenses in this organization.") }
        let access = TenantAccess(organization: organization, role: role, user: user, transaction: tx)
        var categories: [String: CategoryID] = [:]
        for category in try await store.categories.list(tx) where !category.isArchived {
            categories[category.name.lowercased()] = category.id
        }
        let now = service.clock.now()
        var checker = RowChecker(organization: organization, categories: categories, ids: service.ids)
        var lastProgress = Date.distantPast  // the first thousand rows are reported at once
        try await store.imports.stage(tx) { sink in
            try await read { read in
                tally.rows += 1
                checker.check(read, into: &tally)
                // After the first problem nothing more is staged; reading goes on to find the rest.
                if let expense = checker.take(), tally.problemCount == 0 {
                    try await sink.add(expense)
                    tally.staged += 1
                }
                if tally.rows % 1000 == 0 {
                    await service.runner.report(id, rows: tally.rows)
                    if Date().timeIntervalSince(lastProgress) > Self.progressEvery {
                        lastProgress = Date()
                        try await reportProgress(rows: tally.rows)
                    }
                }
            }
        }
        let counts = tally
        if counts.problemCount > 0 { throw Failure.rows }
        if dryRun {
            // The dry run's counts are the real insert's, then rolled back.
            let written = try await store.imports.insertStaged(tx, member: member, at: now)
            tally.skipped += tally.staged - written
            tally.staged = written
            throw Failure.dryRun
        }
        let written = try await store.imports.insertStaged(tx, member: member, at: now)
        _ = try await BaseAmounts.fillAll(in: access, store: store)
        try await service.alerts.check(access, touching: nil, at: now)
        try await store.audit.append(
            tx,
            AuditEntry(
                id: service.ids.uuid(), actorID: member, actorName: user.name, action: .expensesImported,
                subjectType: .fileImport, subjectID: id.uuidString.lowercased(),
                details: .facts([
                    "format": format.name, "imported": String(written), "rows": String(counts.rows),
                    "skipped": String(counts.skipped + counts.staged - written),
                ]), createdAt: now))
        try await record(tx, counts, status: "done", imported: written, detail: nil)
        service.logger.info(
            "import done",
            metadata: [
                "import_id": "\(id)", "organization_id": "\(tenant)", "rows": "\(counts.rows)",
                "imported": "\(written)",
            ])
        return written
    }

    /// Progress where other servers can read it (PostgreSQL; on SQLite the import is the one
    /// writer, and the process that runs it answers for it).
    /// Its own short transaction, on a task of its own: the import's transaction is open in this
    /// task (a transaction inside it would be refused), and must not hold the record's row.
    private func reportProgress(rows: Int) async throws {
        let store = service.store
        guard store.database.dialect == .postgres else { return }
        let (tenant, id, now) = (tenant, id, service.clock.now())
        try await Task.detached {
            try await store.withTenant(tenant) { tx in
                try await store.imports.progress(tx, id: id, rows: rows, at: now)
            }
        }.value
    }

    /// Reads the file as its format says and hands each row, as read, to `body`.
    private func read(_ body: (ImportRead) async throws -> Void) async throws {
        switch format {
        case .ofx:
            let statement: OFXStatement
            do {
                statement = try OFXStatement(parsing: try file.bytes())
            } catch let malformed as OFXStatement.Malformed {
                throw Failure.file(malformed.detail)
            }
            for transaction in statement.transactions {
                try await body(ImportRecords.ofx(transaction, statement: statement))
            }
        case .expensesCSV, .bankCSV:
            var options: BankCSVOptions?
            if case .bankCSV(let given) = format { options = given }
            var reader = CSVRecordReader(delimiter: options?.delimiter ?? UInt8(ascii: ","))
            var header: ImportRecords.Header?
            var records: [CSVRecordReader.Record] = []
            func handle(_ records: [CSVRecordReader.Record]) async throws {
                for record in records {
                    guard let known = header else {
                        do {
                            header =
                                if let options {
                                    try ImportRecords.Header(bankCSV: record, options: options)
                                } else {
                                    try ImportRecords.Header(expensesCSV: record)
                                }
                        } catch {
                            throw Failure.file(error.detail)
                        }
                        continue
                    }
                    try await body(
                        options.map { ImportRecords.bankCSV(record, header: known, options: $0) }
                            ?? ImportRecords.expensesCSV(record, header: known))
                }
            }
            do {
                try await file.pieces(of: 1 << 20) { piece in
                    try reader.read(piece, into: &records)
                    try await handle(records)
                    records.removeAll(keepingCapacity: true)
                }
                try reader.finish(into: &records)
                try await handle(records)
            } catch let malformed as CSVRecordReader.Malformed {
                throw Failure.file(malformed.detail)
            }
            if header == nil { throw Failure.file("The file is empty: it has no header.") }
        }
    }
}
