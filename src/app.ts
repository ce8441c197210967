// Composition root: infrastructure → repositories → services → routes, wired explicitly. Routes
// receive services only; repositories stay inside the services built here.
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createAuditRepository } from './audit/repository.js';
import { auditRoutes } from './audit/routes.js';
import { createAuditService } from './audit/service.js';
import { createApiKeysRepository } from './auth/repository.js';
import { apiKeyRoutes } from './auth/routes.js';
import { createApiKeyService } from './auth/service.js';
import { createBrandsRepository } from './brands/repository.js';
import { brandRoutes } from './brands/routes.js';
import { createBrandService } from './brands/service.js';
import { createBrandComplaintService } from './complaints/brand-complaints.js';
import { createMakerComplaintService } from './complaints/maker-complaints.js';
import { createComplaintsRepository } from './complaints/repository.js';
import { brandComplaintRoutes, complaintRoutes } from './complaints/routes.js';
import { createComplaintService } from './complaints/service.js';
import { createCreditRepository } from './credit/repository.js';
import { creditRoutes } from './credit/routes.js';
import { createCreditService } from './credit/service.js';
import { createDashboardRepository } from './dashboard/repository.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { createDashboardService } from './dashboard/service.js';
import { boundedReads, type Database, type Db } from './db/client.js';
import { loggedError } from './db/errors.js';
import { jobLease, keepLeases } from './db/leases.js';
import { createRateLimitRepository } from './db/rate-limits.js';
import { DEFAULT_RECORD_LAG_MS, settledBefore } from './db/settled.js';
import { epcRoutes } from './epc/routes.js';
import { createEpcService } from './epc/service.js';
import { createEpcisRepository } from './epcis/repository.js';
import { epcisAnswerHeaders, epcisRoutes, epcisVersionRange } from './epcis/routes.js';
import { createEpcisService, DEFAULT_QUERY_TIMEOUT_SECONDS } from './epcis/service.js';
import { createSubscriptionService, type RetryPolicy } from './epcis/subscriptions.js';
import type { WebhookPolicy } from './epcis/webhooks.js';
import { createEventsRepository } from './events/repository.js';
import { eventRoutes } from './events/routes.js';
import { createEventService } from './events/service.js';
import { createEventWriter } from './events/writer/index.js';
import { createEventWriterRepository } from './events/writer/repository.js';
import { createFiguresRepository } from './figures/repository.js';
import { figuresRoutes } from './figures/routes.js';
import { createFiguresService } from './figures/service.js';
import { healthRoutes } from './health/routes.js';
import { requestValidatorCompiler, withQuerystring } from './http/query.js';
import { loggedRequest, requestIdOf } from './http/request.js';
import { createIdentifierService } from './identifiers/service.js';
import { createItemsRepository } from './items/repository.js';
import { itemRoutes } from './items/routes.js';
import { CODE_JOB_BATCH, createItemService } from './items/service.js';
import { createLineageRepository } from './lineage/repository.js';
import { createLocationsRepository } from './locations/repository.js';
import { locationRoutes } from './locations/routes.js';
import { createLocationService } from './locations/service.js';
import { DEFAULT_YIELD_ALLOWANCES, type YieldAllowances } from './lots/ledger.js';
import { createLotsRepository } from './lots/repository.js';
import { lotRoutes } from './lots/routes.js';
import { createLotService } from './lots/service.js';
import { createPartiesRepository } from './parties/repository.js';
import { partyRoutes } from './parties/routes.js';
import { createPartyService, createRegionCheck } from './parties/service.js';
import authentication from './plugins/authentication.js';
import closing from './plugins/closing.js';
import cors from './plugins/cors.js';
import errors, { sendClientError, sendError } from './plugins/errors.js';
import formbody from './plugins/formbody.js';
import inputGuard from './plugins/input-guard.js';
import rateLimit from './plugins/rate-limit.js';
import swagger from './plugins/swagger.js';
import { createProductsRepository } from './products/repository.js';
import { productRoutes } from './products/routes.js';
import { createProductService } from './products/service.js';
import type { RecallDeadlines } from './recalls/deadlines.js';
import { createRecallsRepository } from './recalls/repository.js';
import { recallRoutes } from './recalls/routes.js';
import { createRecallService } from './recalls/service.js';
import { createRegistrationsRepository } from './registrations/repository.js';
import { registrationRoutes } from './registrations/routes.js';
import { createRegistrationService } from './registrations/service.js';
import { regulatorRoutes } from './regulator/routes.js';
import { createFlagReviewService } from './regulator/service.js';
import { resolverRoutes, scannedTarget } from './resolver/routes.js';
import { createResolverService } from './resolver/service.js';
import { createGateService } from './rfid/gates.js';
import { createRfidRepository } from './rfid/repository.js';
import { rfidRoutes } from './rfid/routes.js';
import { createRfidService } from './rfid/service.js';
import { createBrandFlagService } from './scans/brand-flags.js';
import { countedAs } from './scans/buffer.js';
import type { FlagPolicy } from './scans/flags.js';
import { createScansRepository } from './scans/repository.js';
import { brandFlagRoutes } from './scans/routes.js';
import { createScanService } from './scans/service.js';
import { createShipmentsRepository } from './shipments/repository.js';
import { shipmentRoutes } from './shipments/routes.js';
import { createShipmentService } from './shipments/service.js';
import { createTraceRepository } from './trace/repository.js';
import { traceRoutes } from './trace/routes.js';
import { createTraceService } from './trace/service.js';

