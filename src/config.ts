import { existsSync, statSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DEFAULT_JOB_LEASE_SECONDS } from './db/leases.js';
import { DEFAULT_QUERY_TIMEOUT_SECONDS } from './epcis/service.js';
import { DEFAULT_DELIVERIES_PER_PROCESS, DEFAULT_RETRY_POLICY } from './epcis/subscriptions.js';
import { SetupError } from './errors/setup.js';
import { closestMember } from './http/body.js';
import { parseYieldAllowances } from './lots/ledger.js';
import { parseRecallDeadlines } from './recalls/deadlines.js';

/** A setting read by one of the domain's parsers, whose Error message becomes the configuration error. */
function parsedBy<T>(parse: (text: string) => T) {
  return z.string().transform((text, context) => {
    try {
      return parse(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** The names proxy-addr (Fastify's trustProxy) gives to ranges of addresses. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The reverse proxies whose X-Forwarded-For names the client: a number of hops, or addresses, CIDR
 * ranges and the names loopback, linklocal, uniquelocal, separated by commas.
 */
/** How long a stop waits for requests and jobs to finish before exiting anyway (a container's stop must wait longer). */
export const SHUTDOWN_GRACE_MS = 10_000;

export function parseTrustProxy(text: string): number | string[] {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!PROXY_RANGES.includes(entry) && !isProxyAddress(entry) && !isProxyRange(entry)) {
      throw new Error(
        `"${entry}" is not an address, a CIDR range (prefix 1 or longer) or one of ${PROXY_RANGES.join(', ')}; or give the number of proxies`,
      );
    }
  }
  return entries;
}

/**
 * An address as written in full: ipaddr.js also takes "1" (0.0.0.1), "127.1" or hexadecimal parts,
 * which would trust another address than the one meant.
 */
const isProxyAddress = (text: string) => ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);

/** A CIDR range proxy-addr compiles: a /0 (every client, which could then name any address) it refuses. */
function isProxyRange(text: string) {
  const [address, bits, ...rest] = text.split('/');
  if (rest.length > 0 || !bits || !/^\d{1,3}$/.test(bits) || !isProxyAddress(address)) return false;
  const longest = ipaddr.IPv4.isValidFourPartDecimal(address) ? 32 : 128;
  return Number(bits) >= 1 && Number(bits) <= longest;
}

/**
 * Why an http(s) URL cannot be the base of the URLs printed on labels (`{base}/t/{code}`), or null
 * when it can: the base is printed as written, so a query or fragment would swallow the code, and a
 * path the URL parser reads otherwise (dot segments, backslashes, characters it encodes) would
 * print one address and name another. A user name or password would be printed on every label.
 */
function baseUrlProblem(text: string): string | null {
  const url = new URL(text);
  if (/[?#]/.test(text)) return 'must have no query or fragment (? or #): labels append /t/{code} to it';
  if (url.username || url.password) return 'must hold no user name or password: it is printed on every label';
  const written = text.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/\/+$/, '');
  const read = url.pathname.replace(/\/+$/, '');
  if (written !== read)
    return `its path must be written as a URL keeps it (no . or .. segments, backslashes, spaces or characters to percent-encode): it reads as "${read || '/'}"`;
  return null;
}

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    // the PostgreSQL client reads it as a WHATWG URL
    .refine((url) => URL.canParse(url), 'is not a valid URL (a port up to 65535; characters such as @ / # in a password percent-encoded)')
    .optional(),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  TRUST_PROXY: parsedBy(parseTrustProxy)
    .optional()
    .describe('reverse proxies in front of the service whose X-Forwarded-For names the client (rate limits, hashed IPs)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://fj.example.cn' })
    .superRefine((text, context) => {
      const problem = baseUrlProblem(text);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional()
    .describe('printed on labels; keep it short so a trace URL fits in a small QR code'),
  SCAN_FLAG_THRESHOLD: z.coerce.number().int().min(1).default(20),
  COMPLAINTS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  SCANS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  QR_IMAGES_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  COMPLAINT_LOOKUPS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  CODES_QUEUED_PER_PARTY: z.coerce
    .number()
    .int()
    .min(1)
    .default(2_000_000)
    .describe('item codes a party may have queued or being issued at once, in all its lots'),
  BRAND_DISPOSAL_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe('days a suspended or exited brand member has to dispose of its brand-labelled stock'),
  IP_HASH_SALT: z
    .string()
    .min(8)
    .optional()
    .describe('salt of the hashed client IPs; unset: a random one made on first start and kept in the database'),
  WEBHOOKS_ALLOW_INSECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('development only: webhook subscriptions may use http and private or loopback addresses'),
  SUBSCRIPTIONS_PER_PARTY: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(20)
    .describe('webhook subscriptions one party (or a key of no party) may keep'),
  NAMED_QUERIES_PER_PARTY: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe('EPCIS named queries one party (or a key of no party) may keep'),
  QUERY_TIMEOUT_SECONDS: z.coerce
    .number()
    .min(0.001)
    .max(3600)
    .default(DEFAULT_QUERY_TIMEOUT_SECONDS)
    .describe(
      'PostgreSQL: how long one statement of an EPCIS query (GET /epcis/events and its kin, a named query, a subscription’s delivery) may run before it is cancelled and answered 413',
    ),
  WEBHOOK_DELIVERIES_PER_PROCESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(DEFAULT_DELIVERIES_PER_PROCESS)
    .describe('webhook subscriptions one service process delivers at once: a slow webhook holds one of them'),
  WEBHOOK_BACKOFF_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_RETRY_POLICY.maxDelayMs / 1000)
    .describe('the longest wait before a failed webhook delivery is tried again (waits double from 2 s, with jitter)'),
  WEBHOOK_STOP_AFTER_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(DEFAULT_RETRY_POLICY.maxFailures)
    .describe('failed deliveries in a row after which a webhook subscription is stopped until its owner resumes it'),
  WEBHOOK_STOP_AFTER_HOURS: z.coerce
    .number()
    .positive()
    .max(8760)
    .default(DEFAULT_RETRY_POLICY.maxFailingMs / 3_600_000)
    .describe('hours of failed deliveries without a success after which a webhook subscription is stopped until its owner resumes it'),
  YIELD_ALLOWANCES: parsedBy(parseYieldAllowances)
    .optional()
    .describe('yields allowed per transformation kind in mass balances, e.g. curing=0.5-0.7,smoking=0.6-0.95'),
  RECALL_DEADLINES: parsedBy(parseRecallDeadlines)
    .optional()
    .describe('when a recall must start (hours) and finish (working days) by level; unnamed levels keep 1=24h/10d,2=48h/20d,3=72h/30d'),
  CREDIT_RECOMPUTE_HOURS: z.coerce
    .number()
    .min(0)
    // a timer cannot wait longer than 2^31 ms (about 24 days)
    .max(576)
    .default(24)
    .describe('how often every enterprise’s credit score is recomputed and kept as history; 0 turns the timer off'),
  JOB_LEASE_SECONDS: z.coerce
    .number()
    .min(1)
    .max(3600)
    .default(DEFAULT_JOB_LEASE_SECONDS)
    .describe(
      'PostgreSQL: how long a capture or code job, or a webhook subscription being delivered, stays with a service process that stopped renewing its lease before another process takes it over',
    ),
  CONSUMER_CREDIT_GRADE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('show the producer’s credit grade on the consumer page'),
  SEED_DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

export type Config = z.infer<typeof configSchema>;

/** The names of every setting the service reads (README's configuration table and `.env.example` list them all). */
export const SETTING_NAMES = Object.keys(configSchema.shape);

/** Whether a URL's host is this machine only: a loopback address, `localhost` or a name under it (RFC 6761). */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}

/**
 * A warning for a start whose label links no phone could open: the service listens beyond this machine
 * (HOST not loopback) while the base URL printed on labels, PUBLIC_BASE_URL or this address by default,
 * names this machine only. Labels once printed cannot be taken back. Null when there is nothing to warn of.
 */
export function labelBaseUrlWarning(config: Pick<Config, 'HOST' | 'PUBLIC_BASE_URL'>): string | null {
  if (isLoopbackHost(config.HOST)) return null;
  const labels = config.PUBLIC_BASE_URL;
  if (labels !== undefined && !isLoopbackHost(new URL(labels).hostname)) return null;
  return labels === undefined
    ? `PUBLIC_BASE_URL is not set while the service listens on ${config.HOST}: labels and scan links name this machine's own address (localhost), which no phone can open; set it to the address consumers reach, e.g. https://fj.example.cn`
    : `PUBLIC_BASE_URL ${labels} names this machine only while the service listens on ${config.HOST}: labels printed now carry a link no phone can open; set it to the address consumers reach, e.g. https://fj.example.cn`;
}

/**
 * Variables of the environment that name no setting but nearly name one (DATABSE_URL, SEED_DEMOS), each
 * with the setting it likely meant: read as unset, such a typo would start the service on defaults
 * (PGlite in DATA_DIR, say) without a word.
 */
export function misspelledSettings(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env).flatMap((name) => {
    if (SETTING_NAMES.includes(name)) return [];
    // a quarter of the name's length: PGPORT and PGHOST, libpq's own, are two edits from PORT and HOST
    const meant = closestMember(name, SETTING_NAMES, 1 / 4);
    return meant === undefined ? [] : [`${name} is no setting and is ignored; did you mean ${meant}?`];
  });
}

export class ConfigError extends SetupError {
  override name = 'ConfigError';
}

/** Settings from `.env` in the working directory, when there is one (real environment variables win). */
export function loadEnvFile(path = '.env'): void {
  if (!existsSync(path)) return;
  // e.g. the folder a bind mount of a missing file leaves, which Node would report with a stack trace
  if (!statSync(path).isFile()) throw new ConfigError(`${path}: cannot be read as a settings file (it is not a file)`);
  try {
    process.loadEnvFile(path);
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read as a settings file: ${(error as Error).message}`);
  }
}

/** Reads the environment once; a bad value stops start-up with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // a blank is no setting: read as a number it would be 0 (any free port, no credit recompute)
  const emptyAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
  const parsed = configSchema.safeParse(emptyAsUnset);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
