import ExpenseCore
import Testing

/// The CRC-32 of ZIP and zlib: its published check values, and the same value however the bytes
/// are split into pieces and whatever collection carries them.
@Suite struct CRC32Tests {
    /// Bit by bit, straight from the definition, to check the table-driven code against.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Bytes without a pattern that a wrong table entry could hide in.
    static let sample: [UInt8] = (0..<1031).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }

    static let checkValues: [(String, UInt32)] = [
        ("123456789", 0xCBF4_3926), ("", 0), ("a", 0xE8B7_BE43), ("abc", 0x3524_41C2),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ]

    @Test(arguments: checkValues)
    func publishedCheckValues(text: String, crc: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == crc)
        #expect(CRC32.checksum(text.utf8) == crc)
        var running = CRC32()
        running.update(Array(text.utf8))
        #expect(running.value == crc)
    }

    @Test func binaryCheckValues() {
        #expect(CRC32.checksum([UInt8](repeating: 0, count: 32)) == 0x190A_55AD)
        #expect(CRC32.checksum([UInt8](repeating: 0xFF, count: 32)) == 0xFF6C_AB0B)
        #expect(CRC32.checksum((0...255).map { UInt8($0) }) == 0x2905_8C73)
        #expect(CRC32().value == 0)
    }

    /// Every length from 0 to 40 covers whole 8-byte words, ragged tails, and both together.
    @Test func everyLengthMatchesTheBitwiseDefinition() {
        for length in 0...40 {
            let bytes = Array(Self.sample.prefix(length))
            #expect(CRC32.checksum(bytes) == Self.reference(bytes), "length \(length)")
        }
        #expect(CRC32.checksum(Self.sample) == Self.reference(Self.sample))
    }

    @Test func piecesGiveTheOneShotValue() {
        let whole = CRC32.checksum(Self.sample)
        for split in [0, 1, 7, 8, 9, 100, 513, 1030, 1031] {
            var crc = CRC32()
            crc.update(Self.sample[..<split])
            crc.update(Self.sample[split...])
            #expect(crc.value == whole, "split at \(split)")
        }
        // Many small pieces of uneven sizes, each starting at a different alignment.
        var crc = CRC32()
        var start = 0
        var size = 1
        while start < Self.sample.count {
            let end = min(start + size, Self.sample.count)
            crc.update(Self.sample[start..<end])
            start = end
            size = size % 13 + 1
        }
        #expect(crc.value == whole)
    }

    /// Contiguous storage takes the word-at-a-time path, anything else the byte path: same value.
    @Test func everyKindOfSequenceGivesTheSameValue() {
        let whole = CRC32.checksum(Self.sample)
        #expect(CRC32.checksum(AnySequence(Self.sample)) == whole)
        #expect(CRC32.checksum(Self.sample.lazy.map { $0 }) == whole)
        #expect(CRC32.checksum(ContiguousArray(Self.sample)) == whole)
        Self.sample.withUnsafeBytes { raw in
            var crc = CRC32()
            crc.update(raw)
            #expect(crc.value == whole)
            // A raw buffer seen only as a generic sequence.
            #expect(CRC32.checksum(raw) == whole)
            // A window starting at an odd address.
            var tail = CRC32()
            tail.update(UnsafeRawBufferPointer(rebasing: raw[3...]))
            #expect(tail.value == CRC32.checksum(Self.sample.dropFirst(3)))
        }
        var mixed = CRC32()
        mixed.update(AnySequence(Self.sample.prefix(11)))
        mixed.update(Self.sample.dropFirst(11))
        #expect(mixed.value == whole)
    }
}
