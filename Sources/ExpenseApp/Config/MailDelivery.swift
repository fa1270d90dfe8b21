import ExpenseMail

/// How the outbound mail worker delivers, read once from the configuration.
public enum MailDelivery: Sendable, Equatable {
    /// `MAIL_TRANSPORT=file` (the default): `.eml` files under `MAIL_DIR`, for development.
    case files
    /// `MAIL_TRANSPORT=smtp`: through `SMTP_URL` (`smtp://user:password@host:587` or
    /// `smtps://...:465`), with `SMTP_STARTTLS` (`required` by default, `opportunistic` or `off`,
    /// for `smtp://` URLs) and `SMTP_CA_FILE` (a PEM file of certificate authorities to trust
    /// instead of the system's).
    case smtp(SMTPTransport.Settings)

    /// The value `MAIL_TRANSPORT` takes.
    public enum Kind: String, Sendable, CaseIterable {
        case file, smtp
    }
}
