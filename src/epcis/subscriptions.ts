import { createHash, createHmac, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { and, eq, isNotNull, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Principal, Role } from '../access/index.js';
import { anyOf } from '../db/chunk.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { type Answered, type IdempotentRequest, keptAnswer, once, written } from '../db/idempotency.js';
import { type JobLease, jobLease, leaseEnd } from '../db/leases.js';
import { apiKeys, epcisQueries, epcisSubscriptions } from '../db/schema.js';
import { DEFAULT_RECORD_LAG_MS, settledBefore } from '../db/settled.js';
import { badRequest, conflict, type FieldProblem, notFound, Problem, unprocessable } from '../errors/problem.js';
import {
  decodePageToken,
  type EventQuery,
  encodeQueryPageToken,
  type PageCursor,
  parseEventQuery,
  storedQueryParams,
} from './query-params.js';
import type { EpcisService, ResolvedQuery } from './service.js';
import {
  createWebhookSender,
  DeliveryError,
  type DeliveryLimits,
  destinationProblem,
  destinationShapeProblem,
  type WebhookPolicy,
} from './webhooks.js';

export type QueryRow = typeof epcisQueries.$inferSelect;
export type SubscriptionRow = typeof epcisSubscriptions.$inferSelect;
export type Schedule = Partial<Record<'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek', string>>;

/** What a look for due subscriptions knows of the keys they stand on (see keysOf). */
type RoundKeys = { valid: Set<string>; held: Set<string> };
/**
 * One look for due subscriptions: when it was taken, where its delivery windows end, the keys as
 * they stood, and how many of the subscriptions it queued have not ended yet.
 */
type Look = { at: Date; windowEnd: Date; keys: RoundKeys; left: number; failure?: { error: unknown }; settle: () => void };
const heldKey = (partyCode: string, role: string) => `${partyCode}\u0000${role}`;

const SCHEDULE_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
const BATCH = 1000;
/** Subscriptions a process delivers at once, unless configured (WEBHOOK_DELIVERIES_PER_PROCESS): a slow webhook holds one place, the others go on. */
export const DEFAULT_DELIVERIES_PER_PROCESS = 4;
/** Subscriptions a party (or a key of no party) may keep, unless configured (SUBSCRIPTIONS_PER_PARTY). */
export const DEFAULT_SUBSCRIPTIONS_PER_PARTY = 20;
/** Named queries a party (or a key of no party) may keep, unless configured (NAMED_QUERIES_PER_PARTY). */
export const DEFAULT_NAMED_QUERIES_PER_PARTY = 100;
/**
 * Destinations' names a process checks at once when subscriptions are made: past it a request is a
 * 429 at once, rather than waiting (each check ends within its time, LOOKUP_TIMEOUT_MS).
 */
export const DESTINATION_CHECKS_AT_ONCE = 16;
/**
 * How failed deliveries are tried again, and when they are given up: a subscription whose webhook
 * failed `maxFailures` times in a row, or has not taken a delivery for `maxFailingMs`, is stopped
 * (as one whose webhook answered 410 Gone is at once) until its owner resumes it.
 */
export type RetryPolicy = {
  /** The longest wait between two attempts (WEBHOOK_BACKOFF_MAX_SECONDS). */
  maxDelayMs: number;
  /** Failed attempts in a row after which the subscription is stopped (WEBHOOK_STOP_AFTER_FAILURES). */
  maxFailures: number;
  /** How long after its first failed attempt in a row the subscription is stopped, failing still (WEBHOOK_STOP_AFTER_HOURS). */
  maxFailingMs: number;
};
/** Unless configured: waits of at most 5 min, stopped after 24 h failing (about 400 attempts) or 500 attempts in a row. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxDelayMs: 5 * 60_000, maxFailures: 500, maxFailingMs: 24 * 3_600_000 };
/** The wait after a first failed attempt, doubled after each further one. */
const FIRST_RETRY_MS = 2000;

/**
 * How long to wait before attempting again after the `failures`-th failed attempt in a row: 2 s,
 * 4 s, 8 s … up to `maxDelayMs`, of which the second half is drawn at random (`random` in [0, 1)),
 * so that the subscribers of one outage do not all come back at the same moment, and none sooner
 * than half its wait.
 */
export function retryDelayMs(failures: number, maxDelayMs: number, random: () => number = Math.random): number {
  const wait = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), maxDelayMs);
  return Math.round(wait / 2 + random() * (wait / 2));
}

/** A duration as a stop reason says it: in hours, or in minutes or seconds when shorter. */
const spanOf = (ms: number) =>
  ms >= 3_600_000
    ? `${Number((ms / 3_600_000).toFixed(1))} h`
    : ms >= 60_000
      ? `${Number((ms / 60_000).toFixed(1))} min`
      : `${ms / 1000} s`;

/** Why a delivery failed, as its owner is shown it (`lastError`): an answer's status, or a failure told without a secret. */
class DeliveryFailed extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * What the owner is shown of a failed post: this service's own words (a refused address, a time
 * bound), or the kind of network or TLS failure (its code, e.g. ECONNREFUSED, CERT_HAS_EXPIRED):
 * never a message written elsewhere, which might carry what the owner should not see.
 */
function postFailure(error: unknown): DeliveryFailed {
  // the original goes to the log as the cause: the address, port or TLS detail the operator needs
  const cause = { cause: error };
  if (error instanceof DeliveryError) return new DeliveryFailed(error.message, undefined, cause);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return new DeliveryFailed(`network error ${code}`, undefined, cause);
  return new DeliveryFailed('could not be sent', undefined, cause);
}

/** A delivery's failure as `lastError` says it (one of this service's own, a database's, is told only in the log). */
const lastErrorOf = (error: unknown) =>
  error instanceof DeliveryFailed
    ? error.message
    : error instanceof Problem
      ? error.message
      : 'failed in the service (its log tells why); it is tried again';

/** Owners of named queries made with a key of no party (an admin's, a regulator's without a party) are that key. */
const KEY_OWNER = 'key:';

const SCHEDULE_RANGES: Record<(typeof SCHEDULE_FIELDS)[number], [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  // the standard's: 1 through 7, Monday through Sunday (EPCIS 8.2.5.3, as ISO 8601 numbers them)
  dayOfWeek: [1, 7],
};

