import ExpenseCore
import ExpenseMail
import ExpenseStore
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Options of `serve` that are not settings: how to start, not how to run.
public struct ServeOptions: Sendable {
    /// Apply pending migrations before serving. Always on for the embedded SQLite store.
    public var migrate: Bool
    /// Run the outbound mail worker and the recurring-expense worker inside the server (`serve`
    /// does unless `--no-worker`).
    public var mailWorker: Bool

    public init(migrate: Bool = false, mailWorker: Bool = false) {
        self.migrate = migrate
        self.mailWorker = mailWorker
    }
}

/// The one place the application is assembled; the server and the tests both call it.
///
/// Before the server accepts connections it checks the database: a PostgreSQL role that row-level
/// security would not bind is refused, and the schema is migrated (SQLite, or `--migrate`) or
/// required to be current.
public func buildApplication(
    config: AppConfig,
    options: ServeOptions = .init(),
    dependencies: AppDependencies
) async throws -> some ApplicationProtocol {
    let migrations = try Migration.bundled(for: dependencies.database.dialect)
    try MailTemplates.check()
    let imports = ImportRunner()
    let router = try await buildRouter(
        config: config, dependencies: dependencies, migrations: migrations, imports: imports)
    let maintenance = AccountMaintenance(
        store: Store(database: dependencies.database),
        settings: AccountSettings(config: config),
        clock: dependencies.clock,
        logger: dependencies.logger,
        webhookLogKept: TimeInterval(config.webhookLogDays) * 24 * 3600
    )
    let preflight = DatabasePreflight(database: dependencies.database, logger: dependencies.logger)
    let policy: DatabasePreflight.SchemaPolicy =
        config.usesEmbeddedDatabase || options.migrate ? .migrate : .requireCurrent
    // Imports stop (and roll back) before the database closes: services stop in reverse order.
    var services: [any Service] = [dependencies.database, maintenance, imports]
    if let replica = dependencies.readReplica {
        services.insert(contentsOf: replica.databases.map { $0 as any Service }, at: 1)
        services.append(ReplicaMonitor(replica: replica, registry: dependencies.metrics, logger: dependencies.logger))
    }
    // The server checks (and on SQLite migrates) the database before it listens; the worker
    // starts only once that check has passed, so a refused start leaves nothing in flight.
    let databaseChecked = AsyncGate()
    if options.mailWorker {
        let worker = try makeMailWorker(config: config, dependencies: dependencies)
        services.append(AfterGate(gate: databaseChecked, next: worker))
        services.append(
            AfterGate(gate: databaseChecked, next: makeRecurringWorker(config: config, dependencies: dependencies)))
        services.append(
            AfterGate(gate: databaseChecked, next: try makeWebhookWorker(config: config, dependencies: dependencies)))
    }
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.httpHost, port: config.httpPort), serverName: "ExpenseTracker"),
        services: services,
        logger: dependencies.logger
    )
    app.beforeServerStarts {
        try await preflight.run(schema: policy)
        databaseChecked.open()
    }
    return app
}

/// The outbound mail worker, delivering through the dependencies' transport.
public func makeMailWorker(config: AppConfig, dependencies: AppDependencies) throws -> OutboxWorker {
    let clock = dependencies.clock
    var settings = OutboxWorker.Settings(from: config.mailFrom)
    settings.firstBackoff = TimeInterval(config.mailRetrySeconds)
    // A send cannot outlast the transport's own timeout, so claims last as long as a round of
    // sends at that limit: a worker that died mid-round has its messages taken over that soon.
    if case .smtp(let smtp) = config.mail {
        settings.sendTimeLimit = TimeInterval(smtp.timeout)
    }
    return OutboxWorker(
        store: Store(database: dependencies.database),
        transport: dependencies.mailTransport,
        settings: settings,
        now: { clock.now() },
        metrics: MailMetrics(factory: PrometheusMetricsFactory(registry: dependencies.metrics)),
        logger: dependencies.logger
    )
}

