// Scan benchmark: the consumer resolver (GET /t/{code}) against a bare route doing one indexed
// lookup on the same database, in the same run, on a realistic items table.
//
//   npx tsx scripts/bench-scan.ts [--codes 1000000] [--sample 100000] [--cased 30000] [--case-size 40]
//                                 [--connections 50] [--duration 10] [--warmup 3] [--probe 200]
//                                 [--profile] [--async-commit]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_scan_<random> database on that server,
// dropped at the end, also after a failure or Ctrl-C), else an in-memory PGlite. Seeds the
// Fengjie demo chain, issues --codes item codes for its retail lot through the item service
// (COPY on PostgreSQL), ANALYZEs, then load-tests with autocannon (in a child process, so the
// client does not share the server's event loop):
//   bare   GET /bench/bare/{code}   one `select … from items where code = $1`, tiny JSON
//   json   GET /t/{code}            Accept: application/json (one indexed read, findItem; the scan is
//                                    buffered in memory and stored in batches by items.writeScans)
//   html   GET /t/{code}            default representation: the consumer page
//   json+case, html+case             the same for packs lying in a case on a pallet (--cased of them,
//                                    --case-size to a case, 20 cases to a pallet): their scan also reads
//                                    the containers above the pack and whether one is held or recalled
// findItem is a prepared statement whose lookups of one event-loop turn share a query, so under
// load the resolver makes fewer round trips than the bare route (the report prints how many codes
// each query carried); the lot's part of the summary and page is built and encoded once per trace.
// Each request takes the next code of a shuffled sample, so most codes are scanned once or twice
// (as packs are) and the over-scan flag (> 20 scans) does not distort the result.
//
// Under load, the writeScans batches the resolver flushes (every 200 ms or 1000 scans) are counted
// with their database time. Then a serial probe: SQL round trips and database time per request
// (batch flushes counted apart), EXPLAIN ANALYZE of the findItem query, one quiet writeScans batch
// of 1000 scans, the cost of a trace-cache miss, and the per-scan CPU of the summary and the page.
// Statements are counted and timed by the database client (database.stats); the script tells
// them apart by their text, observed once as the repositories send it.
//   --profile       CPU-profile the server during each timed run; prints the top self-time frames
//   --async-commit  experiment (PostgreSQL): the bench database gets synchronous_commit = off
// Timings never fail the process: it is a benchmark, not a test.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { demoCalendar, seedDemoChain } from '../seeds/fengjie.js';
import type { Principal } from '../src/access/index.js';
import { type App, buildApp, createRepositories } from '../src/app.js';
import { textArray } from '../src/db/chunk.js';
import { type Database, type ObservedQuery, queryRows } from '../src/db/client.js';
import { CODE_JOB_BATCH, MAX_CODES_PER_JOB } from '../src/items/service.js';
import { consumerPage } from '../src/resolver/pages.js';
import { readLotView, summaryOfView } from '../src/resolver/service.js';
import { consumerSummaryJson } from '../src/resolver/summary.js';
import type { PendingScan } from '../src/scans/buffer.js';
import { parseFlags } from './lib/args.js';
import { explain, type Scratch, statementsOf, withScratchDatabase } from './lib/database.js';
import { packDemoLot } from './lib/demo-lots.js';
import { formatMs, formatNumber, formatRate } from './lib/report.js';
import { freePort, profiled } from './lib/server.js';

const flags = parseFlags({
  codes: 1_000_000,
  sample: 100_000,
  cased: 30_000,
  'case-size': 40,
  connections: 50,
  duration: 10,
  warmup: 3,
  probe: 200,
  profile: false,
  'async-commit': false,
});
const CODES = flags.codes;
const SAMPLE = Math.min(flags.sample, CODES);
const CASED = Math.min(flags.cased, CODES - SAMPLE);
const CASE_SIZE = flags['case-size'];
const CASES_PER_PALLET = 20;
const CONNECTIONS = flags.connections;
const DURATION = flags.duration;
const WARMUP = flags.warmup;
const PROBE = flags.probe;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 20;

// ---------------------------------------------------------------------------------------
// statements told apart by their text, as observed when the repositories sent them

const sumMs = (statements: ObservedQuery[]) => statements.reduce((sum, statement) => sum + statement.ms, 0);
const shortText = (statement: ObservedQuery) => statement.text.replace(/\s+/g, ' ').trim();

