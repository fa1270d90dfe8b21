import ExpenseCore

/// The email sent to owners, admins and finance when a budget's spending reaches one of its
/// alert percents in a period.
public enum BudgetMessages {
    public struct Facts: Sendable {
        public var organization: String
        public var budget: String
        /// The highest percent reached, e.g. "80".
        public var percent: String
        /// "€812.40 of €1,000.00".
        public var spent: String
        /// "November 2026", "Q4 2026", "2026".
        public var period: String
        public var link: String

        public init(
            organization: String, budget: String, percent: String, spent: String, period: String, link: String
        ) {
            self.organization = organization
            self.budget = budget
            self.percent = percent
            self.spent = spent
            self.period = period
            self.link = link
        }
    }

    public static func alert(to recipient: String, name: String, _ facts: Facts) throws -> MailMessage {
        let body = try MailTemplates.render(
            "budget-alert",
            [
                "name": name, "organization": facts.organization, "budget": facts.budget, "percent": facts.percent,
                "spent": facts.spent, "period": facts.period, "link": facts.link,
            ])
        return MailMessage(
            kind: .budgetAlert, recipient: recipient,
            subject: "Budget \u{201C}\(facts.budget)\u{201D} reached \(facts.percent)% for \(facts.period)",
            text: body.text, html: body.html)
    }
}
