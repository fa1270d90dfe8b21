import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Logging

/// Turns a message into an outbox row inside the caller's transaction.
enum Mailer {
    static func enqueue(
        _ message: MailMessage,
        in tx: some Transaction,
        store: Store,
        settings: AccountSettings,
        ids: IDGenerator,
        at now: Date
    ) async throws {
        let id = ids.uuid()
        let host = URLComponents(string: settings.publicBaseURL)?.host ?? "localhost"
        try await store.outbox.enqueue(
            tx,
            OutboxMessage(
                id: id,
                messageID: "<\(id.uuidString.lowercased())@\(host)>",
                kind: message.kind,
                recipient: message.recipient,
                subject: message.subject,
                bodyText: message.text,
                bodyHTML: message.html
            ),
            at: now
        )
    }
}
