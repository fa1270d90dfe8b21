import Foundation

/// Writes a ZIP archive of STORED (uncompressed) entries as a stream of byte pieces, so a server
/// can send an archive of any size while holding only one chunk of entry data at a time.
///
/// It does no I/O: every method returns the bytes the caller writes next, in order, and the
/// caller writes each entry's data itself between `beginEntry` (or `beginStreamedEntry`) and
/// `endEntry`, reporting those bytes through `wrote(_:)`. Offsets in the archive are the sum of
/// everything returned and reported, so all of it must be written, unchanged and in that order.
///
///     var zip = ZipStream()
///     out(try zip.beginEntry(name: "a.pdf", size: size, crc32: crc, modified: date))
///     for chunk in file { out(chunk); zip.wrote(chunk) }
///     out(try zip.endEntry())
///     out(zip.finish())
///
/// Entries are stored, not deflated: receipts are JPEG, PNG, WebP, HEIC and PDF files, which are
/// compressed already, and storing keeps the export at the speed of the disk.
///
/// Two kinds of entry:
/// - Known (`beginEntry`): size and CRC-32 are given up front, as receipts are stored with them,
///   and go into the local header. `endEntry` checks that exactly `size` bytes were reported.
/// - Streamed (`beginStreamedEntry`): size and CRC-32 are learned while the data is reported, and
///   follow the data in a data descriptor (general purpose flag bit 3). Such an entry is always
///   written in ZIP64 form (a ZIP64 extra field in its local header, 8-byte sizes in its data
///   descriptor), because whether it will pass 4 GiB is not known when its header goes out, and
///   the format ties the width of the descriptor's sizes to that extra field. A STORED entry with
///   a data descriptor can only be read through the central directory (a reader cannot tell
///   where its data ends), which every archive tool and library does; a few strictly streaming
///   readers (Java's `ZipInputStream`) refuse it.
///
/// Names are UTF-8 with the language encoding flag (bit 11) set, so any script reads back as
/// written. Times are the MS-DOS date and time of `modified` in UTC, to the even second below,
/// clamped to the years the format can hold (1980 through 2107); the format has no time zone.
///
/// ZIP64 records are written exactly where the classic fields cannot hold a value: an entry of
/// 0xFFFFFFFF bytes or more, an entry starting at offset 0xFFFFFFFF or beyond, 0xFFFF entries or
/// more, or a central directory starting or measuring 0xFFFFFFFF or beyond. A classic field that
/// overflows holds its all-ones marker and the value moves to the ZIP64 record; "version needed
/// to extract" is 4.5 wherever a ZIP64 record is used, 2.0 elsewhere.
///
/// Memory: per finished entry it keeps only what the central directory needs (the encoded name
/// and a few integers); entry data is never held.
///
/// Misuse that is a programming error (data or `endEntry` with no entry open, an entry begun
/// while another is open, anything after `finish`) stops the process. Errors that depend on the
/// data, such as a file that turned out shorter than its recorded size, are thrown as
/// `ZipStreamError` so the server can abort the response instead.
public struct ZipStream: Sendable {
    /// What the central directory needs of one entry.
    struct Entry: Sendable {
        var name: [UInt8]
        var crc32: UInt32
        var size: UInt64
        var offset: UInt64
        var time: UInt16
        var date: UInt16
        var streamed: Bool
    }

    /// The entry whose data is being written.
    struct OpenEntry: Sendable {
        var entry: Entry
        var written: UInt64 = 0
        /// Fed only for a streamed entry; a known entry's CRC-32 was given.
        var crc = CRC32()
    }

    /// Where the next byte goes: the number of archive bytes returned and reported so far.
    /// Internal so tests can start an archive near 4 GiB without writing 4 GiB.
    var offset: UInt64 = 0
    private var entries: [Entry] = []
    private var open: OpenEntry?
    private var finished = false

    /// An empty archive, nothing written yet.
    public init() {}

