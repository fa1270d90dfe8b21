import ExpenseCore
import Foundation

/// One expense's page: its facts, its receipts (images previewed, PDFs as links) and, for who
/// may change it, the "Add receipt" form.
struct ExpenseDetailPage: PageModel {
    var title: String
    var account: LayoutAccount?
    var notice: String? = nil
    var failure: String? = nil
    var org: OrganizationChrome
    var expense: ExpenseRow
    var fullNote: String?
    var receipts: [ReceiptItem]
    var hasReceipts: Bool
    /// The "Add receipt" form's error (a refused file), nil when none.
    var fileError: String? = nil
    var upload: ReceiptUploadField
    /// The claim it is in, for who may read that claim.
    var claim: ClaimMention? = nil
    /// For an occurrence of a recurring expense: its page (nil once that was deleted).
    var recurringLink: String? = nil
    var fromRecurring = false
}

/// "In the claim 'Lisbon trip' (awaiting approval): locked until a decision."
struct ClaimMention: Sendable {
    var title: String
    var link: String
    var status: String
    /// Why nothing on the page can change, nil when the claim leaves the expense open.
    var lockNote: String?

    init(_ claim: Claim, organization: OrganizationID, locks: Bool) {
        title = claim.title
        link = "/orgs/\(organization)/claims/\(claim.id)"
        status = claim.status.label
        lockNote =
            locks
            ? "While the claim is submitted, approved or reimbursed, this expense and its receipts stay as they are."
            : nil
    }
}

/// The file field of the add, edit and "Add receipt" forms.
struct ReceiptUploadField: Sendable {
    /// What the field accepts: the receipt kinds; `image/*` makes phones offer the camera.
    var accept = "image/*,.heic,application/pdf"
    /// "Up to 10 MB."
    var limit: String

    init(maxBytes: Int) {
        limit = "Up to \(Receipt.sizeText(Int64(maxBytes)))."
    }
}

/// A receipt as the expense page shows it.
struct ReceiptItem: Sendable {
    var id: String
    var filename: String
    var link: String
    /// Shown as a preview (JPEG, PNG, WebP); other kinds are links.
    var isImage: Bool
    /// "PDF, 240 KB".
    var summary: String
    var removable: Bool

    init(_ receipt: Receipt, organization: OrganizationID, removable: Bool) {
        id = receipt.id.description
        filename = receipt.filename
        link = "/orgs/\(organization)/receipts/\(receipt.id)"
        isImage = receipt.kind.isPreviewable
        summary = "\(receipt.kind.label), \(Receipt.sizeText(receipt.size))"
        self.removable = removable
    }
}

extension ReceiptKind {
    /// The kind as people name it.
    var label: String {
        switch self {
        case .jpeg: "JPEG image"
        case .png: "PNG image"
        case .webp: "WebP image"
        case .heic: "HEIC image"
        case .pdf: "PDF"
        }
    }
}
