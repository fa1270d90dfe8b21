import Foundation

/// The organization's claim policy: an expense costlier than the threshold needs a receipt
/// before a claim holding it is submitted. An expense in another currency is compared by its
/// base amount (the threshold is in the organization's currency); one that no rate converts
/// yet cannot be compared, so it counts as above the threshold.
public struct ReceiptRule: Sendable, Equatable {
    public var threshold: Money

    public init(threshold: Money) {
        self.threshold = threshold
    }

    /// Whether an expense of `amount`, worth `base` minor units of the threshold's currency
    /// (nil while unconverted), needs a receipt under this rule.
    public func asksReceipt(for amount: Money, base: Int64?) -> Bool {
        if amount.currency == threshold.currency { return amount.minorUnits > threshold.minorUnits }
        guard let base else { return true }
        return base > threshold.minorUnits
    }

    /// Whether the expense breaks the rule: it needs a receipt and has none.
    public func isBroken(by expense: Expense) -> Bool {
        expense.receiptCount == 0 && asksReceipt(for: expense.amount, base: expense.baseMinorUnits)
    }
}
