import Foundation

/// An organization's rate for one currency from one day on: units of its base currency per unit
/// of `currency`, used for every expense dated on or after `date` until a later rate.
public struct DatedRate: Sendable, Equatable {
    public var currency: Currency
    public var date: CalendarDate
    public var rate: ExchangeRate
    public var updatedAt: Date

    public init(currency: Currency, date: CalendarDate, rate: ExchangeRate, updatedAt: Date) {
        self.currency = currency
        self.date = date
        self.rate = rate
        self.updatedAt = updatedAt
    }
}
