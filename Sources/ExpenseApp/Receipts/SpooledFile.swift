import Crypto
import ExpenseCore
import Foundation
import NIOCore
import NIOFileSystem
import SystemPackage

/// An uploaded file written to a private temporary file as it streams in, with what the upload
/// learned on the way: its kind (from its first bytes), size, SHA-256 and CRC-32.
///
/// The request's transaction reads it back in rows for the database, so a slow client never
/// holds a database connection and no upload is ever held in memory whole. The file is removed
/// once the request is answered.
struct SpooledFile: Sendable {
    let path: FilePath
    /// The receipt kind; nil for a text file (`FileSpool.Accepting.text`).
    let kind: ReceiptKind?
    let size: Int64
    let sha256: [UInt8]
    let crc32: UInt32
    /// The name the client gave, cleaned.
    let filename: String

    /// The whole file in memory: for text files read whole by their parser (a rate file, held
    /// to its own limit).
    func bytes() async throws -> [UInt8] {
        var all: [UInt8] = []
        all.reserveCapacity(Int(size))
        try await pieces(of: 1 << 20) { _, piece in all.append(contentsOf: piece) }
        return all
    }

    /// The file's bytes in pieces of exactly `length` (the last may be shorter), in order.
    func pieces(of length: Int, _ body: (Int, [UInt8]) async throws -> Void) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: path) { handle in
            var position = 0
            var offset: Int64 = 0
            while offset < size {
                let count = Int(min(Int64(length), size - offset))
                var piece = [UInt8]()
                piece.reserveCapacity(count)
                while piece.count < count {
                    let buffer = try await handle.readChunk(
                        fromAbsoluteOffset: offset + Int64(piece.count), length: .bytes(Int64(count - piece.count)))
                    guard buffer.readableBytes > 0 else { throw SpoolError.shortRead }
                    piece.append(contentsOf: buffer.readableBytesView)
                }
                try await body(position, piece)
                position += 1
                offset += Int64(count)
            }
        }
    }

    func remove() async {
        await FileSpool.cleanUp(path: path)
    }

    enum SpoolError: Error {
        case shortRead
    }
}

/// Writes a file part to a temporary file while checking it: its kind once enough bytes have
/// arrived, and its size against the limit as each piece arrives, so a refused file stops being
/// read at that point.
struct FileSpool {
    /// What a spool takes: a receipt (decided from its first bytes) or a text file (no NUL byte
    /// anywhere; its parser decides the rest).
    enum Accepting: Sendable {
        case receipts, text
    }

    enum Refusal: Error, Equatable {
        /// Past the size limit (the file is not read further).
        case tooLarge
        /// Not one of the receipt kinds, whatever its name says.
        case notAReceipt
        /// No bytes at all.
        case empty
        /// A text file was asked for and this one holds a NUL byte.
        case notText
    }

    let limit: Int64
    let accepting: Accepting
    private let path: FilePath
    private let handle: WriteFileHandle
    private var head: [UInt8] = []
    private var kind: ReceiptKind?
    private var size: Int64 = 0
    private var hash = SHA256()
    private var crc = CRC32()

    private init(limit: Int64, accepting: Accepting, path: FilePath, handle: WriteFileHandle) {
        self.limit = limit
        self.accepting = accepting
        self.path = path
        self.handle = handle
    }

    /// A new spool in the system's temporary directory, readable by this process's user only.
    static func open(limit: Int64, accepting: Accepting = .receipts) async throws -> FileSpool {
        let directory = try await FileSystem.shared.temporaryDirectory
        let path = directory.appending("expense-tracker-upload-\(UUID().uuidString.lowercased())")
        let handle = try await FileSystem.shared.openFile(
            forWritingAt: path, options: .newFile(replaceExisting: false, permissions: [.ownerReadWrite]))
        return FileSpool(limit: limit, accepting: accepting, path: path, handle: handle)
    }

    /// Appends the next bytes of the file.
    mutating func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        size += Int64(buffer.readableBytes)
        if size > limit { throw Refusal.tooLarge }
        if accepting == .text {
            if buffer.readableBytesView.contains(0) { throw Refusal.notText }
        } else if kind == nil {
            head.append(contentsOf: buffer.readableBytesView.prefix(ReceiptKind.signatureLength - head.count))
            if head.count >= ReceiptKind.signatureLength {
                guard let detected = ReceiptKind.detect(head) else { throw Refusal.notAReceipt }
                kind = detected
            }
        }
        buffer.withUnsafeReadableBytes { bytes in
            hash.update(bufferPointer: bytes)
            crc.update(bytes)
        }
        try await handle.write(
            contentsOf: buffer.readableBytesView, toAbsoluteOffset: size - Int64(buffer.readableBytes))
    }

    /// Closes the spool as a finished file named `filename`; an empty file, or one too short to
    /// be any receipt, is refused and its spool removed.
    consuming func finish(filename: String?) async throws -> SpooledFile {
        // A file shorter than a signature is decided from what there is.
        let kind = accepting == .text ? nil : kind ?? ReceiptKind.detect(head)
        guard size > 0, accepting == .text || kind != nil else {
            await Self.cleanUp(closing: handle, path: path)
            throw size > 0 ? Refusal.notAReceipt : Refusal.empty
        }
        do {
            try await handle.close(makeChangesVisible: true)
        } catch {
            await Self.cleanUp(closing: handle, path: path)
            throw error
        }
        return SpooledFile(
            path: path, kind: kind, size: size, sha256: Array(hash.finalize()), crc32: crc.value,
            filename: kind.map { ReceiptName.clean(filename, kind: $0) } ?? filename ?? "")
    }

    /// Closes and removes the spool of a refused or abandoned file.
    consuming func discard() async {
        await Self.cleanUp(closing: handle, path: path)
    }

    /// Closes the handle (if open) and removes the file (if it was made visible), in a task of
    /// its own: a cancelled request (a client gone, a server stopping) must still close what it
    /// opened, and NIO's file system refuses work from a cancelled task.
    static func cleanUp(closing handle: WriteFileHandle? = nil, path: FilePath) async {
        await Task.detached {
            if let handle { try? await handle.close(makeChangesVisible: false) }
            _ = try? await FileSystem.shared.removeItem(at: path)
        }.value
    }
}