/**
 * The numbers and ranges of a schedule field, each as [from, to]: a comma-separated list of numbers
 * and ranges, a range written as the EPCIS standard writes it, `[9-17]` (EPCIS 2.0 8.2.5.3, the REST
 * binding's GS1-Query-Hour), or bare, `9-17`; null when it is neither.
 */
function scheduleParts(spec: string): [from: number, to: number][] | null {
  const parts: [number, number][] = [];
  for (const part of spec.split(',')) {
    const match = /^(?:(\d{1,2})|\[(\d{1,2})-(\d{1,2})\]|(\d{1,2})-(\d{1,2}))$/.exec(part);
    if (!match) return null;
    const [, single, bracketFrom, bracketTo, from = bracketFrom ?? single, to = bracketTo ?? single] = match;
    parts.push([Number(from), Number(to)]);
  }
  return parts;
}

/** Why a schedule field can never be met as written (not `*`, a number, a list or a range within its bounds), or null. */
export function scheduleFieldProblem(field: (typeof SCHEDULE_FIELDS)[number], spec: string): string | null {
  const [min, max] = SCHEDULE_RANGES[field];
  const problem = `must be *, a number ${min}…${max}, a list 1,15 or a range [9-17]`;
  if (spec === '*') return null;
  const parts = scheduleParts(spec);
  if (!parts) return problem;
  return parts.every(([from, to]) => from >= min && to <= max && from <= to) ? null : problem;
}

/**
 * Does some day match the schedule's dayOfMonth, month and dayOfWeek (its other fields, each met by
 * itself, are met every day)? The days of 28 years from 2000 repeat every weekday of every date,
 * 29 February included, until 2100.
 */
function fallsOnSomeDay(schedule: Schedule): boolean {
  const dated = { dayOfMonth: schedule.dayOfMonth, month: schedule.month, dayOfWeek: schedule.dayOfWeek };
  const start = Date.UTC(2000, 0, 1);
  for (let day = 0; day < 28 * 366; day++) if (scheduleMatches(dated, new Date(start + day * 86_400_000))) return true;
  return false;
}

/** Does `at` (UTC) fall on the schedule? Each field is '*', a number, a list `1,15` or a range `[9-17]` (or `9-17`). */
export function scheduleMatches(schedule: Schedule, at: Date): boolean {
  const now: Record<(typeof SCHEDULE_FIELDS)[number], number> = {
    second: at.getUTCSeconds(),
    minute: at.getUTCMinutes(),
    hour: at.getUTCHours(),
    dayOfMonth: at.getUTCDate(),
    month: at.getUTCMonth() + 1,
    dayOfWeek: at.getUTCDay() || 7,
  };
  return SCHEDULE_FIELDS.every((field) => {
    const spec = schedule[field];
    if (spec === undefined || spec === '*') return true;
    return (scheduleParts(spec) ?? []).some(([from, to]) => now[field] >= from && now[field] <= to);
  });
}

/** The slot a scheduled delivery belongs to, so one slot is delivered once. */
const slotOf = (schedule: Schedule, at: Date) => at.toISOString().slice(0, schedule.second !== undefined ? 19 : 16);
/** When the slot `at` falls in began (the second or the minute slotOf names). */
const slotStart = (schedule: Schedule, at: Date) => {
  const unit = schedule.second !== undefined ? 1000 : 60_000;
  return new Date(Math.floor(at.getTime() / unit) * unit);
};

/** What a subscription request asks for (the body of POST /epcis/queries/{queryName}/subscriptions). */
export type SubscriptionRequest = {
  dest: string;
  signatureToken?: string;
  stream?: boolean;
  schedule?: Schedule;
  reportIfEmpty?: boolean;
  initialRecordTime?: string;
};

/**
 * The faults of a subscription request's shape, each with its field: a destination that is no
 * https URL (or carries credentials, names a metadata service, writes a private address), a
 * schedule field that can never be met, neither or both of stream and schedule. Pure: no DNS, no
 * database, so a malformed request is answered at once and whatever its named query.
 */
export function subscriptionRequestProblems(input: SubscriptionRequest, policy: WebhookPolicy): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const dest = destinationShapeProblem(input.dest, policy);
  if (dest) problems.push({ in: 'body', pointer: '/dest', detail: dest });
  for (const field of SCHEDULE_FIELDS) {
    const spec = input.schedule?.[field];
    const problem = spec === undefined ? null : scheduleFieldProblem(field, spec);
    if (problem) problems.push({ in: 'body', pointer: `/schedule/${field}`, detail: problem });
  }
  if (input.schedule && !problems.some((problem) => problem.pointer.startsWith('/schedule/')) && !fallsOnSomeDay(input.schedule))
    problems.push({ in: 'body', pointer: '/schedule', detail: 'its dayOfMonth, month and dayOfWeek never fall on one day' });
  if (input.stream && input.reportIfEmpty)
    problems.push({
      in: 'body',
      pointer: '/reportIfEmpty',
      detail: 'is for a schedule: a stream sends when events are recorded, and would send an empty report every second',
    });
  if (Boolean(input.stream) === Boolean(input.schedule))
    problems.push({
      in: 'body',
      pointer: '/stream',
      detail: 'a subscription is either stream: true or has a schedule, not both or neither',
    });
  return problems;
}

/**
 * Does the subscription send a report when its query finds nothing: a scheduled one asked to. A
 * stream sends when events are recorded; an empty report would go at every look, once a second
 * (one stored before a stream was refused reportIfEmpty keeps the flag, and sends none).
 */
const reportsEmpty = (subscription: SubscriptionRow) => subscription.reportIfEmpty === 1 && subscription.stream !== 1;

export const signBody = (body: string, token: string) => createHmac('sha256', token).update(body).digest('hex');

/**
 * Is the subscription to be delivered at `at`: a stream, a retry whose time has come, or a
 * schedule's slot not yet delivered?
 */
function isDue(subscription: SubscriptionRow, at: Date): boolean {
  if (subscription.stoppedAt) return false;
  if (subscription.nextAttemptAt && subscription.nextAttemptAt > at) return false;
  return Boolean(
    subscription.stream ||
      subscription.failures > 0 ||
      (subscription.schedule && scheduleMatches(subscription.schedule, at) && subscription.lastSlot !== slotOf(subscription.schedule, at)),
  );
}