/// The webhook worker: signs and delivers queued events.
public func makeWebhookWorker(config: AppConfig, dependencies: AppDependencies) throws -> WebhookWorker {
    let clock = dependencies.clock
    var settings = WebhookWorker.Settings()
    settings.firstBackoff = TimeInterval(config.webhookRetrySeconds)
    settings.timeout = TimeInterval(config.webhookTimeoutSeconds)
    return WebhookWorker(
        store: Store(database: dependencies.database), box: try SecretBox.make(config: config, purpose: .webhooks),
        policy: OutboundAddressPolicy(allowPrivate: config.webhookAllowPrivate),
        http: WebhookHTTP(timeout: config.webhookTimeoutSeconds), settings: settings, now: { clock.now() },
        logger: dependencies.logger)
}

/// The recurring-expense worker: writes due occurrences, with their budget alerts.
public func makeRecurringWorker(config: AppConfig, dependencies: AppDependencies) -> RecurringWorker {
    let store = Store(database: dependencies.database)
    let alerts = BudgetAlerts(store: store, settings: AccountSettings(config: config), ids: dependencies.ids)
    return RecurringWorker(
        writer: OccurrenceWriter(store: store, ids: dependencies.ids, alerts: alerts), clock: dependencies.clock,
        logger: dependencies.logger)
}

