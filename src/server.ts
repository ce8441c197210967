import { type AddressInfo, createServer, isIPv6 } from 'node:net';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import QRCode from 'qrcode';
import { loadDemoChainOnce } from '../seeds/fengjie.js';
import { buildApp } from './app.js';
import { ConfigError, labelBaseUrlWarning, loadConfig, loadEnvFile, misspelledSettings, SHUTDOWN_GRACE_MS } from './config.js';
import { type Database, openPglite, openPostgres } from './db/client.js';
import { storedSecret } from './db/secrets.js';
import { SetupError } from './errors/setup.js';
import { DEFAULT_FLAG_POLICY } from './scans/flags.js';

/** How long before the grace period ends a stop lets go of the jobs it still runs. */
const RELEASE_BEFORE_GRACE_ENDS_MS = 2_000;

/** A port the system has free on this host now. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function main() {
  loadEnvFile();
  const config = loadConfig();
  // the process's one logger: requests, jobs, the database pool and shutdown log through it, keys redacted
  const logger = pino({ level: config.LOG_LEVEL, redact: ['req.headers.authorization'] });
  const database: Database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL, logger) : await openPglite(config.DATA_DIR);
  // says which migrations it applies: an upgrade's may keep writes waiting a while
  await database.migrate(logger);

  // an IPv6 address goes in brackets in a URL
  const shownHost =
    config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : isIPv6(config.HOST) ? `[${config.HOST}]` : config.HOST;
  // PORT=0 asks for any free port; links printed and built by the app need the real one
  const port = config.PORT || (await freePort(config.HOST));
  const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://${shownHost}:${port}`;
  const app = await buildApp({
    database,
    resumesJobsAtStart: true,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    loggerInstance: logger,
    publicBaseUrl,
    // the default origin is this process's own address, which a proxy in front would not answer on
    redirectBaseUrl: config.PUBLIC_BASE_URL,
    flagPolicy: { ...DEFAULT_FLAG_POLICY, overScanThreshold: config.SCAN_FLAG_THRESHOLD },
    complaintsPerHour: config.COMPLAINTS_PER_HOUR,
    scansPerMinute: config.SCANS_PER_MINUTE,
    registrationsPerHour: config.REGISTRATIONS_PER_HOUR,
    qrImagesPerMinute: config.QR_IMAGES_PER_MINUTE,
    complaintLookupsPerMinute: config.COMPLAINT_LOOKUPS_PER_MINUTE,
    brandDisposalDays: config.BRAND_DISPOSAL_DAYS,
    ipSalt: config.IP_HASH_SALT ?? (await storedSecret(database.db, 'ip-hash-salt')),
    webhooks: { allowInsecure: config.WEBHOOKS_ALLOW_INSECURE },
    subscriptionsPerParty: config.SUBSCRIPTIONS_PER_PARTY,
    namedQueriesPerParty: config.NAMED_QUERIES_PER_PARTY,
    queryTimeoutMs: config.QUERY_TIMEOUT_SECONDS * 1000,
    deliveriesPerProcess: config.WEBHOOK_DELIVERIES_PER_PROCESS,
    webhookRetries: {
      maxDelayMs: config.WEBHOOK_BACKOFF_MAX_SECONDS * 1000,
      maxFailures: config.WEBHOOK_STOP_AFTER_FAILURES,
      maxFailingMs: config.WEBHOOK_STOP_AFTER_HOURS * 3_600_000,
    },
    yieldAllowances: config.YIELD_ALLOWANCES,
    recallDeadlines: config.RECALL_DEADLINES,
    creditRecomputeMs: config.CREDIT_RECOMPUTE_HOURS * 3_600_000,
    showCreditGrade: config.CONSUMER_CREDIT_GRADE,
    jobLeaseSeconds: config.JOB_LEASE_SECONDS,
    codesQueuedPerParty: config.CODES_QUEUED_PER_PARTY,
  });
  // the complaints stored before filings were logged (as the migrations left them) are fixed in the
  // audit log before this process takes a filing: a ticket listed with them later no longer verifies
  await app.services.audit.recordComplaintBaseline();

  // On SIGINT/SIGTERM: stop accepting, finish in-flight requests, store buffered scans, let running
  // jobs end (a job cut off by the grace period runs again at the next start), close the pool and
  // release the PGlite lock.
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: { error: (message: string) => app.log.error(message) } }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'stopping after an unexpected error');
    else app.log.info({ signal }, 'shutting down');
    // jobs and webhook deliveries still running shortly before the grace period ends are let go
    // (jobs stop at their next step, deliveries at once), so that another process on the database
    // takes them at once, not once their leases end
    const letGo = setTimeout(() => {
      Promise.all([
        app.services.items.releaseLeases(),
        app.services.epcis.releaseLeases(),
        app.services.subscriptions.releaseLeases(),
      ]).then(
        ([codeJobs, captureJobs, subscriptions]) => {
          if (codeJobs + captureJobs + subscriptions > 0)
            app.log.warn({ codeJobs, captureJobs, subscriptions }, 'jobs the stop could not wait for were let go');
        },
        (error) => app.log.error({ err: error }, 'letting go of job leases failed'),
      );
    }, SHUTDOWN_GRACE_MS - RELEASE_BEFORE_GRACE_ENDS_MS);
    letGo.unref();
    try {
      await app.close();
    } finally {
      clearTimeout(letGo);
    }
    await database.close();
  });

  // a configured admin key works from the first request on
  if (config.ADMIN_API_KEY) await app.services.apiKeys.ensureAdminKey(config.ADMIN_API_KEY);
  try {
    await app.listen({ port, host: config.HOST });
  } catch (error) {
    await app.close();
    await database.close();
    throw new ConfigError(`PORT, HOST: cannot listen on ${config.HOST}:${port}: ${(error as Error).message}`);
  }
  for (const warning of [labelBaseUrlWarning(config), ...misspelledSettings(process.env)]) if (warning) app.log.warn(warning);
  const { codeJobs, captureJobs } = await app.resumeJobsLeftByLastStop();
  if (codeJobs + captureJobs > 0) app.log.warn({ codeJobs, captureJobs }, 'jobs left unfinished by the last stop run again');
  const demo = config.SEED_DEMO ? await loadDemoChainOnce(database, { log: app.log, now: app.services.now }) : null;
  const base = `http://${shownHost}:${port}`;
  const demoLines: string[] = [];
  if (demo) {
    const scanUrl = `${publicBaseUrl}/t/${demo.itemCode}`;
    demoLines.push(
      `  Scan a demo pack of 奉节腊肉 (consumer page):  ${scanUrl}`,
      `  Its lot ${demo.retailLotCode} traced back to the farms (API):  ${base}/trace/${demo.retailLotCode}`,
      `    curl -H "Authorization: Bearer <admin key>" ${base}/trace/${demo.retailLotCode}`,
      '',
      await QRCode.toString(scanUrl, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }),
    );
  }
  // the first admin key is issued last, by a start that listens and has done all that may fail
  // (resuming jobs, loading the demo chain), and printed at once: it is shown only once, and a key
  // made by a start that failed after it would never be shown, nor another made (see ensureAdminKey)
  const adminKey = config.ADMIN_API_KEY ? null : await app.services.apiKeys.ensureAdminKey();
  const where = database.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)';
  const lines = [
    '',
    `  Traceability service ready on ${base}  (${where})`,
    `  API docs (Swagger UI):  ${base}/docs`,
    `  OpenAPI document:       ${base}/openapi.json`,
    adminKey
      ? `  Admin API key (shown once, stored hashed — keep it):  ${adminKey}`
      : config.ADMIN_API_KEY
        ? '  Admin API key: the ADMIN_API_KEY you configured'
        : '  Admin API key: printed on the first start; issue another with `npm run admin-key`',
    ...demoLines,
  ];
  console.log(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  if (error instanceof SetupError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
