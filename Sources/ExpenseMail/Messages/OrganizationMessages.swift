import ExpenseCore

/// The emails about organizations.
public enum OrganizationMessages {
    public static func invitation(
        to recipient: String,
        organization: String,
        inviter: String,
        role: String,
        link: String
    ) throws -> MailMessage {
        let body = try MailTemplates.render(
            "invitation", ["inviter": inviter, "organization": organization, "role": role, "link": link])
        return MailMessage(
            kind: .invitation, recipient: recipient,
            subject: "\(inviter) invited you to \(organization) on ExpenseTracker",
            text: body.text, html: body.html
        )
    }
}
