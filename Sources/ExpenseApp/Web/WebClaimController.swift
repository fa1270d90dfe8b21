import ExpenseCore
import Foundation
import Hummingbird

/// The claim pages: "My claims" with a new claim built from unclaimed expenses, the approvers'
/// queue, finance's "To reimburse" with several claims paid at once, and a claim's own page.
/// A refused move (a missing receipt, a claim another approver moved first, a missing comment)
/// is said on the page it came from; nothing is written before it is refused.
struct WebClaimController: Sendable {
    let claims: ClaimService
    let organizations: OrganizationService
    let pages: PageRenderer
    let clock: AppClock

    struct ClaimForm: Decodable {
        var title: String?
        var expenseIDs: [String]?

        enum CodingKeys: String, CodingKey {
            case title
            case expenseIDs = "expense_ids"
        }
    }

    struct DecisionForm: Decodable { var comment: String? }

    struct PaymentFields: Decodable {
        var paidOn: String?
        var reference: String?
        var claimIDs: [String]?

        enum CodingKeys: String, CodingKey {
            case reference
            case paidOn = "paid_on"
            case claimIDs = "claim_ids"
        }
    }

    func addRoutes(to group: RouterGroup<OrgRequestContext>) {
        group.get("claims", use: index)
        group.post("claims", use: create)
        group.post("claims/reimburse", use: reimburseSeveral)
        group.get("claims/:claimId", use: show)
        group.post("claims/:claimId", use: update)
        group.post("claims/:claimId/submit", use: submit)
        group.post("claims/:claimId/approve", use: approve)
        group.post("claims/:claimId/reject", use: reject)
        group.post("claims/:claimId/reimburse", use: reimburse)
        group.post("claims/:claimId/delete", use: delete)
    }

    // MARK: The list

    @Sendable func index(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderIndex(context, notice: Notice.text(request))
    }

    @Sendable func create(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(ClaimForm.self, from: request, context: context)
        let ids = Self.expenseIDs(form.expenseIDs)
        do {
            let claim = try await claims.create(context.access, title: form.title ?? "", expenseIDs: ids)
            return .seeOther("/orgs/\(context.access.tenantID)/claims/\(claim.id)?notice=claim-created")
        } catch AppError.validation(let error) {
            var builder = try await builder(context.access, checked: Set(ids))
            builder.title = form.title ?? ""
            builder.titleError = error.message(for: "title")
            builder.expensesError = error.message(for: "expense_ids")
            return try await renderIndex(
                context, builder: builder, failure: "The claim was not started.", status: .unprocessableContent)
        }
    }