    /// Starts an entry whose size and CRC-32 are known, and returns its local header. Write
    /// exactly `size` bytes of data after it, reporting them through `wrote(_:)`.
    ///
    /// - Throws: `ZipStreamError.nameTooLong` if the name is over 65,535 bytes of UTF-8.
    public mutating func beginEntry(
        name: String, size: UInt64, crc32: UInt32, modified: Date
    ) throws(ZipStreamError) -> [UInt8] {
        let entry = try makeEntry(name: name, size: size, crc32: crc32, modified: modified, streamed: false)
        let large = size >= Self.max32
        var extra: [UInt8] = []
        if large { extra.appendZip64Extra([size, size]) }
        return begin(
            entry, versionNeeded: large ? Self.zip64Version : Self.baseVersion, crc32: crc32,
            sizeField: large ? UInt32.max : UInt32(size), extra: extra)
    }

    /// Starts an entry whose size and CRC-32 are not known yet, and returns its local header.
    /// Write its data after it, reporting it through `wrote(_:)`; `endEntry` returns the data
    /// descriptor that records them.
    ///
    /// - Throws: `ZipStreamError.nameTooLong` if the name is over 65,535 bytes of UTF-8.
    public mutating func beginStreamedEntry(name: String, modified: Date) throws(ZipStreamError) -> [UInt8] {
        let entry = try makeEntry(name: name, size: 0, crc32: 0, modified: modified, streamed: true)
        // Zero sizes in the ZIP64 extra field: the real ones follow the data.
        var extra: [UInt8] = []
        extra.appendZip64Extra([0, 0])
        return begin(entry, versionNeeded: Self.zip64Version, crc32: 0, sizeField: UInt32.max, extra: extra)
    }

    /// Reports data of the open entry that the caller wrote after its header. The bytes are only
    /// counted (and, for a streamed entry, fed to its CRC-32); they are not copied or kept.
    ///
    /// - Throws: `ZipStreamError.outOfOrder` when no entry is open.
    public mutating func wrote(_ bytes: some Collection<UInt8>) throws(ZipStreamError) {
        guard var current = open else { throw .outOfOrder("data reported with no entry open") }
        let count = UInt64(bytes.count)
        if current.entry.streamed { current.crc.update(bytes) }
        current.written += count
        open = current
        offset += count
    }

    /// Ends the open entry. For a streamed entry it returns the data descriptor (CRC-32 and
    /// sizes) to write next; for a known entry it returns no bytes.
    ///
    /// - Throws: `ZipStreamError.sizeMismatch` if a known entry's reported data is not its
    ///   declared size. The bytes already written then contradict its header, so the archive
    ///   cannot be completed: abort the response rather than calling `finish`.
    public mutating func endEntry() throws(ZipStreamError) -> [UInt8] {
        guard var current = open else { throw .outOfOrder("an entry ended with none open") }
        open = nil
        var descriptor: [UInt8] = []
        if current.entry.streamed {
            current.entry.size = current.written
            current.entry.crc32 = current.crc.value
            descriptor.reserveCapacity(24)
            descriptor.append(littleEndian: Self.dataDescriptorSignature)
            descriptor.append(littleEndian: current.entry.crc32)
            descriptor.append(littleEndian: current.written)  // compressed size: stored
            descriptor.append(littleEndian: current.written)
            offset += UInt64(descriptor.count)
        } else if current.written != current.entry.size {
            throw .sizeMismatch(
                name: String(decoding: current.entry.name, as: UTF8.self), declared: current.entry.size,
                written: current.written)
        }
        entries.append(current.entry)
        return descriptor
    }

    /// Ends the archive: returns the central directory and the end records (preceded by the
    /// ZIP64 end record and its locator when any of their values needs them). Nothing may be
    /// added afterwards.
    ///
    /// - Throws: `ZipStreamError.outOfOrder` with an entry still open, or a second time.
    public mutating func finish() throws(ZipStreamError) -> [UInt8] {
        guard open == nil else { throw .outOfOrder("finished with an entry open") }
        guard !finished else { throw .outOfOrder("finished twice") }
        finished = true
        let directoryOffset = offset
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(98) { $0 + 46 + 28 + $1.name.count })
        for entry in entries { appendCentralHeader(entry, to: &out) }
        let directorySize = UInt64(out.count)
        let count = UInt64(entries.count)
        entries = []

