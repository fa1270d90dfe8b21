/// The emails the accounts flows send. Links are absolute URLs built by the caller from the
/// configured public base URL, never from a request (SECURITY S6).
public enum AccountMessages {
    public static func welcome(to recipient: String, name: String, dashboardLink: String) -> MailMessage {
        let text = """
            Hello \(name),

            Welcome to ExpenseTracker. Your account and your personal organization are ready:
            log what you spend, see where your money went, and invite others when you share costs.

            Open your dashboard: \(dashboardLink)

            We have also sent you a separate link to confirm your email address.
            """
        let html = page(
            """
            <p>Hello \(escapeHTML(name)),</p>
            <p>Welcome to ExpenseTracker. Your account and your personal organization are ready:
            log what you spend, see where your money went, and invite others when you share costs.</p>
            <p><a href="\(escapeHTML(dashboardLink))">Open your dashboard</a></p>
            <p>We have also sent you a separate link to confirm your email address.</p>
            """
        )
        return MailMessage(
            kind: "welcome", recipient: recipient, subject: "Welcome to ExpenseTracker", text: text, html: html)
    }

    public static func verification(to recipient: String, name: String, link: String) -> MailMessage {
        let text = """
            Hello \(name),

            Please confirm that this is your email address by opening this link within 24 hours:

            \(link)

            If you did not create an ExpenseTracker account, ignore this message.
            """
        let html = page(
            """
            <p>Hello \(escapeHTML(name)),</p>
            <p>Please confirm that this is your email address by opening this link within 24 hours:</p>
            <p><a href="\(escapeHTML(link))">Confirm my email address</a></p>
            <p>If you did not create an ExpenseTracker account, ignore this message.</p>
            """
        )
        return MailMessage(
            kind: "email_verification", recipient: recipient, subject: "Confirm your email address", text: text,
            html: html
        )
    }

    public static func passwordReset(to recipient: String, name: String, link: String) -> MailMessage {
        let text = """
            Hello \(name),

            Someone asked to reset the password of your ExpenseTracker account. To choose a new
            password, open this link within one hour. It works once.

            \(link)

            If it was not you, ignore this message: your password stays as it is.
            """
        let html = page(
            """
            <p>Hello \(escapeHTML(name)),</p>
            <p>Someone asked to reset the password of your ExpenseTracker account. To choose a new
            password, open this link within one hour. It works once.</p>
            <p><a href="\(escapeHTML(link))">Choose a new password</a></p>
            <p>If it was not you, ignore this message: your password stays as it is.</p>
            """
        )
        return MailMessage(
            kind: "password_reset", recipient: recipient, subject: "Reset your ExpenseTracker password", text: text,
            html: html
        )
    }

    public static func passwordChanged(to recipient: String, name: String, resetLink: String) -> MailMessage {
        let text = """
            Hello \(name),

            The password of your ExpenseTracker account was just changed, and every other session
            and API token was signed out.

            If you did not do this, reset your password now: \(resetLink)
            """
        let html = page(
            """
            <p>Hello \(escapeHTML(name)),</p>
            <p>The password of your ExpenseTracker account was just changed, and every other session
            and API token was signed out.</p>
            <p>If you did not do this, <a href="\(escapeHTML(resetLink))">reset your password now</a>.</p>
            """
        )
        return MailMessage(
            kind: "password_changed", recipient: recipient, subject: "Your ExpenseTracker password was changed",
            text: text, html: html
        )
    }

    private static func page(_ body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ExpenseTracker</title></head>
        <body style="font-family: sans-serif; line-height: 1.5; max-width: 36em;">
        \(body)
        </body></html>
        """
    }
}

/// The emails about organizations.
public enum OrganizationMessages {
    public static func invitation(
        to recipient: String,
        organization: String,
        inviter: String,
        role: String,
        link: String
    ) -> MailMessage {
        let text = """
            Hello,

            \(inviter) invited you to join \(organization) on ExpenseTracker as \(role).

            To accept, open this link within 7 days. If you have no account yet, you can create one there.

            \(link)

            If you were not expecting this, ignore this message.
            """
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>ExpenseTracker</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; max-width: 36em;">
            <p>Hello,</p>
            <p>\(escapeHTML(inviter)) invited you to join <strong>\(escapeHTML(organization))</strong> on ExpenseTracker as \(escapeHTML(role)).</p>
            <p>To accept, open this link within 7 days. If you have no account yet, you can create one there.</p>
            <p><a href="\(escapeHTML(link))">Accept the invitation</a></p>
            <p>If you were not expecting this, ignore this message.</p>
            </body></html>
            """
        return MailMessage(
            kind: "invitation", recipient: recipient,
            subject: "\(inviter) invited you to \(organization) on ExpenseTracker",
            text: text, html: html
        )
    }
}