    @Sendable func reimburseSeveral(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(PaymentFields.self, from: request, context: context)
        var seen = Set<ClaimID>()
        let ids = (form.claimIDs ?? []).compactMap(ClaimID.init(uuidString:)).filter { seen.insert($0).inserted }
        let payment = PaymentForm(paidOn: form.paidOn ?? "", reference: form.reference ?? "")
        do {
            guard !ids.isEmpty else {
                throw AppError.validation(.init("claim_ids", "Tick the claims that were paid."))
            }
            let paidOn = try Self.paidOn(form.paidOn)
            let reference = try ClaimService.checkedReference(form.reference)
            // One transaction: a claim another finance member paid meanwhile refuses them all,
            // and the refusal (4xx) rolls back the ones recorded before it.
            for id in ids {
                _ = try await claims.reimburse(context.access, id: id, paidOn: paidOn, reference: reference)
            }
        } catch AppError.validation(let error) {
            var payment = payment
            payment.error = error.message(for: "paid_on") ?? error.message(for: "claim_ids")
            payment.referenceError = error.message(for: "reference")
            return try await renderIndex(
                context, payment: payment, failure: "Nothing was recorded.", status: .unprocessableContent)
        } catch AppError.claimState(let reason) {
            return try await renderIndex(
                context, payment: payment, failure: "Nothing was recorded. \(reason) Reload the list and try again.",
                status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/claims?notice=claims-reimbursed")
    }

    // MARK: One claim

    @Sendable func show(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await renderClaim(context, id: try Self.claimID(context), notice: Notice.text(request))
    }

    @Sendable func update(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try Self.claimID(context)
        let form = try await FormBody.decode(ClaimForm.self, from: request, context: context)
        let ids = Self.expenseIDs(form.expenseIDs)
        do {
            _ = try await claims.update(context.access, id: id, title: form.title ?? "", expenseIDs: ids)
        } catch AppError.validation(let error) {
            return try await renderClaim(
                context, id: id, failure: PageFormat.messages(error).joined(separator: " "),
                status: .unprocessableContent)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/claims/\(id)?notice=claim-saved")
    }

    @Sendable func submit(_ request: Request, context: OrgRequestContext) async throws -> Response {
        try await move(context, notice: "claim-submitted") { id in
            _ = try await claims.submit(context.access, id: id)
        }
    }

    @Sendable func approve(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(DecisionForm.self, from: request, context: context)
        return try await move(context, notice: "claim-approved", back: Self.returnsToQueue(request)) { id in
            _ = try await claims.approve(context.access, id: id, comment: form.comment)
        }
    }

    @Sendable func reject(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(DecisionForm.self, from: request, context: context)
        return try await move(context, notice: "claim-rejected", back: Self.returnsToQueue(request)) { id in
            _ = try await claims.reject(context.access, id: id, comment: form.comment)
        }
    }

    @Sendable func reimburse(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let form = try await FormBody.decode(PaymentFields.self, from: request, context: context)
        return try await move(context, notice: "claim-reimbursed") { id in
            _ = try await claims.reimburse(
                context.access, id: id, paidOn: try Self.paidOn(form.paidOn), reference: form.reference)
        }
    }

    @Sendable func delete(_ request: Request, context: OrgRequestContext) async throws -> Response {
        let id = try Self.claimID(context)
        do {
            try await claims.delete(context.access, id: id)
        } catch AppError.claimState(let reason) {
            return try await renderClaim(context, id: id, failure: reason, status: .conflict)
        }
        return .seeOther("/orgs/\(context.access.tenantID)/claims?notice=claim-deleted")
    }

    /// A move of the claim; its refusals are shown on the claim's page, where it was asked.
    private func move(
        _ context: OrgRequestContext, notice: String, back toQueue: Bool = false,
        _ body: (ClaimID) async throws -> Void
    ) async throws -> Response {
        let id = try Self.claimID(context)
        do {
            try await body(id)
        } catch let error as AppError {
            let message: String
            switch error {
            case .validation(let fields): message = PageFormat.messages(fields).joined(separator: " ")
            case .receiptRequired(let missing):
                message = "Attach the receipts first. " + missing.map(\.message).joined(separator: " ")
            case .claimState(let reason): message = reason
            case .selfApproval: message = error.detail
            default: throw error
            }
            return try await renderClaim(context, id: id, failure: message, status: error.status)
        }
        let base = "/orgs/\(context.access.tenantID)/claims"
        return .seeOther(toQueue ? "\(base)?notice=\(notice)#queue" : "\(base)/\(id)?notice=\(notice)")
    }

    // MARK: Rendering

    private func renderIndex(
        _ context: OrgRequestContext, notice: String? = nil, builder givenBuilder: ClaimBuilder? = nil,
        payment givenPayment: PaymentForm? = nil, failure: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let zone = access.organization.timeZone
        let canSubmit = access.role.can(.submitClaims)
        let mine =
            canSubmit
            ? try await claims.list(access, status: nil, member: access.user.id, before: nil, limit: 100) : []
        let approves = access.role.can(.approveClaims)
        var queue: [ClaimCard] = []
        var queueMore: String? = nil
        if approves {
            let submitted = try await claims.list(
                access, status: .submitted, member: nil, before: nil, limit: Self.queueLimit)
            // Others' claims, and one's own only for the only owner who approves.
            let own = try await claims.decidesOwnClaims(access)
            for claim in submitted where own || claim.memberID != access.user.id {
                queue.append(try await card(access, claim))
            }
            if submitted.count == Self.queueLimit {
                queueMore = "The \(Self.queueLimit) newest are shown; decide them to see older ones."
            }
        }
        let reimburses = access.role.can(.reimburseClaims)
        let approved =
            reimburses
            ? try await claims.list(access, status: .approved, member: nil, before: nil, limit: Self.payLimit) : []
        var builder = givenBuilder ?? ClaimBuilder()
        if givenBuilder == nil, canSubmit { builder = try await self.builder(access, checked: []) }
        let page = ClaimListPage(
            title: "Claims",
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure, org: OrganizationChrome(access, csrf: context.csrfToken, tab: .claims),
            canSubmit: canSubmit,
            mine: mine.map {
                ClaimRow($0, organization: access.tenantID, base: access.organization.currency, zone: zone)
            }, hasMine: !mine.isEmpty,
            builder: builder, approves: approves, queue: queue, hasQueue: !queue.isEmpty, reimburses: reimburses,
            toReimburse: approved.map {
                ClaimRow($0, organization: access.tenantID, base: access.organization.currency, zone: zone)
            },
            hasToReimburse: !approved.isEmpty, queueMore: queueMore,
            payMore: approved.count == Self.payLimit
                ? "The \(Self.payLimit) newest are shown; record these to see older ones." : nil,
            payment: givenPayment ?? PaymentForm(paidOn: access.organization.today(at: clock.now()).description))
        return try pages.render(.claims, page, status: status)
    }

    private func renderClaim(
        _ context: OrgRequestContext, id: ClaimID, notice: String? = nil, failure: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let access = context.access
        let claim = try await claims.find(access, id: id)
        let card = try await card(access, claim)
        let mine = claim.memberID == access.user.id
        let editable = mine && claim.status.isEditable && access.role.can(.submitClaims)
        var builder = ClaimBuilder(title: claim.title)
        if editable {
            let current = try await claims.expenses(access, claim).map(\.0)
            let more = try await claims.claimable(access)
            builder.expenses =
                current.map { ClaimExpenseChoice($0, checked: true) }
                + more.map { ClaimExpenseChoice($0, checked: false) }
        }
        // A claim's entries name their actor and carry their facts: no other name to look up.
        let names = AuditNames(people: [:], categories: [:])
        let history = try await claims.history(access, claim).map {
            "\(PageFormat.timestamp($0.createdAt, in: access.organization.timeZone)): "
                + AuditSentence.make($0, names: names)
        }
        let page = ClaimDetailPage(
            title: claim.title,
            account: try await LayoutAccount.load(context.identity, organizations: organizations, in: access),
            notice: notice, failure: failure, org: OrganizationChrome(access, csrf: context.csrfToken, tab: .claims),
            card: card, comment: claim.comment.isEmpty ? nil : claim.comment, selfApproved: claim.selfApproved,
            paid: claim.paidOn.map {
                "Paid on \(PageFormat.day($0))" + (claim.reference.isEmpty ? "" : ", reference \(claim.reference)")
            },
            history: history, editable: editable, deletable: mine && claim.status == .draft, builder: builder,
            decidable: try await claims.mayDecide(access, claim),
            reimbursable: claim.status == .approved && access.role.can(.reimburseClaims),
            payment: PaymentForm(paidOn: access.organization.today(at: clock.now()).description))
        return try pages.render(.claim, page, status: status)
    }

    private func card(_ access: TenantAccess, _ claim: Claim) async throws -> ClaimCard {
        let receipts = try await claims.receipts(access, claim)
        let lines = try await claims.expenses(access, claim).map { expense, missing in
            ClaimExpenseLine(expense, receipts: receipts[expense.id] ?? [], missesReceipt: missing, access: access)
        }
        return ClaimCard(
            claim, lines: lines, organization: access.tenantID, base: access.organization.currency,
            zone: access.organization.timeZone)
    }

    private func builder(_ access: TenantAccess, checked: Set<ExpenseID>) async throws -> ClaimBuilder {
        ClaimBuilder(
            expenses: try await claims.claimable(access).map {
                ClaimExpenseChoice($0, checked: checked.contains($0.id))
            })
    }

    // MARK: Fields

    /// The most claims the queue and "To reimburse" show at once (each card reads its expenses).
    static let queueLimit = 50
    static let payLimit = 200

    static func claimID(_ context: OrgRequestContext) throws -> ClaimID {
        try context.parameters.id(ClaimID.self, "claimId")
    }

    /// The ticked ids; one that is no id is left out (it names no expense of the caller's).
    static func expenseIDs(_ raw: [String]?) -> [ExpenseID] {
        (raw ?? []).compactMap(ExpenseID.init(uuidString:))
    }

    static func paidOn(_ raw: String?) throws -> CalendarDate {
        try validating { try CalendarDate(parsing: raw ?? "", field: "paid_on") }
    }

    /// Decisions taken from the queue go back to it.
    static func returnsToQueue(_ request: Request) -> Bool {
        request.uri.queryParameters["from"] == "queue"
    }
}