func buildRouter(
    config: AppConfig, dependencies: AppDependencies, migrations: [Migration],
    imports runner: ImportRunner = ImportRunner()
) async throws -> Router<AppRequestContext> {
    let store = Store(database: dependencies.database)
    // One limiter for every service: its counters live in the database, so one instance holds them all.
    let limiter = RateLimiter(store: store, clock: dependencies.clock)
    let accounts = AccountService(
        store: store,
        hasher: PasswordHasher(cost: config.bcryptCost, queue: dependencies.hashing),
        passwordPolicy: PasswordPolicy(commonPasswords: try AppResources.commonPasswords()),
        settings: AccountSettings(config: config),
        limiter: limiter,
        limits: dependencies.rateLimits,
        clock: dependencies.clock,
        ids: dependencies.ids,
        tokens: dependencies.tokens,
        logger: dependencies.logger
    )
    let secondFactor = SecondFactorService(
        store: store, box: try SecretBox.make(config: config), limiter: limiter, limits: dependencies.rateLimits,
        clock: dependencies.clock, tokens: dependencies.tokens, logger: dependencies.logger)
    let organizations = OrganizationService(
        store: store, limiter: limiter, limits: dependencies.rateLimits, clock: dependencies.clock,
        ids: dependencies.ids, logger: dependencies.logger)
    let members = MemberService(
        store: store, settings: AccountSettings(config: config), limiter: limiter, limits: dependencies.rateLimits,
        clock: dependencies.clock, ids: dependencies.ids, tokens: dependencies.tokens, logger: dependencies.logger
    )
    let budgetAlerts = BudgetAlerts(store: store, settings: AccountSettings(config: config), ids: dependencies.ids)
    let expenses = ExpenseService(
        store: store, clock: dependencies.clock, ids: dependencies.ids, alerts: budgetAlerts,
        logger: dependencies.logger)
    let categories = CategoryService(
        store: store, clock: dependencies.clock, ids: dependencies.ids, logger: dependencies.logger)
    let reports = ReportService(store: store, clock: dependencies.clock, logger: dependencies.logger)
    let receipts = ReceiptService(
        store: store, clock: dependencies.clock, ids: dependencies.ids,
        limits: .init(maxFileBytes: config.receiptMaxBytes, quotaBytes: config.receiptQuotaBytes),
        logger: dependencies.logger)
    let uploads = UploadReader(fileLimit: config.receiptMaxBytes)
    let rateFiles = UploadReader(
        fileLimit: RateService.maximumFileBytes, accepting: .text, permission: .manageRates)
    let claims = ClaimService(
        store: store, settings: AccountSettings(config: config), clock: dependencies.clock, ids: dependencies.ids,
        logger: dependencies.logger)
    let rates = RateService(
        store: store, clock: dependencies.clock, ids: dependencies.ids, alerts: budgetAlerts,
        logger: dependencies.logger)
    let recurring = RecurringService(
        store: store, clock: dependencies.clock, ids: dependencies.ids,
        writer: OccurrenceWriter(store: store, ids: dependencies.ids, alerts: budgetAlerts),
        logger: dependencies.logger)
    let budgets = BudgetService(
        store: store, clock: dependencies.clock, ids: dependencies.ids, alerts: budgetAlerts,
        logger: dependencies.logger)
    let imports = ImportService(
        store: store, clock: dependencies.clock, ids: dependencies.ids, alerts: budgetAlerts, runner: runner,
        logger: dependencies.logger)
    let importFiles = UploadReader(
        fileLimit: ImportService.maximumFileBytes, accepting: .text, permission: .createExpenses)
    let books = PeriodCloseService(
        store: store, clock: dependencies.clock, ids: dependencies.ids, logger: dependencies.logger)
    let pages = try await PageRenderer.load()
    // Read now, so that a description the reference page cannot show stops the start-up.
    let apiReference = try APIReference.load()
    let cookie = SessionCookie(secure: config.isServedOverHTTPS, idleLifetime: config.sessionIdleMinutes * 60)

    // HEAD answers wherever GET does (headers only), as HTTP asks of a general-purpose server.
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let allowedMethods = AllowedMethodsFinder()
    router.add(middleware: RouteProbeMiddleware())
    // Requests by route, method and status, and their durations (swift-metrics; see `/metrics`).
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: Set(config.trustedProxies)))
    router.add(middleware: SecurityHeaders())
    router.add(middleware: ReferrerPolicyMiddleware())
    router.add(middleware: CORSPolicy(allowedOrigins: Set(config.allowedOrigins)))
    // With a standby, a browser that changed something reads the primary for a while (middleware
    // apply to the routes added after them, so this comes before every route).
    if let replica = dependencies.readReplica {
        router.add(middleware: ReadYourWrites(window: replica.maxLag, secure: config.isServedOverHTTPS))
    }
    // Every error below becomes a response here, and only here.
    router.add(
        middleware: ErrorRenderingMiddleware(
            pages: pages, allowedMethods: allowedMethods, sessions: (accounts, cookie)))
    router.add(
        middleware: StaticFiles(
            prefix: "/static",
            files: FileMiddleware(
                try AppResources.publicDirectory(), urlBasePath: "/static",
                cacheControl: .init([(.textCss, [.maxAge(3600)])])
            )
        )
    )

    HealthController(database: dependencies.database, migrations: migrations, draining: dependencies.draining)
        .addRoutes(to: router.group("health"))
    MetricsController(
        registry: dependencies.metrics, store: store, token: config.metricsToken, clock: dependencies.clock
    ).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router.group("api"))

    let tenantRequest = TenantRequest(
        organizations: organizations, accounts: accounts, replica: dependencies.readReplica)
    // Every route of one organization runs in one transaction that also finds the caller and
    // their role (two statements after BEGIN); typed so a handler cannot skip the check.
    let organizationAPI = router.group("api/v1/orgs/:orgId")
        .add(middleware: BearerTenantResolver(tenant: tenantRequest))
        .group(context: OrgRequestContext.self)
    // The routes that take a file: their bodies are streamed to a spool, not read into memory.
    let organizationUploadAPI = router.group("api/v1/orgs/:orgId")
        .add(middleware: BearerTenantResolver(tenant: tenantRequest, uploads: uploads))
        .group(context: OrgRequestContext.self)
    let organizationRateFileAPI = router.group("api/v1/orgs/:orgId")
        .add(middleware: BearerTenantResolver(tenant: tenantRequest, uploads: rateFiles))
        .group(context: OrgRequestContext.self)
    let organizationImportAPI = router.group("api/v1/orgs/:orgId")
        .add(middleware: BearerTenantResolver(tenant: tenantRequest, uploads: importFiles))
        .group(context: OrgRequestContext.self)
    let api = router.group("api/v1").add(middleware: BearerAuthenticator(accounts: accounts))
    let authAPI = AuthAPIController(accounts: accounts, secondFactor: secondFactor)
    authAPI.addPublicRoutes(to: api.group("auth"))
    let passwordsAPI = PasswordsAPIController(accounts: accounts)
    passwordsAPI.addPublicRoutes(to: api.group("auth"))
    let verificationAPI = VerificationAPIController(accounts: accounts)
    verificationAPI.addPublicRoutes(to: api.group("auth"))
    let signedInAPI = api.group().add(middleware: RequireBearer())
    authAPI.addSignedInRoutes(to: signedInAPI.group("auth"))
    passwordsAPI.addSignedInRoutes(to: signedInAPI.group("auth"))
    verificationAPI.addSignedInRoutes(to: signedInAPI.group("auth"))
    TokensAPIController(accounts: accounts).addRoutes(to: signedInAPI.group("auth"))
    MeController(accounts: accounts).addRoutes(to: signedInAPI)
    let secondFactorAPI = SecondFactorAPIController(accounts: accounts, secondFactor: secondFactor)
    secondFactorAPI.addPublicRoutes(to: api.group("auth"))
    secondFactorAPI.addSignedInRoutes(to: signedInAPI.group("me"))
    let organizationsAPI = OrganizationsAPIController(organizations: organizations)
    let invitationsAPI = InvitationsAPIController(members: members)
    organizationsAPI.addCollectionRoutes(to: signedInAPI.group("orgs"))
    invitationsAPI.addAcceptRoute(to: signedInAPI)
    organizationsAPI.addRoutes(to: organizationAPI)
    MembersAPIController(members: members).addRoutes(to: organizationAPI)
    invitationsAPI.addRoutes(to: organizationAPI)
    AuditAPIController(organizations: organizations).addRoutes(to: organizationAPI)
    CategoriesAPIController(categories: categories).addRoutes(to: organizationAPI)
    ExpensesAPIController(expenses: expenses).addRoutes(to: organizationAPI)
    ReportsAPIController(reports: reports).addRoutes(to: organizationAPI)
    ExportsAPIController(reports: reports).addRoutes(to: organizationAPI)
    let receiptsAPI = ReceiptsAPIController(receipts: receipts)
    receiptsAPI.addRoutes(to: organizationAPI)
    receiptsAPI.addUploadRoutes(to: organizationUploadAPI)
    ClaimsAPIController(claims: claims).addRoutes(to: organizationAPI)
    let ratesAPI = RatesAPIController(rates: rates)
    ratesAPI.addRoutes(to: organizationAPI)
    ratesAPI.addUploadRoutes(to: organizationRateFileAPI)
    BudgetsAPIController(budgets: budgets).addRoutes(to: organizationAPI)
    RecurringAPIController(recurring: recurring).addRoutes(to: organizationAPI)
    BooksAPIController(books: books).addRoutes(to: organizationAPI)
    let webhooks = WebhookService(
        store: store, box: try SecretBox.make(config: config, purpose: .webhooks),
        policy: OutboundAddressPolicy(allowPrivate: config.webhookAllowPrivate), clock: dependencies.clock,
        ids: dependencies.ids)
    WebhooksAPIController(webhooks: webhooks).addRoutes(to: organizationAPI)
    let importsAPI = ImportsAPIController(imports: imports)
    importsAPI.addRoutes(to: organizationAPI)
    importsAPI.addUploadRoutes(to: organizationImportAPI)

    let web = router.group()
        .add(middleware: SessionAuthenticator(accounts: accounts, cookie: cookie))
        .add(middleware: CSRFProtection(publicOrigin: config.publicOrigin))
    let pendingInvitation = PendingInvitationCookie(secure: config.isServedOverHTTPS)
    WebAuthController(
        accounts: accounts, secondFactor: secondFactor, members: members, pages: pages, cookie: cookie,
        pending: pendingInvitation
    ).addRoutes(to: web)
    WebPasswordController(accounts: accounts, pages: pages).addRoutes(to: web)
    WebSecurityController(
        accounts: accounts, secondFactor: secondFactor, organizations: organizations, pages: pages,
        clock: dependencies.clock
    ).addRoutes(to: web)
    WebAPIDocsController(reference: apiReference, organizations: organizations, pages: pages).addRoutes(to: web)
    WebAccountController(accounts: accounts, organizations: organizations, pages: pages).addRoutes(to: web)
    WebVerificationController(accounts: accounts, pages: pages).addRoutes(to: web)
    let webOrganizations = WebOrganizationController(
        organizations: organizations, members: members, receipts: receipts, pages: pages)
    webOrganizations.addRoutes(to: web)
    WebInvitationController(
        members: members, organizations: organizations, pages: pages,
        pending: pendingInvitation
    ).addRoutes(to: web)
    let organizationPages = web.group("orgs/:orgId")
        .add(middleware: RequireSession())
        .add(middleware: SessionTenantResolver(tenant: tenantRequest))
        .group(context: OrgRequestContext.self)
        .add(middleware: CurrentOrganization(secure: config.isServedOverHTTPS, organizations: organizations))
    // The page routes that take a file: their bodies are streamed to a spool, not read into memory.
    let organizationUploadPages = web.group("orgs/:orgId")
        .add(middleware: RequireSession())
        .add(middleware: SessionTenantResolver(tenant: tenantRequest, uploads: uploads))
        .group(context: OrgRequestContext.self)
    let organizationRateFilePages = web.group("orgs/:orgId")
        .add(middleware: RequireSession())
        .add(middleware: SessionTenantResolver(tenant: tenantRequest, uploads: rateFiles))
        .group(context: OrgRequestContext.self)
    let organizationImportPages = web.group("orgs/:orgId")
        .add(middleware: RequireSession())
        .add(middleware: SessionTenantResolver(tenant: tenantRequest, uploads: importFiles))
        .group(context: OrgRequestContext.self)
    webOrganizations.addOrganizationRoutes(to: organizationPages)
    WebWebhookController(webhooks: webhooks, organizations: organizations, pages: pages)
        .addRoutes(to: organizationPages)
    let membersPage = MembersPageRenderer(members: members, organizations: organizations, pages: pages)
    WebMemberController(members: members, membersPage: membersPage).addRoutes(to: organizationPages)
    WebOrganizationInvitationController(members: members, membersPage: membersPage).addRoutes(to: organizationPages)
    WebAuditController(organizations: organizations, pages: pages).addRoutes(to: organizationPages)
    WebDashboardController(
        expenses: expenses, reports: reports, claims: claims, budgets: budgets, organizations: organizations,
        pages: pages
    )
    .addRoutes(to: organizationPages)
    let webExpenses = WebExpenseController(
        expenses: expenses, receipts: receipts, claims: claims, categories: categories, members: members,
        organizations: organizations, pages: pages)
    webExpenses.addRoutes(to: organizationPages)
    webExpenses.addUploadRoutes(to: organizationUploadPages)
    let webReceipts = WebReceiptController(
        expenses: expenses, receipts: receipts, claims: claims, recurring: recurring, organizations: organizations,
        pages: pages)
    webReceipts.addRoutes(to: organizationPages)
    webReceipts.addUploadRoutes(to: organizationUploadPages)
    WebClaimController(claims: claims, organizations: organizations, pages: pages, clock: dependencies.clock)
        .addRoutes(to: organizationPages)
    WebReportController(reports: reports, organizations: organizations, pages: pages).addRoutes(to: organizationPages)
    WebBudgetController(budgets: budgets, categories: categories, organizations: organizations, pages: pages)
        .addRoutes(to: organizationPages)
    WebRecurringController(
        recurring: recurring, categories: categories, organizations: organizations, pages: pages,
        clock: dependencies.clock
    ).addRoutes(to: organizationPages)
    let webRates = WebRateController(
        rates: rates, organizations: organizations, pages: pages, clock: dependencies.clock)
    webRates.addRoutes(to: organizationPages)
    webRates.addUploadRoutes(to: organizationRateFilePages)
    WebBooksController(books: books, organizations: organizations, pages: pages).addRoutes(to: organizationPages)
    let webImports = WebImportController(imports: imports, organizations: organizations, pages: pages)
    webImports.addRoutes(to: organizationPages)
    webImports.addUploadRoutes(to: organizationImportPages)
    WebExportController(reports: reports, receipts: receipts).addRoutes(to: organizationPages)
    WebCategoryController(categories: categories, organizations: organizations, pages: pages)
        .addRoutes(to: organizationPages)
    allowedMethods.use(router)
    return router
}
