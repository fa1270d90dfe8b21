import ExpenseCore
import ExpenseStore
import ExpenseTestSupport
import Foundation
import Testing

/// Receipts and their stored files on both databases: bytes kept once per content in rows,
/// released with the last receipt (removed, or with its expense), invisible to other tenants.
@Suite struct ReceiptRepositoryTests {
    static let now = RepositoryContractTests.now

    static func file(_ bytes: [UInt8]) -> ReceiptRepository.File {
        var sha = [UInt8](repeating: 0, count: 32)
        for (index, byte) in bytes.enumerated() { sha[index % 32] ^= byte &+ UInt8(truncatingIfNeeded: index) }
        return ReceiptRepository.File(sha256: sha, size: Int64(bytes.count), crc32: 7, kind: .jpeg)
    }

    /// Stores `bytes` as a receipt of `expense` the way the service does.
    static func attach(_ bytes: [UInt8], to expense: ExpenseID, by user: UserID, in tx: TenantTransaction, store: Store)
        async throws -> Receipt
    {
        let file = Self.file(bytes)
        if try await store.receipts.claimFile(tx, file, at: now) {
            var position = 0
            for start in stride(from: 0, to: bytes.count, by: ReceiptRepository.chunkBytes) {
                let piece = Array(bytes[start..<min(bytes.count, start + ReceiptRepository.chunkBytes)])
                try await store.receipts.insertChunk(tx, sha256: file.sha256, position: position, bytes: piece)
                position += 1
            }
        }
        let receipt = Receipt(
            id: ReceiptID(), expenseID: expense, kind: .jpeg, size: file.size, sha256: file.sha256, crc32: 7,
            filename: "scan.jpg", uploadedBy: user, createdAt: now)
        try await store.receipts.insert(tx, receipt)
        return receipt
    }

    static func expense(_ tx: TenantTransaction, _ store: Store, by user: User, on day: String) async throws -> Expense
    {
        let draft = try ExpenseDraft(
            amount: "9.90", currency: "EUR", date: day, categoryID: nil, merchant: "Café Central", note: nil,
            tags: nil, defaultCurrency: try Currency(code: "EUR"))
        let audit = AuditEntry(
            id: UUID(), actorID: user.id, actorName: user.name, action: .expenseCreated, subjectType: .expense,
            subjectID: nil, details: nil, createdAt: now)
        return try #require(
            try await store.expenses.create(
                tx, id: ExpenseID(), draft, by: .init(id: user.id, name: user.name), audit: audit, at: now))
    }

    @Test(arguments: TestBackend.available)
    func bytesComeBackInRowsAndGoWithTheLastReceipt(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            let bytes = (0..<(2 * ReceiptRepository.chunkBytes + 5)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let (first, second, expense) = try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx in
                let one = try await Self.expense(tx, store, by: world.alice, on: "2026-11-02")
                let two = try await Self.expense(tx, store, by: world.alice, on: "2026-11-03")
                let first = try await Self.attach(bytes, to: one.id, by: world.alice.id, in: tx, store: store)
                let second = try await Self.attach(bytes, to: two.id, by: world.alice.id, in: tx, store: store)
                return (first, second, two)
            }
            try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx async throws -> Void in
                #expect(try await store.receipts.storageUsed(tx) == Int64(bytes.count))
                var read: [UInt8] = []
                for position in 0..<3 {
                    read += try #require(try await store.receipts.chunk(tx, sha256: first.sha256, position: position))
                }
                #expect(read == bytes)
                #expect(try await store.receipts.find(tx, id: second.id) == second)
                #expect(try await store.expenses.find(tx, id: expense.id)?.receiptCount == 1)
                let dated = try await store.receipts.dated(
                    tx, from: try CalendarDate(parsing: "2026-11-01"), to: try CalendarDate(parsing: "2026-11-30"),
                    after: nil, limit: 10)
                #expect(dated.map(\.receipt.id) == [first.id, second.id])
                let rest = try await store.receipts.dated(
                    tx, from: try CalendarDate(parsing: "2026-11-01"), to: try CalendarDate(parsing: "2026-11-30"),
                    after: dated[0].cursor, limit: 10)
                #expect(rest.map(\.receipt.id) == [second.id])
                #expect(try await store.receipts.delete(tx, id: first.id))
                // The other receipt still holds the file.
                #expect(try await store.receipts.fileExists(tx, sha256: first.sha256))
            }
            // Its expense deleted, the last receipt goes, and the file and its rows with it.
            try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx async throws -> Void in
                let current = try #require(try await store.expenses.find(tx, id: expense.id))
                let audit = AuditEntry(
                    id: UUID(), actorID: world.alice.id, actorName: "Alice", action: .expenseDeleted,
                    subjectType: .expense, subjectID: expense.id.description, details: nil, createdAt: Self.now)
                #expect(try await store.expenses.delete(tx, id: expense.id, version: current.version, audit: audit))
                #expect(try await !store.receipts.fileExists(tx, sha256: first.sha256))
                #expect(try await store.receipts.chunk(tx, sha256: first.sha256, position: 0) == nil)
                #expect(try await store.receipts.storageUsed(tx) == 0)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func anotherTenantSeesNoneOfThem(_ backend: TestBackend) async throws {
        try await withMigratedDatabase(backend) { database in
            let store = Store(database: database)
            let world = try await RepositoryContractTests.seed(store)
            let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 1, 2, 3]
            let receipt = try await store.withTenant(world.orgA.id, actor: world.alice.id) { tx in
                let expense = try await Self.expense(tx, store, by: world.alice, on: "2026-11-02")
                return try await Self.attach(bytes, to: expense.id, by: world.alice.id, in: tx, store: store)
            }
            try await store.withTenant(world.orgB.id, actor: world.bob.id) { tx async throws -> Void in
                #expect(try await store.receipts.find(tx, id: receipt.id) == nil)
                #expect(try await store.receipts.chunk(tx, sha256: receipt.sha256, position: 0) == nil)
                #expect(try await !store.receipts.fileExists(tx, sha256: receipt.sha256))
                #expect(try await store.receipts.storageUsed(tx) == 0)
                #expect(try await !store.receipts.delete(tx, id: receipt.id))
            }
        }
    }
}