export function createSubscriptionService(deps: {
  db: Db;
  epcis: Pick<EpcisService, 'resolveQuery' | 'queryResolved' | 'queryDocument' | 'checkOwnUris'>;
  webhooks: WebhookPolicy;
  /** How long a delivery may take and how much of its answer is read (the sender's defaults otherwise). */
  deliveryLimits?: DeliveryLimits;
  now?: () => Date;
  /** How far behind "now" a delivery window ends at the least (DEFAULT_RECORD_LAG_MS unless set). */
  lagMs?: number;
  /** Subscriptions one party (or a key of no party) may keep (DEFAULT_SUBSCRIPTIONS_PER_PARTY unless set). */
  perParty?: number;
  /** Named queries one party (or a key of no party) may keep (DEFAULT_NAMED_QUERIES_PER_PARTY unless set). */
  queriesPerParty?: number;
  /** Subscriptions this process delivers at once (DEFAULT_DELIVERIES_PER_PROCESS unless set). */
  deliveriesAtOnce?: number;
  /** Destinations' names checked at once when subscribing (DESTINATION_CHECKS_AT_ONCE unless set). */
  destinationChecksAtOnce?: number;
  /** How failed deliveries are retried and given up (DEFAULT_RETRY_POLICY for what is not given). */
  retry?: Partial<RetryPolicy>;
  /** The random draw of a retry's jitter, in [0, 1) (Math.random unless given). */
  random?: () => number;
  /** This process's hold on the subscriptions it delivers (see src/db/leases.ts); its own one unless given. */
  lease?: JobLease;
  log?: { warn: (object: object, message: string) => void };
}) {
  const { db } = deps;
  const lease = deps.lease ?? jobLease();
  const lagMs = deps.lagMs ?? DEFAULT_RECORD_LAG_MS;
  const perParty = deps.perParty ?? DEFAULT_SUBSCRIPTIONS_PER_PARTY;
  const queriesPerParty = deps.queriesPerParty ?? DEFAULT_NAMED_QUERIES_PER_PARTY;
  const deliveriesAtOnce = deps.deliveriesAtOnce ?? DEFAULT_DELIVERIES_PER_PROCESS;
  const destinationChecksAtOnce = deps.destinationChecksAtOnce ?? DESTINATION_CHECKS_AT_ONCE;
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...Object.fromEntries(Object.entries(deps.retry ?? {}).filter(([, value]) => value !== undefined)),
  };
  const random = deps.random ?? Math.random;
  /** Destinations' names being checked for subscriptions being made (deliveries check theirs in their own places). */
  let checking = 0;
  const now = deps.now ?? (() => new Date());
  const post = createWebhookSender(deps.webhooks, deps.deliveryLimits);
  const ownerOf = (principal: Principal) => principal.partyCode ?? `${KEY_OWNER}${principal.keyId}`;
  /**
   * The named queries a key reaches: its owner's made with a key of its role. A party's operator and
   * regulator keys (a regulator party records its tests with an operator key) share an owner, but a
   * query is run and delivered with the reading scope of the role that made it: an operator key
   * reaching a regulator's query could subscribe to every party's events.
   */
  const reachable = (principal: Principal) => and(eq(epcisQueries.owner, ownerOf(principal)), eq(epcisQueries.role, principal.role));
  /**
   * Whose Idempotency-Keys a query or subscription is made under: its owner's in its role, as `reachable`
   * reaches queries: a party's operator key sending what its regulator key made is another request, not a
   * replay of a query it cannot reach.
   */
  const keysOwnerOf = (principal: Principal) => `${ownerOf(principal)} ${principal.role}`;
  /**
   * The keys the subscriptions of a look stand on, read once for the look (one statement, by the
   * keys' ids and their parties' index): which keys of no party are still valid, and which roles
   * each party still holds a valid key of.
   */
  async function keysOf(subscriptions: SubscriptionRow[]): Promise<RoundKeys> {
    const keyIds = new Set<string>();
    const partyCodes = new Set<string>();
    for (const { owner } of subscriptions) {
      if (owner.startsWith(KEY_OWNER)) keyIds.add(owner.slice(KEY_OWNER.length));
      else partyCodes.add(owner);
    }
    const rows = await db
      .select({ id: apiKeys.id, partyCode: apiKeys.partyCode, role: apiKeys.role })
      .from(apiKeys)
      .where(and(isNull(apiKeys.revokedAt), or(anyOf(apiKeys.id, [...keyIds]), anyOf(apiKeys.partyCode, [...partyCodes]))));
    return {
      valid: new Set(rows.map((row) => row.id)),
      held: new Set(rows.filter((row) => row.partyCode !== null).map((row) => heldKey(row.partyCode as string, row.role))),
    };
  }
  let timer: NodeJS.Timeout | null = null;

  /** Where a delivery window may end now: before any write still in flight (see settledBefore). */
  const windowEndAt = (at: Date) => settledBefore(db, at, lagMs);

  /**
   * Makes the owner's subscriptions and named queries wait for this transaction: a subscription or a
   * named query made, counted against its limit, and the deletion of a named query with its
   * subscriptions each happen whole, one after the other.
   */
  const lockSubscriptionsOf = (tx: Pick<Db, 'execute'>, owner: string) =>
    tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`epcis_subscriptions:${owner}`}))`);

  /** How many subscriptions `owner` keeps. */
  async function subscriptionsOf(on: Pick<Db, 'select'>, owner: string): Promise<number> {
    const [{ count }] = await on
      .select({ count: sql<number>`count(*)::int` })
      .from(epcisSubscriptions)
      .where(eq(epcisSubscriptions.owner, owner));
    return count;
  }
  const limitReached = () =>
    new Problem(
      409,
      'subscription-limit',
      'Too many subscriptions',
      `a party keeps at most ${perParty} subscriptions (SUBSCRIPTIONS_PER_PARTY); delete one to make another`,
    );

  async function namedQuery(principal: Principal, name: string): Promise<QueryRow> {
    const [row] = await db
      .select()
      .from(epcisQueries)
      .where(and(reachable(principal), eq(epcisQueries.name, name)));
    if (!row) throw notFound(`no named query ${name}`);
    return row;
  }

  const noSubscription = (name: string, id: string) => notFound(`no subscription ${id} on ${name}`);

  /**
   * Where one subscription of the key's, of a named query it reaches: a query it does not reach is
   * the subscription's 404, whoever's the query is, as a subscription of another's is.
   */
  async function oneSubscriptionOf(principal: Principal, name: string, id: string) {
    try {
      await namedQuery(principal, name);
    } catch (error) {
      if (error instanceof Problem && error.status === 404) throw noSubscription(name, id);
      throw error;
    }
    return and(eq(epcisSubscriptions.owner, ownerOf(principal)), eq(epcisSubscriptions.queryName, name), eq(epcisSubscriptions.id, id));
  }

  /**
   * A named query to run or subscribe to. One stored before a rule it breaks existed (a time bound
   * without its offset, a URI of this service's naming none of its codes) is a 422 naming the stored
   * parameter, not a fault of the request at hand.
   */
  async function runnableQuery(principal: Principal, name: string): Promise<QueryRow> {
    const row = await namedQuery(principal, name);
    try {
      const at = { in: 'named query', pointer: '/query' };
      deps.epcis.checkOwnUris(parseEventQuery(row.params, at), at);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      throw unprocessable(
        'named-query-invalid',
        `the named query ${name} no longer runs (${error.detail}); delete it and create it again`,
        error.errors,
      );
    }
    return row;
  }

  /**
   * Refuses a destination deliveries may not go to now: its shape, then what its name resolves to, a
   * bounded number at once (each holds a query to the name servers for up to its time). Subscribing,
   * a 400 naming the body's `/dest`; resuming, a 422 naming the stored subscription's, as a stored
   * query that no longer runs is (no fault of the request at hand).
   */
  async function checkDestination(dest: string, stored = false): Promise<void> {
    if (checking >= destinationChecksAtOnce)
      throw new Problem(
        429,
        'too-many-requests',
        'Too many requests',
        'too many destinations are being checked at once; try again shortly',
      );
    checking++;
    let refused: string | null;
    try {
      refused = await destinationProblem(dest, deps.webhooks);
    } finally {
      checking--;
    }
    if (!refused) return;
    if (stored)
      throw unprocessable('destination-refused', `the subscription's dest ${refused}; delete it and subscribe again`, [
        { in: 'subscription', pointer: '/dest', detail: refused },
      ]);
    throw badRequest(`dest ${refused}`, [{ in: 'body', pointer: '/dest', detail: refused }]);
  }

  /** The subscription's row, while this process holds it. */
  const held = (subscription: SubscriptionRow) =>
    and(eq(epcisSubscriptions.id, subscription.id), eq(epcisSubscriptions.claimedBy, lease.owner));
  const released = { claimedBy: null, leaseUntil: null };

  /** What a subscription is delivered as: its named query, run with the reading scope of the key that made it. */
  type Standing = { query: QueryRow; principal: Principal };
  /**
   * A subscription's named query as a look resolves it (see EpcisService.resolveQuery) and a digest
   * of what it resolved to (`names`), or why its stored query no longer runs.
   */
  type Resolved = { stored: EventQuery; query: ResolvedQuery; names: string } | { problem: unknown };

  async function resolve({ query, principal }: Standing): Promise<Resolved> {
    let stored: EventQuery;
    try {
      stored = parseEventQuery(query.params);
    } catch (problem) {
      return { problem };
    }
    try {
      const resolved = await deps.epcis.resolveQuery(principal, stored);
      return { stored, query: resolved, names: createHash('sha256').update(JSON.stringify(resolved)).digest('base64') };
    } catch (error) {
      if (error instanceof Problem) return { problem: error };
      throw error;
    }
  }

  /**
   * Whether the subscription is delivered now, told without claiming it: its named query and who it
   * runs as, or null when it is paused (its `lastError` says why, written once, not at every look)
   * or has ended (a revoked key of no party's, deleted).
   */
  async function standingOf(subscription: SubscriptionRow, keys: RoundKeys): Promise<Standing | null> {
    const [query] = await db
      .select()
      .from(epcisQueries)
      .where(and(eq(epcisQueries.owner, subscription.owner), eq(epcisQueries.name, subscription.queryName)));
    if (!query) return null;
    // a key of no party owns its queries alone: once it is revoked, its subscriptions end (nobody
    // could list or delete them any more, and each look would read them again for nothing)
    if (query.owner.startsWith(KEY_OWNER) && !keys.valid.has(query.owner.slice(KEY_OWNER.length))) {
      await db.delete(epcisSubscriptions).where(eq(epcisSubscriptions.id, subscription.id));
      return null;
    }
    const paused = pauseOf(subscription, query, keys);
    if (paused) {
      // a pause is no failure of the webhook's: WEBHOOK_STOP_AFTER_HOURS counts again from the first failure after it
      if (subscription.lastError !== paused || subscription.failingSince !== null)
        await db
          .update(epcisSubscriptions)
          .set({ lastError: paused, failingSince: null })
          .where(eq(epcisSubscriptions.id, subscription.id));
      return null;
    }
    return { query, principal: { keyId: 'subscription', role: query.role as Role, partyCode: query.partyCode } };
  }

  /** Why the subscription waits (its `lastError`), or null when it is delivered. */
  function pauseOf(subscription: SubscriptionRow, query: QueryRow, keys: RoundKeys): string | null {
    // made with a key of another role than the query's (possible before a key reached only its own
    // role's queries; migration 0033 found those it could): paused for good, said where the query's
    // role lists it, so that a key of that role may end it
    if (subscription.role !== null && subscription.role !== query.role)
      return `paused: subscribed with a key of another role than the ${query.role} key that made the named query; a ${query.role} key may delete it and subscribe again`;
    // made before subscriptions recorded their key's role, while the party held keys of both roles:
    // an operator key may have made it, so a regulator's query (every party's events) waits for a
    // regulator key to subscribe again
    if (subscription.role === null && query.role === 'regulator' && !query.owner.startsWith(KEY_OWNER))
      return 'paused: made before subscriptions recorded the role of their key, by an operator or a regulator key; a regulator key may delete it and subscribe again';
    // a party's query is delivered while the party holds a valid key of the role that made it: once
    // its regulator key is revoked, a regulator party's subscription no longer sends every party's
    // events (its operator keys reach none of that role's queries); it goes on from where it stopped
    // when the party is issued such a key again, whose holder may end it
    if (!query.owner.startsWith(KEY_OWNER) && query.partyCode && !keys.held.has(heldKey(query.partyCode, query.role)))
      // said where the subscription is listed, so that the holder of a new key sees why nothing came
      return `paused: the party holds no valid ${query.role} key`;
    return null;
  }

  /** A delivery's window: events recorded from `from` until `windowEnd`, narrowed by the query's own recordTime bounds. */
  const windowOf = (stored: EventQuery, from: Date, windowEnd: Date) => ({
    recordTimeFrom: stored.recordTimeFrom && stored.recordTimeFrom > from ? stored.recordTimeFrom : from,
    recordTimeBefore: stored.recordTimeBefore && stored.recordTimeBefore < windowEnd ? stored.recordTimeBefore : windowEnd,
  });

  /**
   * Does the subscription have something to send from `from` until `windowEnd`: a retry whose time
   * has come, a report asked for even when empty, or an event in its window? Read only, so that a
   * subscription with nothing new is not claimed (two writes) at every look.
   */
  async function hasWork(subscription: SubscriptionRow, resolved: Resolved, from: Date, windowEnd: Date): Promise<boolean> {
    if (windowEnd <= from) return false;
    if (subscription.failures > 0 || reportsEmpty(subscription)) return true;
    // a stored query that no longer runs: the delivery records why
    if ('problem' in resolved) return true;
    try {
      const { events } = await deps.epcis.queryResolved({ ...resolved.query, ...windowOf(resolved.stored, from, windowEnd), limit: 1 });
      return events.length > 0;
    } catch (error) {
      // the query ran past the query timeout: the delivery runs it again and records its failure
      // (retries then skip this look), as it does a stored query that no longer runs
      if (error instanceof Problem) return true;
      throw error;
    }
  }

  /**
   * Runs a subscription once, this process holding it (see claimAndDeliver): events recorded since
   * `from` (its cursor, or later when this process found nothing before for the query as it
   * resolves now) go to `dest`, page by page, the query as `resolved` by the look that found them;
   * the cursor moves only when every page was accepted (2xx), so delivery is at least once. The
   * window ends at `windowEnd` (see windowEndAt and windowEndOf), before any write still in flight.
   * Lets go of the subscription with its last write.
   */
  async function deliver(subscription: SubscriptionRow, resolved: Resolved, from: Date, at: Date, windowEnd: Date): Promise<void> {
    const slot = subscription.schedule ? slotOf(subscription.schedule, at) : null;
    try {
      if ('problem' in resolved) throw resolved.problem;
      const { stored, query } = resolved;
      const window = windowOf(stored, from, windowEnd);
      let after: PageCursor | undefined;
      let pages = 0;
      do {
        const result = await deps.epcis.queryResolved({ ...query, ...window, after, limit: BATCH });
        if (result.events.length === 0 && (pages > 0 || !reportsEmpty(subscription))) break;
        const body = JSON.stringify(
          deps.epcis.queryDocument(result, { queryName: subscription.queryName, subscriptionID: subscription.id }),
        );
        const headers: Record<string, string> = {
          'content-type': 'application/ld+json',
          'GS1-EPCIS-Version': '2.0.0',
          'GS1-CBV-Version': '2.0.0',
        };
        if (subscription.signatureToken) headers['GS1-Signature'] = signBody(body, subscription.signatureToken);
        // checked again at every delivery: what a name resolves to can change
        const refused = await destinationProblem(subscription.dest, deps.webhooks);
        if (refused) throw new DeliveryFailed(`the destination ${refused}`);
        // renewed before each page: a page sent after another process took the subscription over
        // (this one stalled past its lease, or a stop let go of it) would be sent twice
        const renewed = await db
          .update(epcisSubscriptions)
          .set({ leaseUntil: leaseEnd(lease) })
          .where(held(subscription))
          .returning({
            id: epcisSubscriptions.id,
          });
        if (renewed.length === 0) {
          deps.log?.warn(
            { subscription: subscription.id, pages },
            'webhook delivery taken over by another process, let go or deleted; stopped',
          );
          return;
        }
        const status = await post(subscription.dest, body, headers, cutOff.signal).catch((error) => {
          throw cutOff.signal.aborted ? error : postFailure(error);
        });
        if (status < 200 || status >= 300) throw new DeliveryFailed(`webhook answered ${status}`, status);
        pages++;
        after = result.nextPageToken ? decodePageToken(result.nextPageToken, stored.order) : undefined;
      } while (after);
      // only while this process holds it: one that took it over (this one stalled past its lease)
      // delivers the window again rather than have it skipped
      await db
        .update(epcisSubscriptions)
        .set({ cursor: windowEnd, failures: 0, lastError: null, nextAttemptAt: null, failingSince: null, lastSlot: slot, ...released })
        .where(held(subscription));
    } catch (error) {
      if (cutOff.signal.aborted) {
        // not the webhook's failure: the window is sent again, whole, by the process that takes it
        deps.log?.warn({ subscription: subscription.id }, 'webhook delivery cut off by the stop; let go');
        await db.update(epcisSubscriptions).set(released).where(held(subscription));
        return;
      }
      // from when it failed: the check that queued it may be seconds older
      const failedAt = now();
      const failures = subscription.failures + 1;
      // the webhook's failures (its answer, the way to it) stop a subscription; the service's own (a
      // query that no longer runs, the database away) are retried with the same waits, and stop none
      const webhooks = error instanceof DeliveryFailed;
      const failingSince = webhooks ? (subscription.failingSince ?? failedAt) : subscription.failingSince;
      const stopReason = !webhooks
        ? null
        : error.status === 410
          ? 'the webhook answered 410 Gone'
          : failures >= retry.maxFailures
            ? `${failures} deliveries in a row failed (WEBHOOK_STOP_AFTER_FAILURES)`
            : failingSince !== null && failedAt.getTime() - failingSince.getTime() >= retry.maxFailingMs
              ? `no delivery succeeded for ${spanOf(retry.maxFailingMs)} (WEBHOOK_STOP_AFTER_HOURS)`
              : null;
      if (stopReason)
        deps.log?.warn({ subscription: subscription.id, failures, err: error, stopReason }, 'webhook delivery failed; stopped');
      else deps.log?.warn({ subscription: subscription.id, failures, err: error }, 'webhook delivery failed; will retry');
      await db
        .update(epcisSubscriptions)
        .set({
          failures,
          lastError: lastErrorOf(error),
          failingSince,
          nextAttemptAt: stopReason ? null : new Date(failedAt.getTime() + retryDelayMs(failures, retry.maxDelayMs, random)),
          stoppedAt: stopReason ? failedAt : null,
          stopReason,
          ...released,
        })
        .where(held(subscription));
    }
  }

  /**
   * Where this process may claim a subscription: nobody holds it, its holder's lease has ended (the
   * process died), or this process holds it without delivering it (a release that failed). On
   * PGlite this process is the only one: what a process before it held is its own.
   */
  const free: SQL | undefined = lease.exclusive
    ? undefined
    : or(
        isNull(epcisSubscriptions.claimedBy),
        lt(epcisSubscriptions.leaseUntil, sql`now()`),
        eq(epcisSubscriptions.claimedBy, lease.owner),
      );
  const dueAt = (at: Date) =>
    and(isNull(epcisSubscriptions.stoppedAt), or(isNull(epcisSubscriptions.nextAttemptAt), lte(epcisSubscriptions.nextAttemptAt, at)));

  // Subscriptions are delivered by slots, `deliveriesAtOnce` of them: a slot that ends takes the
  // next queued subscription at once, so a slow webhook holds its own slot and nobody else's.
  const queue: { id: string; look: Look }[] = [];
  /** Subscriptions this process has queued or delivers now: a look does not queue them again. */
  const mine = new Set<string>();
  /** Those it holds (claimed), whose leases it renews. */
  const holding = new Set<string>();
  /**
   * Up to when this process found nothing for a subscription to send, and what its query resolved
   * to then: the next look searches from there rather than from its cursor, which stays where it is
   * (moving it would be a write a look), while the query resolves to the same. Once its names stand
   * for other lots or sites (a lot's number corrected to one it asks for), events recorded before
   * may match: the look searches from the cursor again, as a process that never looked does.
   */
  const nothingUntil = new Map<string, { until: Date; names: string }>();
  const searchFrom = (subscription: SubscriptionRow, resolved: Resolved) => {
    const checked = nothingUntil.get(subscription.id);
    const same = checked && 'names' in resolved && checked.names === resolved.names;
    return same && checked.until > subscription.cursor ? checked.until : subscription.cursor;
  };
  /**
   * Where a subscription's window ends at a look: a scheduled one's where its slot began (`lagMs`
   * before, and never past a write in flight, as the look's), so that every look within the slot,
   * in any process, searches the same window: a slot whose look found nothing is done, and what is
   * recorded during it goes with the next slot.
   */
  const windowEndOf = (subscription: SubscriptionRow, look: Look) => {
    if (!subscription.schedule) return look.windowEnd;
    const slotEnd = new Date(slotStart(subscription.schedule, look.at).getTime() - lagMs);
    return slotEnd < look.windowEnd ? slotEnd : look.windowEnd;
  };
  const running = new Set<Promise<void>>();
  let stopping = false;
  /** Aborted when a stop lets go of the deliveries under way: their posts end at once. */
  const cutOff = new AbortController();
  // every post under way listens to it (up to WEBHOOK_DELIVERIES_PER_PROCESS at once)
  setMaxListeners(0, cutOff.signal);
  /** The timer's look under way, if any: the next waits for it rather than read the same rows twice. */
  let looking: Promise<unknown> | undefined;

  const ended = (look: Look) => {
    if (--look.left === 0) look.settle();
  };

  /**
   * Delivers the subscription if it has something to send as its row stands now (another process
   * may have delivered it meanwhile): first told by reading alone, so that a paused subscription,
   * or one with nothing new, is never written to; then claimed for this process (one statement
   * that takes it only where `free`, so two processes never both hold it), delivered and let go.
   */
  async function claimAndDeliver(id: string, look: Look): Promise<void> {
    const [row] = await db
      .select()
      .from(epcisSubscriptions)
      .where(and(eq(epcisSubscriptions.id, id), free, dueAt(look.at)));
    if (!row || !isDue(row, look.at)) return;
    const standing = await standingOf(row, look.keys);
    if (!standing) return;
    const resolved = await resolve(standing);
    const windowEnd = windowEndOf(row, look);
    const from = searchFrom(row, resolved);
    if (!(await hasWork(row, resolved, from, windowEnd))) {
      if (windowEnd > from && 'names' in resolved) nothingUntil.set(id, { until: windowEnd, names: resolved.names });
      return;
    }
    if (stopping) return;
    const [subscription] = await db
      .update(epcisSubscriptions)
      .set({ claimedBy: lease.owner, leaseUntil: leaseEnd(lease) })
      .where(and(eq(epcisSubscriptions.id, id), free, dueAt(look.at)))
      .returning();
    if (!subscription) return;
    holding.add(id);
    try {
      const start = searchFrom(subscription, resolved);
      nothingUntil.delete(id);
      // delivered meanwhile by another process (its slot, or its cursor past this window)
      if (isDue(subscription, look.at) && windowEnd > start) await deliver(subscription, resolved, start, look.at, windowEnd);
      else await db.update(epcisSubscriptions).set(released).where(held(subscription));
    } finally {
      holding.delete(id);
    }
  }

  function fillSlots() {
    while (!stopping && running.size < deliveriesAtOnce && queue.length > 0) {
      const { id, look } = queue.shift() as (typeof queue)[number];
      const run: Promise<void> = claimAndDeliver(id, look)
        .catch((error) => {
          look.failure ??= { error };
        })
        .finally(() => {
          running.delete(run);
          mine.delete(id);
          ended(look);
          fillSlots();
        });
      running.add(run);
    }
  }

  /**
   * A stopped subscription is never due, so standingOf never ends it with its key: those of a key of
   * no party's that was revoked (nobody could list, resume or delete them any more) end here.
   */
  async function endStoppedOfRevokedKeys(): Promise<void> {
    await db
      .delete(epcisSubscriptions)
      .where(
        and(
          isNotNull(epcisSubscriptions.stoppedAt),
          sql`${epcisSubscriptions.owner} like ${`${KEY_OWNER}%`}`,
          sql`not exists (select 1 from ${apiKeys} where ${KEY_OWNER} || ${apiKeys.id} = ${epcisSubscriptions.owner} and ${apiKeys.revokedAt} is null)`,
        ),
      );
  }

  /**
   * Looks for due subscriptions and queues those this process does not deliver already. `delivered`
   * resolves once each of them has been delivered (or left to the process that holds it), and
   * rejects with the first failure of the database.
   */
  async function queueDue(): Promise<{ delivered: Promise<void> }> {
    const at = now();
    await endStoppedOfRevokedKeys();
    const rows = await db
      .select()
      .from(epcisSubscriptions)
      .where(and(dueAt(at), free));
    // what was found of subscriptions since deleted, or held by another process, is of no more use
    const listed = new Set(rows.map((row) => row.id));
    for (const id of nothingUntil.keys()) if (!listed.has(id)) nothingUntil.delete(id);
    const due = rows.filter((subscription) => !mine.has(subscription.id) && isDue(subscription, at));
    if (due.length === 0) return { delivered: Promise.resolve() };
    // one bound for the look: a write starting after it records later than `at`, past every window
    const windowEnd = await windowEndAt(at);
    // the keys as the look is taken: one revoked later stops its subscriptions from the next look
    const keys = await keysOf(due);
    // queued meanwhile by another look
    const fresh = due.filter((subscription) => !mine.has(subscription.id));
    if (fresh.length === 0 || stopping) return { delivered: Promise.resolve() };
    const delivered = new Promise<void>((resolve, reject) => {
      const look: Look = {
        at,
        windowEnd,
        keys,
        left: fresh.length,
        settle: () => (look.failure ? reject(look.failure.error) : resolve()),
      };
      for (const { id } of fresh) {
        mine.add(id);
        queue.push({ id, look });
      }
      fillSlots();
    });
    return { delivered };
  }

  const service = {
    /**
     * Makes a named query. Under a key (see src/db/idempotency.ts), once: a retry is answered as the
     * query was made, not refused for its name being taken (by that very request), read before
     * anything else and claimed again in the transaction that stores the query.
     */
    async createQueryOnce(
      principal: Principal,
      name: string,
      params: Record<string, unknown>,
      idempotent: IdempotentRequest<QueryRow> | undefined,
    ): Promise<Answered<QueryRow>> {
      const kept = idempotent && (await keptAnswer(db, keysOwnerOf(principal), idempotent, now()));
      if (kept) return kept;
      const stored = storedQueryParams(params);
      // a URI of this service's naming none of its codes would make every run a 400
      deps.epcis.checkOwnUris(parseEventQuery(stored), { in: 'body', pointer: '/query' });
      // a name is its owner's, whichever of its roles made the query
      const existing = await db
        .select()
        .from(epcisQueries)
        .where(and(eq(epcisQueries.owner, ownerOf(principal)), eq(epcisQueries.name, name)));
      const taken = () => conflict(`a query named ${name} exists`, [{ in: 'body', pointer: '/name', detail: 'already used' }]);
      if (existing.length) throw taken();
      try {
        // counted and stored at once, after (or before) another request making one (see lockSubscriptionsOf)
        return await db.transaction((tx) =>
          once(tx, idempotent, keysOwnerOf(principal), now(), async () => {
            await lockSubscriptionsOf(tx, ownerOf(principal));
            const [{ count }] = await tx
              .select({ count: sql<number>`count(*)::int` })
              .from(epcisQueries)
              .where(eq(epcisQueries.owner, ownerOf(principal)));
            if (count >= queriesPerParty)
              throw new Problem(
                409,
                'named-query-limit',
                'Too many named queries',
                `a party keeps at most ${queriesPerParty} named queries (NAMED_QUERIES_PER_PARTY); delete one to make another`,
              );
            const [row] = await tx
              .insert(epcisQueries)
              .values({ owner: ownerOf(principal), name, role: principal.role, partyCode: principal.partyCode, params: stored })
              .returning();
            return row;
          }),
        );
      } catch (error) {
        // made at the same moment by another request, which passed the check above too: the key decides
        if (isUniqueViolation(error)) throw taken();
        throw error;
      }
    },
    /** Makes a named query (see createQueryOnce), with no key. */
    async createQuery(principal: Principal, name: string, params: Record<string, unknown>): Promise<QueryRow> {
      return written(await service.createQueryOnce(principal, name, params, undefined));
    },
    namedQuery,
    runnableQuery,
    /** A page of the named queries the key reaches, in the order of their names, after the name `after` ended the previous page. */
    async listQueries(principal: Principal, page: { limit: number; after?: string }) {
      const rows = await db
        .select()
        .from(epcisQueries)
        .where(and(reachable(principal), page.after === undefined ? undefined : sql`${epcisQueries.name} collate "C" > ${page.after}`))
        .orderBy(sql`${epcisQueries.name} collate "C"`)
        .limit(page.limit + 1);
      const queries = rows.slice(0, page.limit);
      return { queries, nextPageToken: rows.length > page.limit ? encodeQueryPageToken(queries[queries.length - 1].name) : null };
    },
    async deleteQuery(principal: Principal, name: string) {
      await namedQuery(principal, name);
      const owner = ownerOf(principal);
      // the query and its subscriptions at once, after (or before) a subscription being made to it
      // (see subscribe): one made meanwhile would outlive its query, unseen, counted, and
      // delivering a query made again under the name
      await db.transaction(async (tx) => {
        await lockSubscriptionsOf(tx, owner);
        const [deleted] = await tx
          .delete(epcisQueries)
          .where(and(reachable(principal), eq(epcisQueries.name, name)))
          .returning({ name: epcisQueries.name });
        if (!deleted) throw notFound(`no named query ${name}`);
        await tx.delete(epcisSubscriptions).where(and(eq(epcisSubscriptions.owner, owner), eq(epcisSubscriptions.queryName, name)));
      });
    },

    /**
     * Subscribes a webhook to a named query. Under a key (see src/db/idempotency.ts), once: a retry
     * is answered with the subscription first made, read before anything else (its destination is
     * not looked up again, nor the party's limit counted), and the key is claimed again first in the
     * transaction that adds the subscription, so the same request sent twice at once makes one.
     */
    async subscribeOnce(
      principal: Principal,
      name: string,
      input: SubscriptionRequest,
      idempotent: IdempotentRequest<SubscriptionRow> | undefined,
    ): Promise<Answered<SubscriptionRow>> {
      const owner = ownerOf(principal);
      const kept = idempotent && (await keptAnswer(db, keysOwnerOf(principal), idempotent, now()));
      if (kept) return kept;
      // the request's shape first, every fault of it at once: a malformed request waits on nothing
      const problems = subscriptionRequestProblems(input, deps.webhooks);
      if (problems.length > 0) throw badRequest(`${problems[0].pointer.slice(1)} ${problems[0].detail}`, problems);
      await runnableQuery(principal, name);
      // a party at its limit is told so before DNS is asked anything (counted again as it is added)
      if ((await subscriptionsOf(db, owner)) >= perParty) throw limitReached();
      // then what its name resolves to (again at every delivery, and when the delivery connects)
      await checkDestination(input.dest);
      // from where a delivery window would end now: every event committed after subscribing is delivered
      const cursor = input.initialRecordTime ? new Date(input.initialRecordTime) : await windowEndAt(now());
      return db.transaction((tx) =>
        once(tx, idempotent, keysOwnerOf(principal), now(), async () => {
          // the owner's subscriptions are counted and added one after the other, so that two made at
          // once cannot both take the last place
          await lockSubscriptionsOf(tx, owner);
          // the query may have been deleted since it was found (its destination's name took its time)
          const [query] = await tx
            .select({ name: epcisQueries.name })
            .from(epcisQueries)
            .where(and(reachable(principal), eq(epcisQueries.name, name)));
          if (!query) throw notFound(`no named query ${name}`);
          if ((await subscriptionsOf(tx, owner)) >= perParty) throw limitReached();
          const [row] = await tx
            .insert(epcisSubscriptions)
            .values({
              id: randomUUID(),
              owner,
              queryName: name,
              role: principal.role,
              dest: input.dest,
              signatureToken: input.signatureToken ?? null,
              stream: input.stream ? 1 : 0,
              schedule: input.schedule ?? null,
              reportIfEmpty: input.reportIfEmpty ? 1 : 0,
              cursor,
            })
            .returning();
          return row;
        }),
      );
    },
    /** Subscribes a webhook to a named query (see subscribeOnce), with no key. */
    async subscribe(principal: Principal, name: string, input: SubscriptionRequest): Promise<SubscriptionRow> {
      return written(await service.subscribeOnce(principal, name, input, undefined));
    },
    /** The subscriptions of a named query the key reaches (a 404 for one it does not, as the query itself). */
    async subscriptions(principal: Principal, name: string): Promise<SubscriptionRow[]> {
      await namedQuery(principal, name);
      return db
        .select()
        .from(epcisSubscriptions)
        .where(and(eq(epcisSubscriptions.owner, ownerOf(principal)), eq(epcisSubscriptions.queryName, name)));
    },
    /** One subscription of a named query the key reaches; a 404 for any other, whoever's it is. */
    async subscription(principal: Principal, name: string, id: string): Promise<SubscriptionRow> {
      const [row] = await db
        .select()
        .from(epcisSubscriptions)
        .where(await oneSubscriptionOf(principal, name, id));
      if (!row) throw noSubscription(name, id);
      return row;
    },
    /**
     * Resumes a stopped subscription from where its deliveries stopped (its cursor: nothing recorded
     * meanwhile is skipped), as one that never failed; one that is not stopped is left as it is.
     * What subscribing checked that may have changed since is checked again (its named query still
     * runs, its destination may be delivered to): a resume refused leaves it stopped.
     */
    async resume(principal: Principal, name: string, id: string): Promise<SubscriptionRow> {
      const where = await oneSubscriptionOf(principal, name, id);
      const [row] = await db.select().from(epcisSubscriptions).where(where);
      if (!row) throw noSubscription(name, id);
      if (!row.stoppedAt) return row;
      await runnableQuery(principal, name);
      await checkDestination(row.dest, true);
      const [resumed] = await db
        .update(epcisSubscriptions)
        .set({ stoppedAt: null, stopReason: null, failures: 0, failingSince: null, nextAttemptAt: null, lastError: null })
        .where(and(where, isNotNull(epcisSubscriptions.stoppedAt)))
        .returning();
      if (resumed) return resumed;
      // resumed or deleted meanwhile
      const [current] = await db.select().from(epcisSubscriptions).where(where);
      if (!current) throw noSubscription(name, id);
      return current;
    },
    async unsubscribe(principal: Principal, name: string, id: string) {
      const deleted = await db
        .delete(epcisSubscriptions)
        .where(await oneSubscriptionOf(principal, name, id))
        .returning();
      if (deleted.length === 0) throw noSubscription(name, id);
    },

    /**
     * Delivers the subscriptions due now and resolves once they have been delivered (tests call it;
     * the background loop looks on its own while deliveries are under way).
     */
    tick: async () => (await queueDue()).delivered,
    start(intervalMs: number) {
      const failed = (error: unknown) => deps.log?.warn({ err: error }, 'webhook subscriptions failed');
      timer = setInterval(() => {
        // a look queues and returns: its deliveries go on in their slots while the next looks run
        looking ??= queueDue()
          .then(({ delivered }) => void delivered.catch(failed), failed)
          .finally(() => {
            looking = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    /** Renews this process's leases on the subscriptions it delivers now (while it lives, nobody takes them over). */
    async renewLeases() {
      if (holding.size === 0) return;
      await db
        .update(epcisSubscriptions)
        .set({ leaseUntil: leaseEnd(lease) })
        .where(and(anyOf(epcisSubscriptions.id, [...holding]), eq(epcisSubscriptions.claimedBy, lease.owner)));
    },
    /**
     * Lets go of the subscriptions this process delivers now (a stop that cannot wait for their
     * webhooks any longer) and cuts their posts off: another process takes them at its next look,
     * not once their leases end, and sends their windows again from the first page (their cursors
     * moved only for windows delivered whole). Starts no more deliveries. Returns how many it let go.
     */
    async releaseLeases(): Promise<number> {
      stopping = true;
      // cut off first: a post still under way once another process may take the subscription
      // would interleave its pages with the other's
      cutOff.abort();
      const letGo = await db
        .update(epcisSubscriptions)
        .set(released)
        .where(eq(epcisSubscriptions.claimedBy, lease.owner))
        .returning({ id: epcisSubscriptions.id });
      return letGo.length;
    },
    /** Starts no more deliveries and waits for those under way (see releaseLeases for those that cannot end in time). */
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await looking;
      for (const { id, look } of queue.splice(0)) {
        mine.delete(id);
        ended(look);
      }
      await Promise.all(running);
    },
  };
  return service;
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
