import Foundation

extension ReferenceRateFile {
    /// A file's rates restated in one base currency, and what could not be.
    public struct Restated: Sendable, Equatable {
        /// Units of the base currency per unit of each other currency, per day.
        public var rates: [(currency: Currency, date: CalendarDate, rate: ExchangeRate)]
        /// Days that do not quote the base currency (so nothing that day can be restated).
        public var daysWithoutBase: [CalendarDate]
        /// Codes the file quotes that are no longer ISO 4217 currencies (the ECB's history
        /// holds some, such as CYP), or whose cross rate leaves a rate's range.
        public var skippedCodes: [String]

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.daysWithoutBase == rhs.daysWithoutBase && lhs.skippedCodes == rhs.skippedCodes
                && lhs.rates.elementsEqual(rhs.rates) {
                    $0.currency == $1.currency && $0.date == $1.date && $0.rate == $1.rate
                }
        }
    }

    /// Every quote as a rate in `base`: with the euro as base, one over the quote; otherwise
    /// the cross rate of the base's quote over the other's (the euro itself quoted at 1),
    /// rounded half to even to 12 significant digits.
    public func restated(in base: Currency) -> Restated {
        let one = ExchangeRate(significand: 1, scale: 0)!
        var result = Restated(rates: [], daysWithoutBase: [], skippedCodes: [])
        var skipped = Set<String>()
        for day in days {
            var perEuro: [(code: String, rate: ExchangeRate)] = day.quotes.map { ($0.code, $0.perEuro) }
            perEuro.append(("EUR", one))
            guard let basePerEuro = perEuro.first(where: { $0.code == base.code })?.rate else {
                result.daysWithoutBase.append(day.date)
                continue
            }
            for (code, foreignPerEuro) in perEuro where code != base.code {
                guard let currency = try? Currency(code: code),
                    let rate = ExchangeRate.cross(basePerUnit: basePerEuro, foreignPerUnit: foreignPerEuro)
                else {
                    skipped.insert(code)
                    continue
                }
                result.rates.append((currency, day.date, rate))
            }
        }
        result.skippedCodes = skipped.sorted()
        return result
    }
}
