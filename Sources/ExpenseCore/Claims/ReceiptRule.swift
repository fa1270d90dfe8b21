import Foundation

/// The organization's claim policy: an expense costlier than the threshold needs a receipt
/// before a claim holding it is submitted. Until exchange rates exist an expense in another
/// currency cannot be compared, so it counts as above the threshold.
public struct ReceiptRule: Sendable, Equatable {
    public var threshold: Money

    public init(threshold: Money) {
        self.threshold = threshold
    }

    /// Whether an expense of `amount` needs a receipt under this rule.
    public func asksReceipt(for amount: Money) -> Bool {
        amount.currency != threshold.currency || amount.minorUnits > threshold.minorUnits
    }

    /// Whether the expense breaks the rule: it needs a receipt and has none.
    public func isBroken(by expense: Expense) -> Bool {
        expense.receiptCount == 0 && asksReceipt(for: expense.amount)
    }
}