        if count >= UInt64(UInt16.max) || directoryOffset >= Self.max32 || directorySize >= Self.max32 {
            let zip64EndOffset = directoryOffset + directorySize
            out.append(littleEndian: Self.zip64EndSignature)
            out.append(littleEndian: UInt64(44))  // size of the rest of this record
            out.append(littleEndian: Self.versionMadeBy)
            out.append(littleEndian: Self.zip64Version)
            out.append(littleEndian: UInt32(0))  // this disk
            out.append(littleEndian: UInt32(0))  // disk where the central directory starts
            out.append(littleEndian: count)  // entries on this disk
            out.append(littleEndian: count)
            out.append(littleEndian: directorySize)
            out.append(littleEndian: directoryOffset)
            out.append(littleEndian: Self.zip64LocatorSignature)
            out.append(littleEndian: UInt32(0))  // disk with the ZIP64 end record
            out.append(littleEndian: zip64EndOffset)
            out.append(littleEndian: UInt32(1))  // disks in all
        }
        out.append(littleEndian: Self.endSignature)
        out.append(littleEndian: UInt16(0))  // this disk
        out.append(littleEndian: UInt16(0))  // disk where the central directory starts
        out.append(littleEndian: UInt16(min(count, UInt64(UInt16.max))))
        out.append(littleEndian: UInt16(min(count, UInt64(UInt16.max))))
        out.append(littleEndian: UInt32(min(directorySize, Self.max32)))
        out.append(littleEndian: UInt32(min(directoryOffset, Self.max32)))
        out.append(littleEndian: UInt16(0))  // comment length
        offset += UInt64(out.count)
        return out
    }

    // MARK: - Records

    private func makeEntry(
        name: String, size: UInt64, crc32: UInt32, modified: Date, streamed: Bool
    ) throws(ZipStreamError) -> Entry {
        guard !finished else { throw .outOfOrder("an entry begun after the end") }
        guard open == nil else { throw .outOfOrder("an entry begun while another is open") }
        let encoded = Array(name.utf8)
        guard encoded.count <= Int(UInt16.max) else { throw .nameTooLong(byteCount: encoded.count) }
        let (time, date) = Self.dosDateTime(modified)
        return Entry(
            name: encoded, crc32: crc32, size: size, offset: offset, time: time, date: date, streamed: streamed)
    }

    /// Opens `entry` and returns its local header.
    private mutating func begin(
        _ entry: Entry, versionNeeded: UInt16, crc32: UInt32, sizeField: UInt32, extra: [UInt8]
    ) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(30 + entry.name.count + extra.count)
        header.append(littleEndian: Self.localHeaderSignature)
        header.append(littleEndian: versionNeeded)
        header.append(littleEndian: Self.flags(entry))
        header.append(littleEndian: UInt16(0))  // method: stored
        header.append(littleEndian: entry.time)
        header.append(littleEndian: entry.date)
        header.append(littleEndian: crc32)
        header.append(littleEndian: sizeField)  // compressed size: stored, the same
        header.append(littleEndian: sizeField)
        header.append(littleEndian: UInt16(entry.name.count))
        header.append(littleEndian: UInt16(extra.count))
        header.append(contentsOf: entry.name)
        header.append(contentsOf: extra)
        open = OpenEntry(entry: entry)
        offset += UInt64(header.count)
        return header
    }

    private func appendCentralHeader(_ entry: Entry, to out: inout [UInt8]) {
        let largeSize = entry.size >= Self.max32
        let largeOffset = entry.offset >= Self.max32
        // The ZIP64 extra field holds exactly the values whose classic field is all ones, in
        // this order: uncompressed size, compressed size, local header offset.
        var values: [UInt64] = []
        if largeSize { values += [entry.size, entry.size] }
        if largeOffset { values.append(entry.offset) }
        var extra: [UInt8] = []
        if !values.isEmpty { extra.appendZip64Extra(values) }
        let zip64 = entry.streamed || !values.isEmpty
        out.append(littleEndian: Self.centralHeaderSignature)
        out.append(littleEndian: Self.versionMadeBy)
        out.append(littleEndian: zip64 ? Self.zip64Version : Self.baseVersion)
        out.append(littleEndian: Self.flags(entry))
        out.append(littleEndian: UInt16(0))  // method: stored
        out.append(littleEndian: entry.time)
        out.append(littleEndian: entry.date)
        out.append(littleEndian: entry.crc32)
        let sizeField = largeSize ? UInt32.max : UInt32(entry.size)
        out.append(littleEndian: sizeField)  // compressed size: stored, the same
        out.append(littleEndian: sizeField)
        out.append(littleEndian: UInt16(entry.name.count))
        out.append(littleEndian: UInt16(extra.count))
        out.append(littleEndian: UInt16(0))  // comment length
        out.append(littleEndian: UInt16(0))  // disk where the entry starts
        out.append(littleEndian: UInt16(0))  // internal attributes
        out.append(littleEndian: Self.regularFileAttributes)
        out.append(littleEndian: largeOffset ? UInt32.max : UInt32(entry.offset))
        out.append(contentsOf: entry.name)
        out.append(contentsOf: extra)
    }

    /// Bit 11: the name is UTF-8. Bit 3: CRC-32 and sizes follow the data.
    private static func flags(_ entry: Entry) -> UInt16 { entry.streamed ? 0x0808 : 0x0800 }

    /// The MS-DOS time and date of `date` in UTC: 2-second resolution, years 1980 through 2107.
    static func dosDateTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        let interval = date.timeIntervalSince1970
        let lowest: Int64 = 315_532_800  // 1980-01-01T00:00:00Z
        let highest: Int64 = 4_354_819_199  // 2107-12-31T23:59:59Z
        let seconds: Int64 =
            if interval.isNaN || interval < Double(lowest) {
                lowest
            } else if interval > Double(highest) {
                highest
            } else {
                Int64(interval.rounded(.down))
            }
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        // Civil date from days since 1970-01-01, in 400-year eras starting on 1 March
        // (Howard Hinnant's algorithm; all values here are positive).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let time = (secondOfDay / 3600) << 11 | (secondOfDay % 3600 / 60) << 5 | (secondOfDay % 60) / 2
        return (UInt16(time), UInt16((year - 1980) << 9 | month << 5 | day))
    }

    private static let max32 = UInt64(UInt32.max)
    private static let baseVersion: UInt16 = 20
    private static let zip64Version: UInt16 = 45
    /// Made by Unix (high byte 3), so readers take the external attributes as a file mode.
    private static let versionMadeBy: UInt16 = 3 << 8 | 45
    /// A regular file, rw-r--r--, in the high 16 bits.
    private static let regularFileAttributes: UInt32 = 0o100644 << 16
    private static let localHeaderSignature: UInt32 = 0x0403_4B50
    private static let dataDescriptorSignature: UInt32 = 0x0807_4B50
    private static let centralHeaderSignature: UInt32 = 0x0201_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let endSignature: UInt32 = 0x0605_4B50
}

/// Why an archive cannot be written as asked.
public enum ZipStreamError: Error, Equatable, Sendable {
    /// An entry name over 65,535 bytes of UTF-8, the most a header can record.
    case nameTooLong(byteCount: Int)
    /// A known entry's reported data was not the size its header declared.
    case sizeMismatch(name: String, declared: UInt64, written: UInt64)
    /// Calls out of order (data with no entry open, an entry inside another, anything after the
    /// end): a mistake of the caller, which must abort the response, never a crash.
    case outOfOrder(String)
}

extension [UInt8] {
    fileprivate mutating func append(littleEndian value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// A ZIP64 extended information extra field (tag 1) holding `values`.
    fileprivate mutating func appendZip64Extra(_ values: [UInt64]) {
        append(littleEndian: UInt16(1))
        append(littleEndian: UInt16(values.count * 8))
        for value in values { append(littleEndian: value) }
    }
}