type KnownStatements = {
  /** items.findItem: its first parameter holds the codes of one event-loop turn. */
  findItem: ObservedQuery;
  /** lineage.reachable, both directions: one per trace computed. */
  traceWalks: Set<string>;
  /** items.writeScans: one transaction of this insert (the scan ids its first parameter) and update. */
  scanInsert: string;
  itemsUpdate: string;
};

/** A parameter as the driver sends it: a list of codes goes as one array literal (anyOf). */
const asSent = (param: unknown) => (Array.isArray(param) && param.every((value) => typeof value === 'string') ? textArray(param) : param);

/** The statements `work` sends, picked by their first parameter: the subscription ticker may send its own meanwhile. */
async function sentBy(database: Database, work: () => Promise<unknown>, ...firstParams: unknown[]): Promise<ObservedQuery[]> {
  const { statements } = await statementsOf(database, work);
  return firstParams.map((first) => {
    const found = statements.find((statement) => JSON.stringify(asSent(statement.params[0])) === JSON.stringify(asSent(first)));
    if (!found) throw new Error(`no statement with ${JSON.stringify(first)} among: ${statements.map(shortText).join('; ')}`);
    return found;
  });
}

const isBegin = (statement: ObservedQuery) => /^begin$/i.test(statement.text);
const isCommit = (statement: ObservedQuery) => /^commit$/i.test(statement.text);
const inScanBatch = (statement: ObservedQuery, known: KnownStatements) =>
  isBegin(statement) || isCommit(statement) || statement.text === known.scanInsert || statement.text === known.itemsUpdate;

type Batch = { scans: number; ms: number };

/**
 * The writeScans batches among the statements: the scan buffer writes one at a time, and under
 * this workload nothing else opens a transaction, so a batch is everything from a begin to its commit.
 */
function scanBatches(statements: ObservedQuery[], known: KnownStatements): Batch[] {
  const batches: Batch[] = [];
  let batch: Batch | undefined;
  for (const statement of statements) {
    if (isBegin(statement)) batch = { scans: 0, ms: 0 };
    if (!batch || !inScanBatch(statement, known)) continue;
    batch.ms += statement.ms;
    if (statement.text === known.scanInsert) batch.scans = (statement.params[0] as unknown[]).length;
    if (isCommit(statement)) {
      batches.push(batch);
      batch = undefined;
    }
  }
  return batches;
}

function batchReport(batches: Batch[]): string {
  if (batches.length === 0) return 'no writeScans batch';
  const scans = batches.reduce((sum, batch) => sum + batch.scans, 0);
  const ms = batches.reduce((sum, batch) => sum + batch.ms, 0);
  return (
    `writeScans ${batches.length} batches, mean ${Math.round(scans / batches.length)} scans (max ${Math.max(...batches.map((batch) => batch.scans))}), ` +
    `db mean ${formatMs(ms / batches.length)} (max ${formatMs(Math.max(...batches.map((batch) => batch.ms)))}), ${((ms / Math.max(1, scans)) * 1000).toFixed(0)} µs/scan`
  );
}

/** Database time per kind of statement (its first words) while `work` runs: the five that took most. */
async function timeByStatement(database: Database, work: () => Promise<void>): Promise<string> {
  const kinds = new Map<string, { count: number; ms: number }>();
  const stop = database.stats.observe((statement) => {
    const kind = shortText(statement).split(' ').slice(0, 4).join(' ');
    const seen = kinds.get(kind) ?? { count: 0, ms: 0 };
    kinds.set(kind, { count: seen.count + 1, ms: seen.ms + statement.ms });
  });
  try {
    await work();
  } finally {
    stop();
  }
  return [...kinds]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 5)
    .map(([kind, { count, ms }]) => `${kind} … ${formatMs(ms)} (${formatNumber(count)}×)`)
    .join(', ');
}

/** A scan as the resolver buffers it. */
const scanOf = (code: string, lotCode: string, partyCode: string | null): PendingScan => ({
  id: randomUUID(),
  code,
  itemCode: code,
  lotCode,
  partyCode,
  at: new Date(),
  region: '500236',
  ipHash: '0'.repeat(32),
  clientHash: '0'.repeat(32),
  userAgent: 'bench',
});

