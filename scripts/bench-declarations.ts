// Error declarations in one EPCIS document: a document of --events events alternating new events
// with stored events re-sent with an errorDeclaration, next to the same document re-sending them
// without one (a baseline measured in the same run).
//
//   npx tsx scripts/bench-declarations.ts [--events 2000]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_declarations_<random> database on that server,
// dropped at the end), else an in-memory PGlite. One processor party with a kg product (GTIN). For
// each document, half its events are commissions of lots (ObjectEvent ADD, 100 KGM of an LGTIN
// class) captured beforehand in a document of their own; the timed document alternates a new
// commission with one of those re-sent: with its errorDeclaration (each declares the stored event in
// error at its place in the document), or, for the baseline, as it is (a duplicate). Both are
// captured through the app (POST /epcis/capture, rollback on error) and timed from the POST to the
// job's success, the baseline first, after an untimed warm-up document. Timings never fail the
// process: it is a benchmark, not a test.
import { performance } from 'node:perf_hooks';
import { customAlphabet } from 'nanoid';
import { type App, buildApp } from '../src/app.js';
import { MOD31_CHARSET } from '../src/codes/mod31.js';
import { completeUscc } from '../src/codes/uscc.js';
import { CAPTURE_LIMIT_EVENTS } from '../src/epcis/service.js';
import { parseFlags } from './lib/args.js';
import { type Scratch, withScratchDatabase } from './lib/database.js';
import { CONTEXT, RAW_GTIN } from './lib/epcis-mix.js';
import { formatNumber, formatRatio, printTable } from './lib/report.js';

const flags = parseFlags({ events: 2000 });
const PAIRS = Math.floor(Math.min(flags.events, CAPTURE_LIMIT_EVENTS) / 2);

type Json = Record<string, unknown>;

async function call(
  app: App,
  key: string,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: Json }> {
  const reply = await app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${key}`,
      ...(payload === undefined ? {} : { 'content-type': url === '/epcis/capture' ? 'application/ld+json' : 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
  return { status: reply.statusCode, body: reply.body ? (JSON.parse(reply.body) as Json) : {} };
}

async function expect(reply: Promise<{ status: number; body: Json }>, status: number, what: string): Promise<Json> {
  const result = await reply;
  if (result.status !== status)
    throw new Error(`${what}: expected ${status}, got ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
  return result.body;
}

const documentOf = (eventList: Json[]): Json => ({
  '@context': CONTEXT,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: new Date().toISOString(),
  epcisBody: { eventList },
});

/** Event times one minute apart, ending before now. */
function clock(total: number) {
  const start = Date.now() - (total + 10) * 60_000;
  let tick = 0;
  return () => new Date(start + tick++ * 60_000).toISOString();
}

/** A commission of 100 kg of lot `lot` of the product. */
const commission = (lot: string, eventTime: string): Json => ({
  type: 'ObjectEvent',
  eventTime,
  eventTimeZoneOffset: '+08:00',
  quantityList: [{ epcClass: `https://id.gs1.org/01/${RAW_GTIN}/10/${lot}`, quantity: 100, uom: 'KGM' }],
  action: 'ADD',
  bizStep: 'commissioning',
  disposition: 'active',
});

/** Captures the document (rollback on error); its time from the POST to the job's success. */
async function capture(app: App, key: string, eventList: Json[], expected: { captured: number; duplicates: number }, what: string) {
  const start = performance.now();
  const reply = await expect(call(app, key, 'POST', '/epcis/capture', documentOf(eventList)), 202, what);
  await app.services.epcis.idle();
  const elapsed = performance.now() - start;
  const job = await expect(call(app, key, 'GET', `/epcis/capture/${reply.captureID}`), 200, `${what} job`);
  if (job.success !== true || job.captured !== expected.captured || job.duplicates !== expected.duplicates)
    throw new Error(`${what}: expected ${JSON.stringify(expected)}: ${JSON.stringify(job).slice(0, 500)}`);
  return elapsed;
}

/**
 * Stores `pairs` commissions (run `run`), then captures the alternating document re-sending them,
 * declared in error or not; its time.
 */
async function alternating(app: App, key: string, run: string, pairs: number, declared: boolean, time: () => string) {
  const stored = Array.from({ length: pairs }, (_, i) => commission(`${run}-S${i}`, time()));
  await capture(app, key, stored, { captured: pairs, duplicates: 0 }, `${run}: stored events`);
  const declarationTime = time();
  const eventList = Array.from({ length: pairs }, (_, i) => [
    commission(`${run}-N${i}`, time()),
    declared ? { ...stored[i], errorDeclaration: { declarationTime, reason: 'incorrect_data' } } : stored[i],
  ]).flat();
  return capture(app, key, eventList, { captured: pairs, duplicates: pairs }, run);
}

async function main({ database, label }: Scratch) {
  const app = await buildApp({ database, bodyLimit: 32 * 1024 * 1024, publicBaseUrl: 'https://bench.example' });
  try {
    const admin = (await app.services.apiKeys.ensureAdminKey()) as string;
    const uscc = completeUscc(`91500236${customAlphabet(MOD31_CHARSET, 9)()}`);
    const party = await expect(
      call(app, admin, 'POST', '/parties', { kind: 'processor', name: 'bench processor', uscc, regionCode: '500236' }),
      201,
      'party',
    );
    const key = (await expect(call(app, admin, 'POST', '/api-keys', { role: 'operator', partyCode: party.code }), 201, 'key'))
      .key as string;
    await expect(
      call(app, key, 'POST', '/products', {
        partyCode: party.code,
        name: 'fresh pork',
        gtin: RAW_GTIN,
        category: 'fresh_meat',
        unit: 'kg',
      }),
      201,
      'product',
    );
    const time = clock(10 * PAIRS + 100);
    console.log(`database   ${label}`);
    console.log(
      `documents  ${formatNumber(2 * PAIRS)} events: ${formatNumber(PAIRS)} new commissions alternating with ${formatNumber(PAIRS)} stored ones re-sent`,
    );
    // untimed: the first capture of a run pays for what is cold
    await alternating(app, key, 'W', Math.min(PAIRS, 50), true, time);
    const baseline = await alternating(app, key, 'B', PAIRS, false, time);
    console.log(`  re-sent as they are        ${formatNumber(baseline / 1000, 2)} s`);
    const declaredMs = await alternating(app, key, 'D', PAIRS, true, time);
    console.log(`  re-sent declared in error  ${formatNumber(declaredMs / 1000, 2)} s`);
    console.log(`\nsummary (${label})`);
    printTable(
      ['document', 'measured', 'baseline', 'ratio'],
      [
        [
          `${formatNumber(2 * PAIRS)} events, ${formatNumber(PAIRS)} declarations`,
          `${formatNumber(declaredMs / 1000, 2)} s`,
          `${formatNumber(baseline / 1000, 2)} s without declarations`,
          formatRatio(declaredMs / baseline),
        ],
      ],
    );
  } finally {
    await app.close();
  }
}

await withScratchDatabase('declarations', main);
