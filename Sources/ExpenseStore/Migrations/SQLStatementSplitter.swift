import Foundation

/// Splits a migration file into single statements, since both drivers run one statement per call
/// (SQLite silently ignores everything after the first).
///
/// A `;` ends a statement unless it sits inside a quoted string or identifier, a `--` or `/* */`
/// comment, a dollar-quoted body (`$$ ... $$`, `$fn$ ... $fn$`), or a `CREATE TRIGGER` whose
/// body has not reached `END`. Statements holding only whitespace and comments are dropped.
public enum SQLStatementSplitter {
    public static func split(_ sql: String) -> [String] {
        let chars = Array(sql)
        var statements: [String] = []
        var current = ""
        var hasCode = false
        var index = 0

        func flush() {
            if hasCode {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            current = ""
            hasCode = false
        }

        while index < chars.count {
            let char = chars[index]
            let next: Character? = index + 1 < chars.count ? chars[index + 1] : nil

            if char == "-" && next == "-" {
                // Line comment: keep it out of the statement entirely.
                while index < chars.count && chars[index] != "\n" { index += 1 }
                continue
            }
            if char == "/" && next == "*" {
                index += 2
                while index < chars.count
                    && !(chars[index] == "*" && index + 1 < chars.count && chars[index + 1] == "/")
                {
                    index += 1
                }
                index += 2
                current.append(" ")
                continue
            }
            if char == "'" || char == "\"" {
                let end = closingQuote(chars, from: index, quote: char)
                current.append(contentsOf: chars[index..<end])
                hasCode = true
                index = end
                continue
            }
            if char == "$", let tag = dollarTag(chars, at: index) {
                let end = closingDollar(chars, from: index + tag.count, tag: tag)
                current.append(contentsOf: chars[index..<end])
                hasCode = true
                index = end
                continue
            }
            if char == ";" {
                if isOpenTrigger(current) {
                    current.append(char)
                    index += 1
                    continue
                }
                flush()
                index += 1
                continue
            }
            current.append(char)
            if !char.isWhitespace { hasCode = true }
            index += 1
        }
        flush()
        return statements
    }

    /// The index just past the quote that closes the one at `start` (doubled quotes escape).
    private static func closingQuote(_ chars: [Character], from start: Int, quote: Character) -> Int {
        var index = start + 1
        while index < chars.count {
            if chars[index] == quote {
                if index + 1 < chars.count && chars[index + 1] == quote {
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return chars.count
    }

    /// `$tag$` starting at `start`, if one does (`$1` parameters are not tags).
    private static func dollarTag(_ chars: [Character], at start: Int) -> [Character]? {
        var index = start + 1
        while index < chars.count,
            chars[index].isLetter || chars[index] == "_" || (index > start + 1 && chars[index].isNumber)
        {
            index += 1
        }
        guard index < chars.count, chars[index] == "$" else { return nil }
        return Array(chars[start...index])
    }

    private static func closingDollar(_ chars: [Character], from start: Int, tag: [Character]) -> Int {
        var index = start
        while index + tag.count <= chars.count {
            if Array(chars[index..<index + tag.count]) == tag { return index + tag.count }
            index += 1
        }
        return chars.count
    }

    /// Whether `statement` is a CREATE TRIGGER whose `BEGIN ... END` body is still open
    /// (`CASE ... END` inside the body is counted too).
    private static func isOpenTrigger(_ statement: String) -> Bool {
        let words = statement.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
        guard words.count >= 2, words[0] == "CREATE" else { return false }
        let afterCreate = words.dropFirst().drop(while: { $0 == "TEMP" || $0 == "TEMPORARY" })
        guard afterCreate.first == "TRIGGER" else { return false }
        var depth = 0
        for word in words {
            if word == "BEGIN" || word == "CASE" { depth += 1 }
            if word == "END" { depth -= 1 }
        }
        return depth > 0
    }
}