// ---------------------------------------------------------------------------------------
// load generator: autocannon in a child process (its own event loop and CPU time)

const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
const CLIENT = `
const autocannon = require(process.argv[1]);
process.once('message', ({ url, prefix, headers, codes, start, connections, duration }) => {
  let next = start;
  autocannon({
    url, connections, duration, headers,
    requests: [{ setupRequest(req) { req.path = prefix + codes[next++ % codes.length]; return req; } }],
  }, (error, result) => {
    if (error) throw error;
    process.send({ result, used: next - start }, () => process.disconnect());
  });
});`;

type Target = { name: string; prefix: string; headers: Record<string, string>; codes: string[] };
let cursor = 0;

function cannon(baseUrl: string, target: Target, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, autocannonPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (message) => {
      const { result, used } = message as { result: autocannon.Result; used: number };
      cursor += used;
      settled = true;
      resolve(result);
    });
    child.once('error', reject);
    child.once('exit', (code) => settled || reject(new Error(`autocannon client exited with ${code}`)));
    child.send({
      url: baseUrl,
      prefix: target.prefix,
      headers: target.headers,
      codes: target.codes,
      start: cursor,
      connections: CONNECTIONS,
      duration,
    });
  });
}

// ---------------------------------------------------------------------------------------
// run

async function main({ database, label, migrateMs }: Scratch) {
  console.log(`database: ${label}`);
  console.log(`migrated in ${formatMs(migrateMs)}`);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // every request comes from this host: its allowance must not be what is measured, its counting is
  const app = await buildApp({ database, publicBaseUrl: baseUrl, logger: false, scansPerMinute: 2 ** 31 - 1 });
  try {
    await run(app, database, baseUrl, port);
  } finally {
    await app.close();
  }
}

