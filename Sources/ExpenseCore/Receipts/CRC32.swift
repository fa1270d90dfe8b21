/// The CRC-32 of ZIP, zlib, gzip and PNG: the reflected polynomial 0xEDB88320, started at all
/// ones and inverted at the end. The check value, the CRC of the nine ASCII bytes "123456789",
/// is 0xCBF43926.
///
/// It is fed in pieces, in order, and `value` may be read at any point: the CRC of everything fed
/// so far. Feeding the bytes in one piece or in many gives the same value, so an upload can be
/// checksummed chunk by chunk as it arrives, without holding it.
///
/// Contiguous bytes (an `Array`, a raw buffer, anything whose `withContiguousStorageIfAvailable`
/// answers) are taken eight at a time by slicing-by-8: eight tables of 256 entries, where table
/// `k` advances the CRC over a byte followed by `k` zero bytes, so the eight lookups of one
/// 8-byte word are independent of each other and the CRC is updated once per word instead of
/// once per byte. Other sequences, and the ragged ends, go one byte at a time through table 0.
public struct CRC32: Sendable {
    /// The running register, kept inverted as the algorithm defines it.
    private var register: UInt32 = 0xFFFF_FFFF

    /// A CRC of no bytes yet.
    public init() {}

    /// The CRC of the bytes fed so far (0 for none).
    public var value: UInt32 { ~register }

    /// Feeds `bytes`, after everything fed before.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done != nil { return }
        var crc = register
        Self.tables.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
            }
        }
        register = crc
    }

    /// Feeds the bytes of `buffer`, after everything fed before.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        var crc = register
        Self.tables.withUnsafeBufferPointer { table in
            var index = 0
            let count = buffer.count
            // Whole 8-byte words: the register is folded into the first four bytes, then each
            // byte selects from the table that accounts for how many bytes follow it in the word.
            while count - index >= 8 {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ crc
                let high = UInt32(truncatingIfNeeded: word >> 32)
                crc =
                    table[7 &* 256 &+ Int(low & 0xFF)] ^ table[6 &* 256 &+ Int((low >> 8) & 0xFF)]
                    ^ table[5 &* 256 &+ Int((low >> 16) & 0xFF)] ^ table[4 &* 256 &+ Int(low >> 24)]
                    ^ table[3 &* 256 &+ Int(high & 0xFF)] ^ table[2 &* 256 &+ Int((high >> 8) & 0xFF)]
                    ^ table[256 &+ Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index &+= 8
            }
            while index < count {
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
                index &+= 1
            }
        }
        register = crc
    }

    /// The CRC of `bytes` alone.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The eight slicing tables, one after another (`tables[k * 256 + n]`). Table 0 is the
    /// classic byte-at-a-time table; table `k` is table `k - 1` advanced over one more zero byte.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return tables
    }()
}
