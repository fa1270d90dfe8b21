import Foundation
import Testing

@testable import ExpenseCore

/// The streaming ZIP writer, checked by reading its archives back record by record: the end
/// record leads to the central directory, every central header to its local header, and every
/// streamed entry's data to its data descriptor.
@Suite struct ZipStreamTests {
    static let june = Date(timeIntervalSince1970: 1_718_454_896)  // 2024-06-15T12:34:56Z

    /// One central directory entry as read back.
    struct Central: Equatable {
        var name: String
        var flags: UInt16
        var versionNeeded: UInt16
        var crc32: UInt32
        var size: UInt64
        var offset: UInt64
        var extra: [UInt8]
    }

    /// The archive's end records and central directory. `base` is the archive offset of
    /// `bytes[0]`, for archives whose first bytes were only counted, not kept.
    struct Archive {
        var entries: [Central] = []
        var count: UInt64 = 0
        var directoryOffset: UInt64 = 0
        var zip64: Bool = false

        init(_ bytes: [UInt8], base: UInt64 = 0) {
            let end = bytes.count - 22
            #expect(bytes.u32(end) == 0x0605_4B50)
            count = UInt64(bytes.u16(end + 10))
            var directorySize = UInt64(bytes.u32(end + 12))
            directoryOffset = UInt64(bytes.u32(end + 16))
            #expect(bytes.u16(end + 8) == bytes.u16(end + 10))
            if end >= 76, bytes.u32(end - 20) == 0x0706_4B50 {
                zip64 = true
                let record = Int(bytes.u64(end - 12) - base)
                #expect(record == end - 76)
                #expect(bytes.u32(record) == 0x0606_4B50)
                #expect(bytes.u64(record + 4) == 44)
                count = bytes.u64(record + 32)
                directorySize = bytes.u64(record + 40)
                directoryOffset = bytes.u64(record + 48)
            }
            var position = Int(directoryOffset - base)
            #expect(UInt64(position) + directorySize == UInt64(end - (zip64 ? 76 : 0)))
            while position < Int(directoryOffset - base + directorySize) {
                #expect(bytes.u32(position) == 0x0201_4B50)
                let nameLength = Int(bytes.u16(position + 28))
                let extraLength = Int(bytes.u16(position + 30))
                let name = String(decoding: bytes[position + 46..<position + 46 + nameLength], as: UTF8.self)
                let extra = Array(bytes[position + 46 + nameLength..<position + 46 + nameLength + extraLength])
                // The ZIP64 extra field holds, in order, the values whose classic field is all ones.
                var values = (0..<max(0, extra.count - 4) / 8).map { extra.u64(4 + 8 * $0) }[...]
                var size = UInt64(bytes.u32(position + 24))
                if size == 0xFFFF_FFFF {
                    size = values.removeFirst()
                    #expect(values.removeFirst() == size)
                }
                var offset = UInt64(bytes.u32(position + 42))
                if offset == 0xFFFF_FFFF { offset = values.removeFirst() }
                #expect(values.isEmpty)
                #expect(bytes.u32(position + 20) == bytes.u32(position + 24))
                entries.append(
                    Central(
                        name: name, flags: bytes.u16(position + 8), versionNeeded: bytes.u16(position + 6),
                        crc32: bytes.u32(position + 16), size: size, offset: offset, extra: extra))
                position += 46 + nameLength + extraLength + Int(bytes.u16(position + 32))
            }
            #expect(UInt64(entries.count) == count)
        }
    }