async function run(app: App, database: Database, baseUrl: string, port: number) {
  let t0 = performance.now();
  const demo = await seedDemoChain(app.services);
  const demoDays = demoCalendar(app.services.now());
  await app.services.items.idle();
  console.log(`demo chain seeded in ${formatMs(performance.now() - t0)}: retail lot ${demo.retailLotCode}`);

  const operator: Principal = { keyId: 'bench', role: 'operator', partyCode: demo.parties.processor };
  // the demo's pack lot has its 300 codes already, one per pack: the codes scanned here come from a
  // lot packed from the rest of the cured meat with as many packs as codes, so its trace is as deep
  const scanLot = await packDemoLot(app, database, demo, operator, { lotNumber: 'KZ-LR-BENCH', packs: CODES });
  t0 = performance.now();
  const jobs: string[] = [];
  // where issuance spends its database time
  const issuing = await timeByStatement(database, async () => {
    for (let left = CODES; left > 0; left -= MAX_CODES_PER_JOB) {
      jobs.push((await app.services.items.issue(operator, scanLot, Math.min(left, MAX_CODES_PER_JOB))).id);
    }
    await app.services.items.idle();
  });
  const issueMs = performance.now() - t0;
  for (const id of jobs) {
    const job = await app.services.items.job(operator, id);
    if (job.status !== 'succeeded') throw new Error(`code job ${id} ${job.status}: ${job.error}`);
  }
  console.log(
    `issued ${formatNumber(CODES)} codes in ${formatMs(issueMs)} (${formatRate(CODES, issueMs)} rows/s, ${database.kind === 'postgres' ? 'COPY' : 'multi-row INSERT'} in batches of ${formatNumber(CODE_JOB_BATCH[database.kind])})`,
  );
  console.log(`  database time while issuing: ${issuing}`);

  t0 = performance.now();
  await database.db.execute(sql`analyze`);
  console.log(`ANALYZE in ${formatMs(performance.now() - t0)}`);

  const drawn = (
    await queryRows<{ code: string }>(
      database.db,
      sql`select code from items where lot_code = ${scanLot} order by random() limit ${SAMPLE + CASED}`,
    )
  ).map((row) => row.code);
  const codes = drawn.slice(0, SAMPLE);
  const casedCodes = drawn.slice(SAMPLE);
  console.log(`sampled ${formatNumber(codes.length)} random codes, and ${formatNumber(casedCodes.length)} to pack into cases`);

  // packs in cases on pallets, as shops receive them: packed now, after their codes were issued
  t0 = performance.now();
  const cases: string[] = [];
  for (let i = 0; i < casedCodes.length; i += CASE_SIZE) {
    const packing = await app.services.events.record(operator, {
      type: 'aggregate',
      eventTime: new Date().toISOString(),
      parent: {},
      children: [],
      itemCodes: casedCodes.slice(i, i + CASE_SIZE),
    });
    cases.push(packing.createdLotCodes[0]);
  }
  for (let i = 0; i < cases.length; i += CASES_PER_PALLET) {
    await app.services.events.record(operator, {
      type: 'aggregate',
      eventTime: new Date().toISOString(),
      parent: {},
      children: cases.slice(i, i + CASES_PER_PALLET).map((lotCode) => ({ lotCode })),
    });
  }
  await database.db.execute(sql`analyze`);
  console.log(
    `packed ${formatNumber(casedCodes.length)} packs into ${formatNumber(cases.length)} cases on ${Math.ceil(cases.length / CASES_PER_PALLET)} pallets in ${formatMs(performance.now() - t0)}`,
  );
  const [sampleItem] = await queryRows<{ party_code: string | null }>(
    database.db,
    sql`select party_code from items where code = ${codes[0]}`,
  );
  const scanOfNext = () => scanOf(codes[cursor++ % codes.length], scanLot, sampleItem?.party_code ?? null);

  // the statements this benchmark tells apart, as the repositories that own them send them
  // (writeScans with one scan of a fresh code, as the resolver would have stored it)
  const repos = createRepositories(database);
  const [findItem] = await sentBy(database, () => repos.items.findItem(codes[0]), [codes[0]]);
  const traceWalks = new Set<string>();
  for (const direction of ['backward', 'forward'] as const) {
    const [walk] = await sentBy(database, () => repos.lineage.reachable([scanLot], direction, 1), [scanLot]);
    traceWalks.add(walk.text);
  }
  const scan = scanOfNext();
  const [scanInsert] = await sentBy(database, () => repos.scans.writeScans([scan]), [scan.id]);
  // the counters' update starts with its pruning of the repeat window, whose first parameter is a time: known by its text
  const { statements: written } = await statementsOf(database, () => repos.scans.writeScans([scanOfNext()]));
  const itemsUpdate = written.find((statement) => /\bupdate items\b/.test(statement.text));
  if (!itemsUpdate) throw new Error(`writeScans updated no items: ${written.map(shortText).join('; ')}`);
  const known: KnownStatements = { findItem, traceWalks, scanInsert: scanInsert.text, itemsUpdate: itemsUpdate.text };

  // the comparison: one indexed lookup on the same database, tiny JSON
  app.get('/bench/bare/:code', { config: { public: true } }, async (request, reply) => {
    const { code } = request.params as { code: string };
    const [row] = await queryRows<{ code: string; lot_code: string }>(
      database.db,
      sql`select code, lot_code from items where code = ${code}`,
    );
    return row ? { code: row.code, lotCode: row.lot_code } : reply.code(404).send({ code, found: false });
  });
  await app.listen({ host: '127.0.0.1', port });

  const targets: Target[] = [
    { name: 'bare', prefix: '/bench/bare/', headers: { accept: 'application/json' }, codes },
    { name: 'json', prefix: '/t/', headers: { accept: 'application/json' }, codes },
    { name: 'html', prefix: '/t/', headers: {}, codes },
    ...(casedCodes.length > 0
      ? [
          { name: 'json+case', prefix: '/t/', headers: { accept: 'application/json' }, codes: casedCodes },
          { name: 'html+case', prefix: '/t/', headers: {}, codes: casedCodes },
        ]
      : []),
  ];
  // every target answers 200 with the expected type before it is timed
  for (const target of targets) {
    const response = await fetch(`${baseUrl}${target.prefix}${target.codes[cursor++ % target.codes.length]}`, { headers: target.headers });
    const body = await response.text();
    console.log(`check ${target.name}: ${response.status} ${response.headers.get('content-type')} ${body.length} bytes`);
  }

  // the server, PostgreSQL and the client share this machine: other load skews every number
  console.log(
    `\nautocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per target; ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results = new Map<string, autocannon.Result>();
  const profiles = new Map<string, string[]>();
  for (const target of targets) {
    // the resolver caches each lot's trace for 30 s: how often it is computed, warm-up included
    let traces = 0;
    // under load, only counts: how many codes each findItem query carried, and the batches' statements
    let measuring = false;
    let lookups = 0;
    let lookupCodes = 0;
    const batchStatements: ObservedQuery[] = [];
    const stop = database.stats.observe((statement) => {
      if (known.traceWalks.has(statement.text)) traces++;
      if (!measuring) return;
      if (statement.text === known.findItem.text) {
        lookups++;
        lookupCodes += (statement.params[0] as unknown[]).length;
      } else if (inScanBatch(statement, known)) batchStatements.push(statement);
    });
    let result: autocannon.Result;
    try {
      await cannon(baseUrl, target, WARMUP);
      await app.services.scans.flush();
      measuring = true;
      const timed = () =>
        cannon(baseUrl, target, DURATION).then(async (result) => {
          await app.services.scans.flush();
          return result;
        });
      result = flags.profile
        ? await profiled(timed).then(({ value, report }) => {
            profiles.set(target.name, report);
            return value;
          })
        : await timed();
    } finally {
      stop();
    }
    results.set(target.name, result);
    console.log(
      `${target.name.padEnd(9)} ${formatNumber(result.requests.average).padStart(7)} req/s  p50 ${formatMs(result.latency.p50).padStart(8)}  p99 ${formatMs(result.latency.p99).padStart(8)}` +
        `  non-2xx ${result.non2xx}  errors ${result.errors}  timeouts ${result.timeouts}  (${formatNumber(result.requests.total)} requests; trace computed ${traces}×)`,
    );
    if (target.name !== 'bare') {
      console.log(
        `          findItem: ${formatNumber(lookups)} queries, mean ${(lookupCodes / Math.max(1, lookups)).toFixed(1)} codes each; ${batchReport(scanBatches(batchStatements, known))}`,
      );
    }
  }
  const bare = results.get('bare')!;
  console.log('');
  for (const name of ['json', 'html', 'json+case', 'html+case']) {
    const result = results.get(name);
    if (!result) continue;
    const ratio = result.requests.average / bare.requests.average;
    const ok = ratio >= TARGET_RATIO && result.latency.p99 <= TARGET_P99_MS;
    console.log(
      `${name}: ratio ${ratio.toFixed(2)} of bare (target ≥ ${TARGET_RATIO}), p99 ${formatMs(result.latency.p99)} (target ≤ ${TARGET_P99_MS} ms)` +
        ` → ${ok ? 'MET' : 'MISSED'}${database.kind === 'postgres' ? '' : ' (targets are defined for PostgreSQL)'}`,
    );
  }
  for (const [name, report] of profiles) console.log(`\nCPU profile of the server, ${name}:\n${report.join('\n')}`);

  // serial probe: requests abandoned by the last run may still be in flight
  await sleep(1000);
  console.log(`\nserial probe (${PROBE} requests each, fresh codes):`);
  for (const target of targets) {
    await app.services.scans.flush();
    const probed = await statementsOf(database, async () => {
      let wallMs = 0;
      for (let i = 0; i < PROBE; i++) {
        const url = `${baseUrl}${target.prefix}${target.codes[cursor++ % target.codes.length]}`;
        const started = performance.now();
        const response = await fetch(url, { headers: target.headers });
        await response.arrayBuffer();
        wallMs += performance.now() - started;
      }
      await app.services.scans.flush();
      return wallMs;
    });
    const requests = probed.statements.filter((statement) => !inScanBatch(statement, known));
    const batched = probed.statements.filter((statement) => inScanBatch(statement, known));
    const batches = scanBatches(batched, known);
    const distinct = [...new Set(requests.map((statement) => shortText(statement).slice(0, 50)))];
    console.log(
      `${target.name.padEnd(9)} ${(requests.length / PROBE).toFixed(2)} SQL round trips/request, db ${formatMs(sumMs(requests) / PROBE)} of ${formatMs(probed.value / PROBE)} per request` +
        `  [${distinct.join(' | ')}]` +
        (batches.length ? `\n          + ${batchReport(batches)}, ${batched.length} SQL round trips, db ${formatMs(sumMs(batched))}` : ''),
    );
  }

  // a fresh code, so the plan reads pages like the ones measured
  const fresh = codes[cursor++ % codes.length];
  const freshLookup = { ...known.findItem, params: known.findItem.params.map((param, i) => (i === 0 ? [fresh] : param)) };
  const findPlan = await explain(database, freshLookup);
  console.log(`\nEXPLAIN ANALYZE findItem (the resolver's one read per scan):\n${findPlan.map((line) => `  ${line}`).join('\n')}`);

  // one batch on a quiet server, the size the buffer flushes at under load (fresh codes, first scans)
  const batch = Array.from({ length: 1000 }, scanOfNext);
  t0 = performance.now();
  const quiet = await statementsOf(database, () => repos.scans.writeScans(batch));
  const quietMs = performance.now() - t0;
  console.log(
    `quiet writeScans batch of ${batch.length} scans: ${formatMs(quietMs)} (${((quietMs / batch.length) * 1000).toFixed(0)} µs/scan); ` +
      `${quiet.statements.length} SQL round trips, db ${formatMs(sumMs(quiet.statements))}`,
  );
  const counterUpdate = quiet.statements.find((statement) => statement.text === known.itemsUpdate);
  if (counterUpdate) {
    const plan = await explain(database, counterUpdate);
    console.log(`EXPLAIN ANALYZE of its items counter update (rolled back):\n${plan.map((line) => `  ${line}`).join('\n')}`);
  }

  // scan counting updates items rows: HOT updates avoid touching its three indexes
  await sleep(1500);
  const [updates] = await queryRows<{ updates: number; hot: number; fillfactor: string | null }>(
    database.db,
    sql`select n_tup_upd::int as updates, n_tup_hot_upd::int as hot,
               (select array_to_string(reloptions, ',') from pg_class where relname = 'items') as fillfactor
        from pg_stat_user_tables where relname = 'items'`,
  );
  if (updates) {
    console.log(
      `\nitems updates so far: ${formatNumber(updates.updates)}, HOT ${formatNumber(updates.hot)} (${((updates.hot / Math.max(1, updates.updates)) * 100).toFixed(0)}%); reloptions: ${updates.fillfactor ?? 'default (fillfactor 100)'}`,
    );
  }

  // a trace-cache miss: what the resolver pays per lot every 30 s (and per concurrent request), read as
  // it reads it (readLotView): the backward trace, the container readings, the failed lots and brands
  const sources = {
    trace: app.services.trace,
    containers: repos.lineage,
    lots: repos.lots,
    failures: repos.events,
    brands: app.services.brands,
  };
  const queriesBefore = database.stats.queries;
  t0 = performance.now();
  const view = await readLotView(sources, scanLot);
  const missMs = performance.now() - t0;
  console.log(
    `\ntrace-cache miss (backward 30 + forward 3 + packing links + failed lots + brands): ${formatMs(missMs)}, ${database.stats.queries - queriesBefore} SQL round trips; ${view.containerReadings.length} container readings`,
  );

  const time = (work: () => unknown, n = 2000) => {
    for (let i = 0; i < 200; i++) work();
    const started = performance.now();
    for (let i = 0; i < n; i++) work();
    return (performance.now() - started) / n;
  };
  // the lot's part is built and rendered once per cached view (summaryOfView, as the resolver calls it);
  // a scan pays only for finding it and for its own part
  const scannedAt = new Date(`${demoDays.date(20)}T04:00:00Z`);
  const lot = summaryOfView(scanLot, view, scannedAt);
  const pack = { code: codes[0], scans: { count: 1, firstScannedAt: new Date() }, flagged: false };
  const page = () => consumerPage(lot, pack, { lang: 'zh-CN', baseUrl, complaintPath: '/complaints', switchLangHref: '/t/x?lang=en' });
  console.log(
    `per-scan CPU: consumerSummaryJson ${time(() => consumerSummaryJson(lot, pack)).toFixed(3)} ms (${consumerSummaryJson(lot, pack).length} bytes),` +
      ` consumerPage ${time(page).toFixed(3)} ms (${page().length} bytes), summaryOfView cached ${time(() => summaryOfView(scanLot, view, scannedAt)).toFixed(4)} ms;` +
      ` per view: summaryOfView ${time(() => summaryOfView(scanLot, structuredClone(view), scannedAt), 200).toFixed(3)} ms (with a structuredClone of the view)`,
  );
}

await withScratchDatabase('scan', main, flags['async-commit'] ? { synchronous_commit: 'off' } : {});