export type AppOptions = {
  database: Database;
  /** Fastify's own logger, built from these options (tests); or `loggerInstance`, a pino logger the caller built. */
  logger?: FastifyServerOptions['logger'];
  loggerInstance?: FastifyBaseLogger;
  bodyLimit?: number;
  /** Reverse proxies whose X-Forwarded-For names the client (a number of hops, or their addresses): per-client limits count each client, not the proxy. */
  trustProxy?: number | string[];
  /** Origin printed on labels and used in links, e.g. https://fj.example.cn */
  publicBaseUrl?: string;
  /**
   * Origin the resolver's redirects name (PUBLIC_BASE_URL when it is set). Without it a redirect's
   * Location is path-absolute, so the client follows it to the address it used: behind a proxy too.
   */
  redirectBaseUrl?: string;
  flagPolicy?: FlagPolicy;
  /** Complaints accepted per client address and hour; posts refused or not, four times as many. */
  complaintsPerHour?: number;
  /** Scans (short codes and Digital Links) answered per client address and minute. */
  scansPerMinute?: number;
  /** QR images (SVG and PNG) of item codes drawn per client address and minute. */
  qrImagesPerMinute?: number;
  /** Complaint status lookups (by ticket) answered per client address and minute. */
  complaintLookupsPerMinute?: number;
  /** Applications to join accepted per client address and hour. */
  registrationsPerHour?: number;
  ipSalt?: string;
  /** How often webhook subscriptions are checked for new events. */
  subscriptionTickMs?: number;
  /** How far behind now a delivery window and a GET /events sync page end at the least (DEFAULT_RECORD_LAG_MS unless set; see settledBefore). */
  subscriptionLagMs?: number;
  /** The one clock events are checked against (an event must not lie in its future). */
  now?: () => Date;
  /** Webhook destinations: https to public addresses only, unless allowed for development. */
  webhooks?: WebhookPolicy;
  /** Webhook subscriptions one party (or a key of no party) may keep (20 unless set). */
  subscriptionsPerParty?: number;
  /** EPCIS named queries one party (or a key of no party) may keep (100 unless set). */
  namedQueriesPerParty?: number;
  /** How long one statement of an EPCIS query may run (DEFAULT_QUERY_TIMEOUT_SECONDS unless set; PostgreSQL only, see boundedReads). */
  queryTimeoutMs?: number;
  /** Webhook subscriptions this process delivers at once (4 unless set). */
  deliveriesPerProcess?: number;
  /** How failed webhook deliveries are retried and when a subscription is stopped (DEFAULT_RETRY_POLICY unless set). */
  webhookRetries?: Partial<RetryPolicy>;
  /** How often RFID observations whose window has closed are looked for (0: only when asked to drain). */
  rfidTickMs?: number;
  /** Yields each kind of transformation may have in a mass balance (curing keeps 50–70 % of the weight by default). */
  yieldAllowances?: YieldAllowances;
  /** Lot lines read per query while a CSV export of events streams (2000 unless set). */
  exportPageSize?: number;
  /** When a recall must have started and finished, by level (unset: the numbers in src/recalls/deadlines.ts). */
  recallDeadlines?: RecallDeadlines;
  /** How many times a recall opening takes in the lots its scope newly reaches while it waits for them (5 unless set). */
  recallScopeRounds?: number;
  /** How often every enterprise's credit score is recomputed and stored (unset: only when a regulator asks). */
  creditRecomputeMs?: number;
  /** Show the producer's last stored credit grade on the consumer page. */
  showCreditGrade?: boolean;
  /** Days a suspended or exited brand member has to dispose of its brand-labelled stock. */
  brandDisposalDays?: number;
  /** Item codes a party may have queued or being issued at once (2,000,000 unless set). */
  codesQueuedPerParty?: number;
  /** How long a capture or code job stays with a process that stopped renewing its lease (30 s unless set; see src/db/leases.ts). */
  jobLeaseSeconds?: number;
  /** Codes a code job stores in each transaction (CODE_JOB_BATCH for the database unless set; benchmarks). */
  codeJobBatch?: number;
  /**
   * The caller resumes the jobs the last stop left (app.resumeJobsLeftByLastStop, the server after
   * it listens): until then the lease timer takes over no other process's jobs, so a start reports
   * as resumed every job it found unfinished.
   */
  resumesJobsAtStart?: boolean;
};

