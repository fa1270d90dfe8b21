import ExpenseCore

/// The emails about claims: to every approver when one is submitted, and to its member when it
/// is approved, rejected (with the approver's words) or paid back.
public enum ClaimMessages {
    /// What every claim message names.
    public struct Facts: Sendable {
        public var organization: String
        public var title: String
        /// "€12.50, $3.00".
        public var totals: String
        /// "2 expenses".
        public var count: String
        public var link: String

        public init(organization: String, title: String, totals: String, count: String, link: String) {
            self.organization = organization
            self.title = title
            self.totals = totals
            self.count = count
            self.link = link
        }

        var values: [String: String] {
            ["organization": organization, "title": title, "totals": totals, "count": count, "link": link]
        }
    }

    public static func submitted(to recipient: String, name: String, member: String, _ facts: Facts) throws
        -> MailMessage
    {
        try message(
            .claimSubmitted, "claim-submitted", recipient, "\(member) submitted a claim for \(facts.totals)",
            facts, ["name": name, "member": member])
    }

    public static func approved(to recipient: String, name: String, approver: String, comment: String, _ facts: Facts)
        throws -> MailMessage
    {
        try message(
            .claimApproved, "claim-approved", recipient, "Your claim \u{201C}\(facts.title)\u{201D} was approved",
            facts,
            [
                "name": name, "approver": approver,
                "note": comment.isEmpty ? "" : " Their note: \u{201C}\(comment)\u{201D}",
            ])
    }

    public static func rejected(to recipient: String, name: String, approver: String, comment: String, _ facts: Facts)
        throws -> MailMessage
    {
        try message(
            .claimRejected, "claim-rejected", recipient, "Your claim \u{201C}\(facts.title)\u{201D} was rejected",
            facts,
            ["name": name, "approver": approver, "comment": comment])
    }

    public static func reimbursed(
        to recipient: String, name: String, paidOn: String, reference: String, _ facts: Facts
    ) throws -> MailMessage {
        try message(
            .claimReimbursed, "claim-reimbursed", recipient, "Your claim \u{201C}\(facts.title)\u{201D} was paid back",
            facts,
            ["name": name, "paidOn": paidOn, "referenceNote": reference.isEmpty ? "" : " Reference: \(reference)."])
    }

    private static func message(
        _ kind: MailKind, _ template: String, _ recipient: String, _ subject: String, _ facts: Facts,
        _ values: [String: String]
    ) throws -> MailMessage {
        let body = try MailTemplates.render(template, facts.values.merging(values) { _, new in new })
        return MailMessage(kind: kind, recipient: recipient, subject: subject, text: body.text, html: body.html)
    }
}
