import ExpenseCore
import Foundation
import Testing

@testable import ExpenseMail

/// Every kind of message, rendered to the exact bytes the SMTP server receives, compared with the
/// reviewed copy in `Snapshots/`. After a deliberate change of wording, run the tests once with
/// `SNAPSHOT_RECORD=1`, read the diff of the `.eml` files, and commit them.
@Suite struct MessageSnapshotTests {
    static let base = "https://expenses.example.org"

    static let names = [
        "welcome", "verification", "password-reset", "password-changed", "invitation", "claim-submitted",
        "claim-approved", "claim-rejected", "claim-reimbursed", "budget-alert",
    ]

    static let claim = ClaimMessages.Facts(
        organization: "Café <Ünïon> & Co", title: "November \"travel\"", totals: "€12.50, $3.00", count: "2 expenses",
        link: base + "/orgs/0f8fad5b-d9cb-469f-a165-70867728950e/claims/6ba7b810-9dad-11d1-80b4-00c04fd430c8")

    static func messages() throws -> [(name: String, message: MailMessage)] {
        [
            (
                "welcome",
                try AccountMessages.welcome(to: "zoe@example.org", name: "Zoë Ødegård", dashboardLink: base + "/")
            ),
            (
                "verification",
                try AccountMessages.verification(
                    to: "zoe@example.org", name: "Zoë Ødegård", link: base + "/verify?token=vErIfY_0123456789abcdef")
            ),
            (
                "password-reset",
                try AccountMessages.passwordReset(
                    to: "zoe@example.org", name: "Zoë", link: base + "/reset?token=rEsEt_0123456789abcdef")
            ),
            (
                "password-changed",
                try AccountMessages.passwordChanged(to: "zoe@example.org", name: "Zoë", resetLink: base + "/forgot")
            ),
            (
                "invitation",
                try OrganizationMessages.invitation(
                    to: "new.member@example.org", organization: "Café <Ünïon> & Co", inviter: "Ana \"the boss\" Silva",
                    role: "member", link: base + "/invitations/accept?token=iNvItE_0123456789abcdef")
            ),
            (
                "claim-submitted",
                try ClaimMessages.submitted(to: "fin@example.org", name: "Fin", member: "Mia <Müller>", claim)
            ),
            (
                "claim-approved",
                try ClaimMessages.approved(
                    to: "mia@example.org", name: "Mia", approver: "Fin", comment: "Thanks & well kept", claim)
            ),
            (
                "claim-rejected",
                try ClaimMessages.rejected(
                    to: "mia@example.org", name: "Mia", approver: "Fin", comment: "The taxi <receipt> is missing.",
                    claim)
            ),
            (
                "claim-reimbursed",
                try ClaimMessages.reimbursed(
                    to: "mia@example.org", name: "Mia", paidOn: "30 Nov 2026", reference: "SEPA 42", claim)
            ),
            (
                "budget-alert",
                try BudgetMessages.alert(
                    to: "fin@example.org", name: "Fin",
                    .init(
                        organization: "Café <Ünïon> & Co", budget: "Travel & \"trips\"", percent: "80",
                        spent: "€812.40 of €1,000.00", period: "November 2026",
                        link: base
                            + "/orgs/0f8fad5b-d9cb-469f-a165-70867728950e/budgets/6ba7b810-9dad-11d1-80b4-00c04fd430c8"
                    ))
            ),
        ]
    }

    static func rendered(_ message: MailMessage) throws -> String {
        let mime = MIMEMessage(
            from: try MailAddress("no-reply@expenses.example.org", name: "ExpenseTracker"),
            to: try MailAddress(message.recipient), subject: message.subject,
            messageID: "<snapshot-\(message.kind.rawValue)@expenses.example.org>",
            date: Date(timeIntervalSince1970: 1_796_000_000), text: message.text, html: message.html)
        return String(decoding: mime.rendered(boundarySeed: "snapshot"), as: UTF8.self)
    }

    @Test(arguments: names)
    func matchesItsReviewedSnapshot(_ name: String) throws {
        let message = try #require(try Self.messages().first { $0.name == name }?.message)
        let actual = try Self.rendered(message)
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots/\(name).eml")
        if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            // A recording run compares nothing, so it must not pass as a check.
            Issue.record("recorded Snapshots/\(name).eml: review the diff, then run without SNAPSHOT_RECORD")
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "the rendered \(name) message differs from Snapshots/\(name).eml")
    }

    @Test(arguments: names)
    func bothBodiesCarryTheLinkAndTheHTMLIsEscaped(_ name: String) throws {
        let message = try #require(try Self.messages().first { $0.name == name }?.message)
        let link = try #require(
            message.text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix(Self.base) })
        #expect(message.html.contains("href=\"\(link)\""))
        #expect(!message.html.contains("<Ünïon>") && !message.html.contains("\"the boss\""))
        #expect(!message.text.contains("{{") && !message.html.contains("{{"))
        #expect(message.html.hasPrefix("<!doctype html>") && message.html.hasSuffix("</html>"))
    }
}