/** The repositories, built once over the database (services, seeds and tools that load data use them). */
export function createRepositories(database: Database) {
  const { db } = database;
  return {
    apiKeys: createApiKeysRepository(db),
    parties: createPartiesRepository(db),
    locations: createLocationsRepository(db),
    products: createProductsRepository(db),
    brands: createBrandsRepository(db),
    lots: createLotsRepository(db),
    shipments: createShipmentsRepository(db),
    lineage: createLineageRepository(db),
    events: createEventsRepository(db),
    items: createItemsRepository(database),
    scans: createScansRepository(db),
    complaints: createComplaintsRepository(db),
    epcis: createEpcisRepository(db),
    registrations: createRegistrationsRepository(db),
    rfid: createRfidRepository(db),
    recalls: createRecallsRepository(db),
    audit: createAuditRepository(db),
  };
}

type ServiceLog = {
  error: (object: object, message: string) => void;
  warn: (object: object, message: string) => void;
  info: (object: object, message: string) => void;
};

export function createServices(
  database: Database,
  options: Omit<AppOptions, 'database' | 'logger' | 'loggerInstance' | 'bodyLimit' | 'trustProxy'> & { log?: ServiceLog } = {},
) {
  const repos = createRepositories(database);
  // one process alone opens a PGlite directory: at start it takes every unfinished job
  const lease = jobLease({ seconds: options.jobLeaseSeconds, exclusive: database.kind === 'pglite' });
  const publicBaseUrl = options.publicBaseUrl ?? 'http://127.0.0.1:3000';
  const ipSalt = options.ipSalt ?? 'county-trace-scans';
  const identifiers = createIdentifierService({ ...repos, publicBaseUrl });
  const trace = createTraceService({
    traces: createTraceRepository(database.db),
    lots: repos.lots,
    identifiers,
    tradingPartners: repos.shipments.tradingPartners,
  });
  const partyExists = async (code: string) => (await repos.parties.findByCode(code)) !== undefined;
  const now = options.now ?? (() => new Date());
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_SECONDS * 1000;
  const boundedQuery = boundedReads(database, queryTimeoutMs);
  // the one writer of events, lots, the ledger and lineage: native events, EPCIS capture and devices all go through it
  const writer = createEventWriter({ repository: createEventWriterRepository(), ...repos, now });
  const epcis = createEpcisService({
    transaction,
    capture: { writer, identifiers, epcis: repos.epcis, products: repos.products, lots: repos.lots, publicBaseUrl },
    epcis: repos.epcis,
    identifiers,
    events: repos.events,
    lots: repos.lots,
    products: repos.products,
    locations: repos.locations,
    prefixes: () => repos.parties.companyPrefixes(),
    publicBaseUrl,
    lease,
    boundedReads: (work) => boundedQuery((tx) => work(createEpcisRepository(tx))),
    queryTimeoutMs,
    log: options.log,
  });
  const scans = createScanService({
    scans: repos.scans,
    lots: repos.lots,
    now,
    onWriteError: (error) => options.log?.error({ err: error }, 'storing scans failed'),
    // rare (two instances answered one client's scans within ten minutes) and counted nowhere: said, so that it can be seen
    onDropped: (dropped) => {
      for (const scan of dropped) {
        const counted = countedAs(scan);
        options.log?.info(
          { scan: { id: scan.id, code: counted.code, kind: counted.kind, at: scan.at } },
          'scan dropped when stored: the same client’s scan of the code, within ten minutes before it or any time after it, was counted first',
        );
      }
    },
  });
  const audit = createAuditService({ audit: repos.audit, transaction, now });
  const apiKeys = createApiKeyService({
    apiKeys: repos.apiKeys,
    partyKind: async (code) => (await repos.parties.findByCode(code))?.kind,
    transaction,
    audit,
  });
  const gates = createGateService({
    transaction,
    rfid: repos.rfid,
    identifiers,
    writer,
    now,
    onError: (error) => options.log?.error({ err: error }, 'turning RFID observations into events failed'),
  });
  const rfid = createRfidService({
    rfid: repos.rfid,
    transaction,
    locations: repos.locations,
    lots: repos.lots,
    identifiers,
    partyExists,
    readerKeys: { issue: (partyCode, label, by) => apiKeys.issue({ role: 'reader', partyCode, label }, by), revoke: apiKeys.revoke },
    audit,
    onStored: () => gates.kick(),
    now,
  });
  const figuresRepository = createFiguresRepository(database.db);
  const yieldAllowances = options.yieldAllowances ?? DEFAULT_YIELD_ALLOWANCES;
  const figures = createFiguresService({
    figures: figuresRepository,
    lots: repos.lots,
    yieldAllowances,
    knownRegion: createRegionCheck(repos.parties),
    now,
    exportPageSize: options.exportPageSize,
  });
  const recalls = createRecallService({
    transaction,
    writer,
    recalls: repos.recalls,
    identifiers,
    tradingPartners: repos.shipments.tradingPartners,
    now,
    deadlines: options.recallDeadlines,
    scopeRounds: options.recallScopeRounds,
  });
  const parties = createPartyService({ parties: repos.parties, tradingPartners: repos.shipments.tradingPartners, transaction, audit });
  const credit = createCreditService({
    credit: createCreditRepository(database.db),
    figures: figuresRepository,
    scans: repos.scans,
    transaction,
    audit,
    yieldAllowances,
    now,
    log: options.log,
  });
  const brands = createBrandService({
    brands: repos.brands,
    products: repos.products,
    parties: repos.parties,
    registrations: repos.registrations,
    transaction,
    audit,
    disposalDays: options.brandDisposalDays,
    now,
  });
  return {
    audit,
    apiKeys,
    parties,
    locations: createLocationService({
      locations: repos.locations,
      partyExists,
      parties: repos.parties,
      tradingPartners: repos.shipments.tradingPartners,
      transaction,
      audit,
      now,
    }),
    products: createProductService({ products: repos.products, partyExists, parties: repos.parties, transaction, audit, now }),
    brands,
    lots: createLotService({ lots: repos.lots }),
    shipments: createShipmentService({ shipments: repos.shipments }),
    events: createEventService({
      transaction,
      writer,
      identifiers,
      events: repos.events,
      settled: (at) => settledBefore(database.db, at, options.subscriptionLagMs ?? DEFAULT_RECORD_LAG_MS),
      now,
    }),
    identifiers,
    epc: createEpcService({ identifiers, lots: repos.lots, tags: repos.rfid, prefixes: () => repos.parties.companyPrefixes() }),
    trace,
    items: createItemService({
      items: repos.items,
      lots: repos.lots,
      products: repos.products,
      brands,
      publicBaseUrl,
      now,
      codesQueuedPerParty: options.codesQueuedPerParty,
      lease,
      batchSize: options.codeJobBatch ?? CODE_JOB_BATCH[database.kind],
      log: options.log,
    }),
    scans,
    flagReviews: createFlagReviewService({ scans: repos.scans, audit, transaction, now }),
    resolver: createResolverService({
      items: repos.items,
      failures: repos.events,
      containers: repos.lineage,
      scans,
      lots: repos.lots,
      identifiers,
      trace,
      brands,
      ipSalt,
      policy: options.flagPolicy,
      now,
      producerGrade: options.showCreditGrade ? credit.latestGrade : undefined,
      partyName: async (code) => (await repos.parties.findByCode(code))?.name ?? null,
    }),
    brandFlags: createBrandFlagService({ brands: repos.brands, scans: repos.scans, transaction, audit, now }),
    brandComplaints: createBrandComplaintService({ brands: repos.brands, complaints: repos.complaints }),
    makerComplaints: createMakerComplaintService({ complaints: repos.complaints }),
    complaints: createComplaintService({
      complaints: repos.complaints,
      items: repos.items,
      lots: repos.lots,
      products: repos.products,
      identifiers,
      ipSalt,
      perHour: options.complaintsPerHour ?? 5,
      transaction,
      audit,
      now,
    }),
    figures,
    credit,
    dashboard: createDashboardService({
      dashboard: createDashboardRepository(database.db),
      authenticate: apiKeys.authenticate,
      figures,
      recalls,
      now,
    }),
    registrations: createRegistrationService({
      registrations: repos.registrations,
      parties,
      findPartyByUscc: (uscc) => repos.parties.findByUscc(uscc),
      apiKeys,
      transaction,
      audit,
      ipSalt,
      now,
    }),
    recalls,
    epcis,
    subscriptions: createSubscriptionService({
      db: database.db,
      epcis,
      webhooks: options.webhooks ?? { allowInsecure: false },
      lagMs: options.subscriptionLagMs,
      now,
      perParty: options.subscriptionsPerParty,
      queriesPerParty: options.namedQueriesPerParty,
      deliveriesAtOnce: options.deliveriesPerProcess,
      retry: options.webhookRetries,
      lease,
      log: options.log,
    }),
    rfid,
    gates,
    publicBaseUrl,
    /** The clock events are checked against: what seeds date their records from. */
    now,
    /** This process's hold on the capture and code jobs it runs. */
    jobLease: lease,
  };
}

