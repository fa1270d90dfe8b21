import Foundation
import Testing

@testable import ExpenseCore

/// The input rules the API's schema states as patterns: each holds exactly as the pattern says,
/// so a value the schema allows is never refused and one it forbids is never taken.
@Suite struct InputRulesTests {
    @Test func namesRefuseControlCharactersAnywhereAndTrimSpaces() throws {
        #expect(try DisplayName.validate("  Ana Lima\u{3000}") == "Ana Lima")
        #expect(try DisplayName.validate("Ana\u{2028}Lima") == "Ana\u{2028}Lima")
        for bad in ["", " \u{A0}\u{200B} ", "Ana\n", "\tAna", "An\u{85}a", "Ana\u{7F}"] {
            #expect(throws: ValidationError.self, "\(bad.debugDescription)") { try DisplayName.validate(bad) }
        }
        #expect(throws: ValidationError.self) { try DisplayName.validate(String(repeating: "é", count: 201)) }
        #expect(try DisplayName.validate(String(repeating: "é", count: 200)).count == 200)
    }

    @Test func notesRefuseControlCharactersOtherThanTabsAndLineBreaksWhereverTheyAre() throws {
        func note(_ text: String) throws -> String {
            try ExpenseDraft(
                amount: "1", currency: nil, date: "2026-11-29", categoryID: nil, merchant: nil, note: text, tags: nil,
                defaultCurrency: .usd
            ).note
        }
        #expect(try note("\n\tLunch\r\n with Vi \n") == "Lunch\r\n with Vi")
        for bad in ["Lunch\u{0B}", "\u{0C}Lunch", "Lu\u{1B}nch"] {
            #expect(throws: ValidationError.self, "\(bad.debugDescription)") { try note(bad) }
        }
    }

    @Test func tagsAreLettersWithTheirMarksDigitsDashesAndUnderscores() throws {
        // A decomposed é (e and a combining acute), stored composed as one typed directly is, and
        // a Devanagari word with its vowel signs.
        #expect(try Tags.normalize(["Cafe\u{301}", "हिंदी", "q4_2026-x"]) == ["caf\u{e9}", "हिंदी", "q4_2026-x"])
        #expect(try Tags.normalize(["Cafe\u{301}", "caf\u{e9}"]) == ["caf\u{e9}"])
        for bad in ["Ⅻ", "²", "٣", "a b", "a.b", "Ⓐ"] {
            #expect(throws: ValidationError.self, "\(bad)") { try Tags.normalize([bad]) }
        }
    }

    /// An expense's own tags, sent back unchanged, are kept even if a later, stricter rule would
    /// refuse them, so changing its amount still works; a new tag is checked.
    @Test func storedTagsSentBackUnchangedAreKept() throws {
        let stored = ["ⅻ", "travel"]
        let draft = try ExpenseDraft(
            amount: "2", currency: "EUR", date: "2026-11-29", categoryID: nil, merchant: nil, note: nil,
            tags: ["Ⅻ ", "travel"], defaultCurrency: .usd, storedTags: stored)
        #expect(draft.tags == stored)
        #expect(throws: ValidationError.self) {
            try ExpenseDraft(
                amount: "2", currency: "EUR", date: "2026-11-29", categoryID: nil, merchant: nil, note: nil,
                tags: ["ⅻ", "new"], defaultCurrency: .usd, storedTags: stored)
        }
    }

    /// 32 characters as typed and as stored: lower-casing İ makes two code points of it, so 32 of
    /// them would be stored longer than the limit and the expense could never be saved again.
    @Test func aTagsLengthHoldsAsTypedAndAsStored() throws {
        let typed = String(repeating: "İ", count: 16)
        #expect(try Tags.normalize([typed]).first == typed.lowercased())
        #expect(throws: ValidationError.self) { try Tags.normalize([String(repeating: "İ", count: 17)]) }
        #expect(throws: ValidationError.self) { try Tags.normalize([String(repeating: "a", count: 33)]) }
    }

    @Test func knownCurrencyCodesAreTheOnesAccepted() throws {
        #expect(Currency.knownCodes.count > 150)
        #expect(Currency.knownCodes == Currency.knownCodes.sorted())
        for code in Currency.knownCodes { #expect(try Currency(code: code).code == code) }
    }
}
