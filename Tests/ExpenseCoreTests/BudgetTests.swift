import Foundation
import Testing

@testable import ExpenseCore

/// A budget's percents and periods: reached exactly (no rounding), the share held within `Int`
/// however far past the budget spending goes, periods that end where the next begins.
@Suite struct BudgetTests {
    static func budget(_ minor: Int64, _ percents: [Int]) throws -> Budget {
        Budget(
            id: BudgetID(), name: "B", amount: Money(minorUnits: minor, currency: try Currency(code: "EUR"))!,
            period: .month, categoryID: nil, alertPercents: percents, createdAt: Date(), updatedAt: Date())
    }

    @Test func percentsAreReachedExactly() throws {
        let budget = try Self.budget(10_000, [80, 100])
        #expect(budget.reached(spent: 7_999).isEmpty)
        #expect(budget.reached(spent: 8_000) == [80])
        #expect(budget.reached(spent: 10_000) == [80, 100])
        let odd = try Self.budget(3, [34])  // 34% of 0.03 is 0.0102: reached at 0.02, not 0.01
        #expect(odd.reached(spent: 1).isEmpty && odd.reached(spent: 2) == [34])
    }

    @Test func theShareStaysWithinRangeFarPastTheBudget() throws {
        let status = BudgetStatus(
            start: CalendarDate(year: 2026, month: 11, day: 1)!, end: CalendarDate(year: 2026, month: 11, day: 30)!,
            budget: try Self.budget(1, [100]).amount, spent: Int128(Money.maximumMinorUnits) * 1_000_000,
            unconverted: 0)
        #expect(status.percent == Int.max)
        #expect(status.remaining < 0)
    }

    @Test func periodsFollowEachOther() {
        let day = CalendarDate(year: 2028, month: 2, day: 29)!
        #expect(Budget.Period.month.span(of: day).end.description == "2028-02-29")
        #expect(Budget.Period.quarter.span(of: day).start.description == "2028-01-01")
        #expect(Budget.Period.quarter.span(of: day).end.description == "2028-03-31")
        let spans = Budget.Period.month.spans(count: 12, upTo: day)
        #expect(spans.count == 12 && spans.first?.start.description == "2027-03-01")
        for (previous, next) in zip(spans, spans.dropFirst()) { #expect(previous.end.adding(days: 1) == next.start) }
    }
}