export type Services = ReturnType<typeof createServices>;

/** Fastify's logger options, its requests logged with their URLs as they came (loggedRequest), its errors without a statement's parameters (loggedError). */
function loggerOptions(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const given = logger === true ? {} : logger;
  return { ...given, serializers: { ...given.serializers, req: loggedRequest, err: loggedError } };
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildApp(options: AppOptions) {
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance.child({}, { serializers: { req: loggedRequest, err: loggedError } }) }
      : { logger: loggerOptions(options.logger) }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // a number of proxies: the addresses of that many hops nearest the service are theirs
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
    genReqId: (request) => requestIdOf(request.headers['x-request-id']),
    // a raw "#" ends what is read of any URL, as it ends what a redirect passes on; a full-width "？" in a label's path
    // (a Digital Link's, a trace code's) begins its query string, which the router then reads as any other
    rewriteUrl: (request) => scannedTarget(request.url ?? '/'),
    // a URL the router cannot decode, or a path parameter over its length limit, is answered like any other error
    frameworkErrors: sendError,
    // and so is a request Node's HTTP parser refuses before it reaches the router
    clientErrorHandler: sendClientError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(requestValidatorCompiler);
  // a parameter no route reads is refused by name, on a route that declares no query string too
  app.addHook('onRoute', (route) => {
    route.schema = withQuerystring(route.schema);
  });
  app.setSerializerCompiler(serializerCompiler);
  // no route reads plain text: a JSON route sent text/plain is 415, as for any other type it does not take
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', epcisAnswerHeaders);

  const services = createServices(options.database, { ...options, log: app.log });

  // plugins: third-party ones each in their own file, then the app's own
  await app.register(rateLimit, { counters: createRateLimitRepository(options.database.db) });
  await app.register(closing);
  await app.register(errors);
  await app.register(inputGuard);
  // OPTIONS of an EPCIS path is held to the version range its other methods are
  await app.register(cors, { checkOptions: epcisVersionRange });
  await app.register(formbody);
  await app.register(swagger);
  await app.register(authentication, { authenticate: services.apiKeys.authenticate });

  await app.register(healthRoutes, { database: options.database });
  await app.register(apiKeyRoutes, { service: services.apiKeys });
  await app.register(auditRoutes, { service: services.audit });
  await app.register(partyRoutes, { service: services.parties });
  await app.register(locationRoutes, { service: services.locations });
  await app.register(productRoutes, { service: services.products });
  await app.register(brandRoutes, { service: services.brands });
  await app.register(brandFlagRoutes, { service: services.brandFlags });
  await app.register(brandComplaintRoutes, { service: services.brandComplaints });
  await app.register(lotRoutes, { service: services.lots });
  await app.register(eventRoutes, { service: services.events });
  await app.register(shipmentRoutes, { service: services.shipments });
  await app.register(traceRoutes, { service: services.trace });
  await app.register(itemRoutes, { service: services.items, qrImagesPerMinute: options.qrImagesPerMinute ?? 120 });
  await app.register(resolverRoutes, {
    service: services.resolver,
    publicBaseUrl: services.publicBaseUrl,
    redirectBaseUrl: options.redirectBaseUrl ?? '',
    scansPerMinute: options.scansPerMinute ?? 300,
  });
  await app.register(epcRoutes, { service: services.epc });
  await app.register(complaintRoutes, {
    service: services.complaints,
    makers: services.makerComplaints,
    perHour: options.complaintsPerHour ?? 5,
    lookupsPerMinute: options.complaintLookupsPerMinute ?? 30,
  });
  await app.register(registrationRoutes, { service: services.registrations, perHour: options.registrationsPerHour ?? 5 });
  await app.register(recallRoutes, { service: services.recalls });
  await app.register(regulatorRoutes, { scans: services.scans, flagReviews: services.flagReviews });
  await app.register(figuresRoutes, { service: services.figures });
  await app.register(creditRoutes, { service: services.credit });
  await app.register(dashboardRoutes, { service: services.dashboard, publicBaseUrl: services.publicBaseUrl });
  await app.register(epcisRoutes, { service: services.epcis, subscriptions: services.subscriptions });
  await app.register(rfidRoutes, { service: services.rfid });

  services.subscriptions.start(options.subscriptionTickMs ?? 1000);
  if (options.rfidTickMs !== 0) services.gates.start(options.rfidTickMs ?? 1000);
  if (options.creditRecomputeMs) services.credit.start(options.creditRecomputeMs);
  // Other processes may share a PostgreSQL database: this one renews the leases of its jobs while
  // they wait and run, and takes over the jobs of a process that stopped renewing (it died).
  let stopping = false;
  let resumedAtStart = !options.resumesJobsAtStart;
  const stopKeepingLeases = services.jobLease.exclusive
    ? async () => {}
    : keepLeases(
        services.jobLease,
        async () => {
          await services.items.renewLeases();
          await services.epcis.renewLeases();
          await services.subscriptions.renewLeases();
          if (stopping || !resumedAtStart) return;
          const codeJobs = await services.items.resumeInterruptedJobs('expired');
          const captureJobs = await services.epcis.resumeInterruptedJobs('expired');
          if (codeJobs + captureJobs > 0)
            app.log.warn({ codeJobs, captureJobs }, 'jobs whose process stopped renewing their lease were taken over');
        },
        (error) => app.log.error({ err: error }, 'renewing job leases failed'),
      );
  app.addHook('onClose', async () => {
    stopping = true;
    // no delivery starts once the close begins; those under way end while their leases are still renewed
    const deliveriesEnded = services.subscriptions.stop();
    await services.scans.flush();
    await services.items.idle();
    await services.epcis.idle();
    await deliveriesEnded;
    await stopKeepingLeases();
    // a look for jobs to take over that was under way when the close began may have claimed some:
    // they run here too, not left claimed by a process that is gone until their lease ends
    await services.items.idle();
    await services.epcis.idle();
    await services.gates.stop();
    await services.credit.stop();
  });

  /** Runs again the jobs the last stop left unfinished; the lease timer takes over other processes' jobs only after. */
  async function resumeJobsLeftByLastStop() {
    const codeJobs = await services.items.resumeInterruptedJobs();
    const captureJobs = await services.epcis.resumeInterruptedJobs();
    resumedAtStart = true;
    return { codeJobs, captureJobs };
  }

  return Object.assign(app, { services, resumeJobsLeftByLastStop });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
