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
        /// Rows dated in a closed period, by fingerprint: skipped when imported before (a
        /// statement overlapping a closed month), problems otherwise.
        var closed: [(row: Int, fingerprint: String)] = []

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
        let staged = file.path + ".staged"
        defer { try? FileManager.default.removeItem(atPath: staged) }
        var outcome: (status: String, imported: Int, detail: String?) = ("failed", 0, nil)
        do {
            // Read and checked outside any transaction (on SQLite a transaction holds the one
            // connection, and every other request would wait); written in one.
            try await check(into: &tally, staging: staged)
            let imported = try await store.withTenant(tenant, actor: member) { tx in
                try await write(tx, staged: staged, tally: &tally)
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

    /// The member as an importer now: still in the organization and allowed to log expenses.
    private func importer(_ tx: TenantTransaction) async throws -> TenantAccess {
        let store = service.store
        guard let (organization, role) = try await store.organizations.findWithRole(tx, user: member),
            role.can(.createExpenses), let user = try await store.users.find(tx, id: member)
        else { throw Failure.file("You may no longer log expenses in this organization.") }
        return TenantAccess(organization: organization, role: role, user: user, transaction: tx)
    }

    /// Reads every row and checks it, writing the good ones to `staging` (COPY text lines); no
    /// transaction stays open while it reads. Throws `Failure.rows` when a row has a problem.
    private func check(into tally: inout Tally, staging: String) async throws {
        let store = service.store
        let (organization, categories) = try await store.withTenant(tenant, actor: member) { tx in
            let access = try await importer(tx)
            var categories: [String: CategoryID] = [:]
            for category in try await store.categories.list(tx) where !category.isArchived {
                categories[category.name.lowercased()] = category.id
            }
            return (access.organization, categories)
        }
        var checker = RowChecker(organization: organization, categories: categories, ids: service.ids)
        guard FileManager.default.createFile(atPath: staging, contents: nil),
            let output = FileHandle(forWritingAtPath: staging)
        else { throw Failure.file("The server could not write the import's working file.") }
        defer { try? output.close() }
        var buffer: [UInt8] = []
        var lastProgress = Date.distantPast  // the first thousand rows are reported at once
        try await read { read in
            tally.rows += 1
            checker.check(read, into: &tally)
            // After the first problem nothing more is kept; reading goes on to find the rest.
            if let expense = checker.take(), tally.problemCount == 0 {
                tally.staged += 1
                ImportRepository.copyLine(expense, seq: tally.staged, into: &buffer)
                if buffer.count >= 1 << 20 {
                    try output.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if tally.rows % 1000 == 0 {
                // A server stopping cancels the import here: nothing was written.
                try Task.checkCancellation()
                await service.runner.report(id, rows: tally.rows)
                if Date().timeIntervalSince(lastProgress) > Self.progressEvery {
                    lastProgress = Date()
                    await reportProgress(rows: tally.rows)
                }
            }
        }
        try output.write(contentsOf: buffer)
        try await settleClosedRows(&tally, closedThrough: organization.closedThrough)
        tally.problems.sort { ($0.row, $0.field) < ($1.row, $1.field) }
        if tally.problemCount > 0 { throw Failure.rows }
    }

    /// Rows dated in a closed period that were imported before are skipped; the others are the
    /// rows' problems.
    private func settleClosedRows(_ tally: inout Tally, closedThrough: CalendarDate?) async throws {
        guard !tally.closed.isEmpty else { return }
        let store = service.store
        let fingerprints = tally.closed.map(\.fingerprint)
        let existing = try await store.withTenant(tenant, actor: member) { tx in
            try await store.imports.existingFingerprints(tx, member: member, among: fingerprints)
        }
        for row in tally.closed {
            if existing.contains(row.fingerprint) {
                tally.skipped += 1
            } else {
                tally.problem(
                    ImportProblem(
                        row: row.row, field: "date",
                        detail: "The books are closed through \(closedThrough?.description ?? "this date").")
                )
            }
        }
    }

    /// The import's transaction: stages the checked rows and writes them; returns how many.
    private func write(_ tx: TenantTransaction, staged: String, tally: inout Tally) async throws -> Int {
        let store = service.store
        let access = try await importer(tx)
        let user = access.user
        let now = service.clock.now()
        try await store.imports.stage(tx, file: staged)
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
    /// Best effort: a progress report that finds no free connection is skipped, not the import.
    private func reportProgress(rows: Int) async {
        let store = service.store
        guard store.database.dialect == .postgres else { return }
        let (tenant, id, now) = (tenant, id, service.clock.now())
        _ = try? await Task.detached {
            try await store.withTenant(tenant) { tx in
                try await store.imports.progress(tx, id: id, rows: rows, at: now)
            }
        }.value
    }
}