    @Test func twoKnownEntriesAndAStreamedOneReadBack() throws {
        let first = Array("hello, receipts\n".utf8)
        let second = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let csv = ["id,amount\r\n", "1,12.50\r\n"].map { Array($0.utf8) }
        var writer = ZipStream()
        var out: [UInt8] = []
        out += try writer.beginEntry(
            name: "2024/café.txt", size: UInt64(first.count), crc32: CRC32.checksum(first), modified: Self.june)
        out += first
        try writer.wrote(first)
        #expect(try writer.endEntry() == [])
        out += try writer.beginEntry(
            name: "収据.bin", size: UInt64(second.count), crc32: CRC32.checksum(second), modified: Self.june)
        for start in stride(from: 0, to: second.count, by: 1024) {
            let chunk = second[start..<min(start + 1024, second.count)]
            out += chunk
            try writer.wrote(chunk)
        }
        out += try writer.endEntry()
        out += try writer.beginStreamedEntry(name: "expenses.csv", modified: Self.june)
        for line in csv {
            out += line
            try writer.wrote(line)
        }
        let descriptor = try writer.endEntry()
        #expect(descriptor.count == 24)
        out += descriptor
        out += try writer.finish()

        let archive = Archive(out)
        #expect(!archive.zip64)
        #expect(archive.count == 3)
        let contents = [first, second, csv.flatMap { $0 }]
        #expect(archive.entries.map(\.name) == ["2024/café.txt", "収据.bin", "expenses.csv"])
        #expect(archive.entries.map(\.flags) == [0x0800, 0x0800, 0x0808])
        #expect(archive.entries.map(\.versionNeeded) == [20, 20, 45])
        #expect(archive.entries.map(\.extra) == [[], [], []])
        var expectedOffset: UInt64 = 0
        for (entry, data) in zip(archive.entries, contents) {
            #expect(entry.offset == expectedOffset)
            #expect(entry.size == UInt64(data.count))
            #expect(entry.crc32 == CRC32.checksum(data))
            let local = Int(entry.offset)
            let nameLength = Int(out.u16(local + 26))
            let extraLength = Int(out.u16(local + 28))
            #expect(out.u32(local) == 0x0403_4B50)
            #expect(out.u16(local + 6) == entry.flags)
            #expect(out.u16(local + 8) == 0)  // stored
            #expect(out.u16(local + 10) == 0x645C)  // 12:34:56
            #expect(out.u16(local + 12) == 0x58CF)  // 2024-06-15
            #expect(String(decoding: out[local + 30..<local + 30 + nameLength], as: UTF8.self) == entry.name)
            let start = local + 30 + nameLength + extraLength
            #expect(Array(out[start..<start + data.count]) == data)
            var next = start + data.count
            if entry.flags & 0x8 != 0 {
                // CRC and sizes follow the data; the local header has zeros and ZIP64 markers.
                #expect(out.u32(local + 14) == 0)
                #expect(out.u32(local + 18) == 0xFFFF_FFFF)
                let zip64Extra: [UInt8] = [1, 0, 16, 0] + [UInt8](repeating: 0, count: 16)
                #expect(Array(out[local + 30 + nameLength..<start]) == zip64Extra)
                #expect(out.u32(next) == 0x0807_4B50)
                #expect(out.u32(next + 4) == entry.crc32)
                #expect(out.u64(next + 8) == entry.size)
                #expect(out.u64(next + 16) == entry.size)
                next += 24
            } else {
                #expect(extraLength == 0)
                #expect(out.u32(local + 14) == entry.crc32)
                #expect(UInt64(out.u32(local + 18)) == entry.size)
                #expect(UInt64(out.u32(local + 22)) == entry.size)
            }
            expectedOffset = UInt64(next)
        }
        #expect(archive.directoryOffset == expectedOffset)
    }

    @Test func anEmptyArchiveIsJustTheEndRecord() throws {
        var writer = ZipStream()
        let out = try writer.finish()
        #expect(out == [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
    }

    @Test func callsOutOfOrderThrowInsteadOfCrashing() throws {
        var writer = ZipStream()
        #expect(throws: ZipStreamError.self) { try writer.wrote([1]) }
        #expect(throws: ZipStreamError.self) { try writer.endEntry() }
        _ = try writer.beginStreamedEntry(name: "a.csv", modified: Self.june)
        #expect(throws: ZipStreamError.self) { try writer.beginStreamedEntry(name: "b.csv", modified: Self.june) }
        #expect(throws: ZipStreamError.self) { try writer.finish() }
        _ = try writer.endEntry()
        _ = try writer.finish()
        #expect(throws: ZipStreamError.self) { try writer.finish() }
        #expect(throws: ZipStreamError.self) { try writer.beginStreamedEntry(name: "c.csv", modified: Self.june) }
    }

