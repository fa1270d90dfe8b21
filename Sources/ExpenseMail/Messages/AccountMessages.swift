import ExpenseCore

/// The emails the accounts flows send, worded in `Templates/`. Links are absolute URLs built by
/// the caller from the configured public base URL, never from a request.
public enum AccountMessages {
    public static func welcome(to recipient: String, name: String, dashboardLink: String) throws -> MailMessage {
        let body = try MailTemplates.render("welcome", ["name": name, "link": dashboardLink])
        return MailMessage(
            kind: .welcome, recipient: recipient, subject: "Welcome to ExpenseTracker", text: body.text,
            html: body.html)
    }

    public static func verification(to recipient: String, name: String, link: String) throws -> MailMessage {
        let body = try MailTemplates.render("verification", ["name": name, "link": link])
        return MailMessage(
            kind: .emailVerification, recipient: recipient, subject: "Confirm your email address",
            text: body.text, html: body.html)
    }

    public static func passwordReset(to recipient: String, name: String, link: String) throws -> MailMessage {
        let body = try MailTemplates.render("password-reset", ["name": name, "link": link])
        return MailMessage(
            kind: .passwordReset, recipient: recipient, subject: "Reset your ExpenseTracker password",
            text: body.text, html: body.html)
    }

    public static func passwordChanged(to recipient: String, name: String, resetLink: String) throws -> MailMessage {
        let body = try MailTemplates.render("password-changed", ["name": name, "link": resetLink])
        return MailMessage(
            kind: .passwordChanged, recipient: recipient, subject: "Your ExpenseTracker password was changed",
            text: body.text, html: body.html)
    }
}
