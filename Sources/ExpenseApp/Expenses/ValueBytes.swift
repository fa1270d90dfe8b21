import ExpenseCore
import Foundation
import NIOCore

/// The values the server formats itself (ids, dates, timestamps, amounts, counts), written as
/// UTF-8 straight into a response buffer: the same text as their `String` forms
/// (`Identifier.description`, `CalendarDate.description`, `UTCTimestamp.format`,
/// `Money.decimalString`, `Int.description`) without building those strings. Shared by the
/// expense JSON and the CSV export. None of these texts holds a byte JSON escapes or CSV quotes.
extension ByteBuffer {
    /// `Identifier.description`: the UUID in lower case, 36 bytes.
    mutating func writeLowercaseUUID(_ uuid: UUID) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            _ = writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { out in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = Self.lowercaseHex(byte >> 4)
                    out[index + 1] = Self.lowercaseHex(byte & 0x0F)
                    index += 2
                }
                return index
            }
        }
    }

    /// `CalendarDate.description`: `YYYY-MM-DD`. Years outside 0...9999 (never stored) take the
    /// `String` path, so even they come out the same.
    mutating func writeCalendarDate(_ date: CalendarDate) {
        guard (0...9999).contains(date.year), (0...99).contains(date.month), (0...99).contains(date.day) else {
            writeString(date.description)
            return
        }
        writeDigits(UInt64(date.year), width: 4)
        writeInteger(UInt8(ascii: "-"))
        writeDigits(UInt64(date.month), width: 2)
        writeInteger(UInt8(ascii: "-"))
        writeDigits(UInt64(date.day), width: 2)
    }

    /// `UTCTimestamp.format`: `2026-11-29T09:32:15Z`, whole seconds rounded down.
    mutating func writeUTCTimestamp(_ instant: Date) {
        // The same arithmetic as `UTCTimestamp.format`.
        let seconds = Int((instant.timeIntervalSince1970).rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let day = CalendarDate(dayNumber: days)
        guard (0...9999).contains(day.year) else {
            writeString(UTCTimestamp.format(instant))
            return
        }
        writeCalendarDate(day)
        writeInteger(UInt8(ascii: "T"))
        writeDigits(UInt64(time / 3600), width: 2)
        writeInteger(UInt8(ascii: ":"))
        writeDigits(UInt64(time / 60 % 60), width: 2)
        writeInteger(UInt8(ascii: ":"))
        writeDigits(UInt64(time % 60), width: 2)
        writeInteger(UInt8(ascii: "Z"))
    }

    /// `Money.decimalString`: the exact decimal with the currency's number of decimals, e.g.
    /// `12.34`, `-0.05`, `1000` (JPY), `1.500` (BHD).
    mutating func writeDecimal(_ money: Money) {
        let exponent = money.currency.exponent
        if money.minorUnits < 0 { writeInteger(UInt8(ascii: "-")) }
        let magnitude = money.minorUnits.magnitude
        guard exponent > 0 else {
            writeDigits(magnitude, width: 1)
            return
        }
        // At least one whole digit: 5 cents is `0.05`.
        let width = Swift.max(Self.digitCount(magnitude), exponent + 1)
        writeWithUnsafeMutableBytes(minimumWritableBytes: width + 1) { out in
            var rest = magnitude
            var index = width
            for place in 0..<width {
                if place == exponent {
                    out[index] = UInt8(ascii: ".")
                    index -= 1
                }
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                index -= 1
            }
            return width + 1
        }
    }

    /// `Int.description`.
    mutating func writeDecimal(_ value: Int) {
        if value < 0 { writeInteger(UInt8(ascii: "-")) }
        writeDigits(UInt64(value.magnitude), width: 1)
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    mutating func writeDigits(_ value: UInt64, width: Int) {
        let count = Swift.max(Self.digitCount(value), width)
        writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            var rest = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return count
        }
    }

    static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    static func lowercaseHex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