    @Test func aKnownEntryOfTheWrongSizeThrows() throws {
        var writer = ZipStream()
        _ = try writer.beginEntry(name: "short.pdf", size: 10, crc32: 0, modified: Self.june)
        try writer.wrote([1, 2, 3])
        #expect(throws: ZipStreamError.sizeMismatch(name: "short.pdf", declared: 10, written: 3)) {
            try writer.endEntry()
        }
        _ = try writer.beginEntry(name: "long.pdf", size: 2, crc32: 0, modified: Self.june)
        try writer.wrote([1, 2, 3])
        #expect(throws: ZipStreamError.sizeMismatch(name: "long.pdf", declared: 2, written: 3)) {
            try writer.endEntry()
        }
    }

    @Test func aNameOverSixtyFourKilobytesThrows() {
        var writer = ZipStream()
        #expect(throws: ZipStreamError.nameTooLong(byteCount: 65_536)) {
            try writer.beginStreamedEntry(name: String(repeating: "é", count: 32_768), modified: Self.june)
        }
        #expect(throws: Never.self) {
            try writer.beginStreamedEntry(name: String(repeating: "a", count: 65_535), modified: Self.june)
        }
    }

    /// An entry of 4 GiB or more: its sizes move to ZIP64 extra fields in both headers, and the
    /// entry after it starts past 4 GiB. A known entry's bytes are only counted, so a repeated
    /// element stands in for them.
    @Test func aLargeKnownEntryUsesZip64() throws {
        let size: UInt64 = 5 << 30
        var writer = ZipStream()
        let header = try writer.beginEntry(name: "big.pdf", size: size, crc32: 0x1234_5678, modified: Self.june)
        #expect(header.u16(4) == 45)
        #expect(header.u32(18) == 0xFFFF_FFFF)
        #expect(header.u32(22) == 0xFFFF_FFFF)
        #expect(header.u16(28) == 20)
        #expect(Array(header[37...]) == [1, 0, 16, 0] + size.bytes + size.bytes)
        for _ in 0..<5 { try writer.wrote(repeatElement(0 as UInt8, count: 1 << 30)) }
        _ = try writer.endEntry()
        let secondOffset = UInt64(header.count) + size
        _ = try writer.beginEntry(name: "after.txt", size: 1, crc32: CRC32.checksum([7]), modified: Self.june)
        try writer.wrote([7])
        _ = try writer.endEntry()
        let directoryOffset = writer.offset
        let end = try writer.finish()
        let archive = Archive(end, base: directoryOffset)
        #expect(archive.zip64)
        #expect(archive.directoryOffset == directoryOffset)
        #expect(archive.entries.map(\.size) == [size, 1])
        #expect(archive.entries.map(\.offset) == [0, secondOffset])
        #expect(archive.entries.map(\.versionNeeded) == [45, 45])
        #expect(archive.entries[0].extra == [1, 0, 16, 0] + size.bytes + size.bytes)
        #expect(archive.entries[1].extra == [1, 0, 8, 0] + secondOffset.bytes)
    }

    /// An archive that already holds almost 4 GiB (the offset is set, not written): entries
    /// starting at 0xFFFFFFFF or beyond get their offset in a ZIP64 extra field, and the
    /// directory's offset moves to the ZIP64 end record.
    @Test func offsetsPastFourGibibytesUseZip64() throws {
        var writer = ZipStream()
        let start: UInt64 = 0xFFFF_FF00
        writer.offset = start
        var out: [UInt8] = []
        var offsets: [UInt64] = []
        for index in 0..<4 {
            let data = [UInt8](repeating: UInt8(index), count: 100)
            offsets.append(start + UInt64(out.count))
            out += try writer.beginEntry(
                name: "r\(index).jpg", size: 100, crc32: CRC32.checksum(data), modified: Self.june)
            out += data
            try writer.wrote(data)
            out += try writer.endEntry()
        }
        out += try writer.finish()
        let archive = Archive(out, base: start)
        #expect(archive.zip64)
        #expect(archive.entries.map(\.offset) == offsets)
        #expect(offsets[1] < 0xFFFF_FFFF && offsets[2] > 0xFFFF_FFFF)
        #expect(archive.entries.map(\.versionNeeded) == [20, 20, 45, 45])
        #expect(archive.entries.map(\.extra.count) == [0, 0, 12, 12])
        #expect(out.u32(out.count - 6) == 0xFFFF_FFFF)  // the classic field says "see ZIP64"
        #expect(out.u16(out.count - 12) == 4)  // the count still fits
        for (entry, offset) in zip(archive.entries, offsets) {
            #expect(out.u32(Int(offset - start)) == 0x0403_4B50)
            #expect(out.u32(Int(offset - start) + 14) == entry.crc32)
        }
    }

    /// 65,535 entries is the classic count's all-ones marker: from there the count is ZIP64's.
    @Test func sixtyFiveThousandFiveHundredThirtyFiveEntriesUseZip64() throws {
        var writer = ZipStream()
        for index in 0..<65_535 {
            _ = try writer.beginEntry(name: "\(index)", size: 0, crc32: 0, modified: Self.june)
            _ = try writer.endEntry()
        }
        let directoryOffset = writer.offset
        let end = try writer.finish()
        let archive = Archive(end, base: directoryOffset)
        #expect(archive.zip64)
        #expect(archive.count == 65_535)
        #expect(end.u16(end.count - 12) == 0xFFFF)
        #expect(archive.entries.last?.name == "65534")
    }

    @Test func datesAreUTCAndClampedToTheDOSRange() {
        func parts(_ seconds: Double) -> [Int] {
            let (time, date) = ZipStream.dosDateTime(Date(timeIntervalSince1970: seconds))
            return [
                1980 + Int(date >> 9), Int(date >> 5 & 15), Int(date & 31),
                Int(time >> 11), Int(time >> 5 & 63), Int(time & 31) * 2,
            ]
        }
        #expect(parts(1_718_454_896.9) == [2024, 6, 15, 12, 34, 56])
        #expect(parts(1_718_454_897) == [2024, 6, 15, 12, 34, 56])  // two-second steps, rounded down
        #expect(parts(951_782_400) == [2000, 2, 29, 0, 0, 0])
        #expect(parts(0) == [1980, 1, 1, 0, 0, 0])
        #expect(parts(-.infinity) == [1980, 1, 1, 0, 0, 0])
        #expect(parts(.nan) == [1980, 1, 1, 0, 0, 0])
        #expect(parts(4_354_819_199) == [2107, 12, 31, 23, 59, 58])
        #expect(parts(1e15) == [2107, 12, 31, 23, 59, 58])
    }
}

extension UInt64 {
    fileprivate var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) } }
}

extension [UInt8] {
    fileprivate func u16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    fileprivate func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    fileprivate func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
}
