// Scan benchmark: the consumer resolver (GET /t/{code}) against a bare route doing one indexed
// lookup on the same database, in the same run, on a realistic items table.
//
//   npx tsx scripts/bench-scan.ts [--codes 1000000] [--sample 100000] [--connections 50]
//                                 [--duration 10] [--warmup 3] [--probe 200]
//                                 [--profile] [--async-commit]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_scan_<random> database on that server,
// dropped at the end), else an in-memory PGlite. Seeds the Fengjie demo chain, issues --codes
// item codes for its retail lot through the item service (COPY on PostgreSQL), ANALYZEs, then
// load-tests with autocannon (in a child process, so the client does not share the server's
// event loop):
//   bare   GET /bench/bare/{code}   one `select … from items where code = $1`, tiny JSON
//   json   GET /t/{code}            Accept: application/json (one indexed read, findItem; the scan is
//                                    buffered in memory and stored in batches by items.writeScans)
//   html   GET /t/{code}            default representation: the consumer page
// findItem is a prepared statement whose lookups of one event-loop turn share a query, so under
// load the resolver makes fewer round trips than the bare route (the report prints how many codes
// each query carried); the lot's part of the summary and page is built and encoded once per trace.
// Each request takes the next code of a shuffled sample, so most codes are scanned once or twice
// (as packs are) and the over-scan flag (> 20 scans) does not distort the result.
//
// Under load, the writeScans batches the resolver flushes (every 200 ms or 1000 scans) are timed.
// Then a serial probe: SQL round trips and database time per request (batch flushes counted
// apart), EXPLAIN ANALYZE of the findItem query, one quiet writeScans batch of 1000 scans, the
// cost of a trace-cache miss, and the per-scan CPU of the summary and the page.
//   --profile       CPU-profile the server during each timed run; prints the top self-time frames
//   --async-commit  experiment (PostgreSQL): the bench database gets synchronous_commit = off
// Timings never fail the process: it is a benchmark, not a test.

import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { customAlphabet } from 'nanoid';
import pg from 'pg';
import { seedDemoChain } from '../seeds/fengjie.js';
import { type App, buildApp } from '../src/app.js';
import type { Principal } from '../src/access/index.js';
import { type Database, openPglite, openPostgres, queryRows } from '../src/db/client.js';
import { MAX_CODES_PER_JOB } from '../src/items/service.js';
import { consumerPage } from '../src/resolver/pages.js';
import type { PendingScan } from '../src/resolver/scan-buffer.js';
import { consumerSummaryJson, lotSummary } from '../src/resolver/summary.js';

const { values: args } = parseArgs({
  options: {
    codes: { type: 'string', default: '1000000' },
    sample: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    probe: { type: 'string', default: '200' },
    profile: { type: 'boolean', default: false },
    'async-commit': { type: 'boolean', default: false },
  },
});
const positiveInt = (name: string, value: string | undefined): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return parsed;
};
const CODES = positiveInt('codes', args.codes);
const SAMPLE = Math.min(positiveInt('sample', args.sample), CODES);
const CONNECTIONS = positiveInt('connections', args.connections);
const DURATION = positiveInt('duration', args.duration);
const WARMUP = positiveInt('warmup', args.warmup);
const PROBE = positiveInt('probe', args.probe);
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 20;

// ---------------------------------------------------------------------------------------
// SQL round-trip counter (serial probe only; off during the load test)

type Captured = { text: string; values: unknown[] };
const probe = {
  on: false,
  queries: 0,
  dbMs: 0,
  texts: [] as string[],
  flushQueries: 0,
  flushDbMs: 0,
  findQuery: undefined as Captured | undefined,
  updateQuery: undefined as Captured | undefined,
};
type QueryFn = (...args: unknown[]) => unknown;
// the resolver's lookup: items.findItem
const FIND_ITEM = /^select "items"\."code", "items"\."lot_code", "items"\."party_code"/;
// set while items.writeScans runs: its queries (a timer-driven batch) are counted apart from the
// request's. Only entered while the serial probe runs: once entered, AsyncLocalStorage hooks every
// promise in the process, which would slow the server during the load test.
const inFlush = new AsyncLocalStorage<true>();

// under load: how many codes each findItem query carried (the repository coalesces the lookups of
// one event-loop turn into one query; the bare route does one query per request)
const lookups = { on: false, queries: 0, codes: 0 };
function countLookup(first: unknown, second: unknown) {
  const config = first as { name?: string; text?: string; values?: unknown[] } | string;
  const text = typeof config === 'string' ? config : config?.text;
  if (!text || !FIND_ITEM.test(text)) return;
  const values = typeof config === 'object' && config.values ? config.values : (second as unknown[] | undefined);
  lookups.queries++;
  lookups.codes += Array.isArray(values?.[0]) ? values[0].length : 1;
}

function counted(original: QueryFn): QueryFn {
  return function (this: unknown, ...callArgs: unknown[]) {
    if (lookups.on) countLookup(callArgs[0], callArgs[1]);
    if (!probe.on) return original.apply(this, callArgs);
    const flushing = inFlush.getStore() === true;
    const first = callArgs[0] as string | { text?: string; values?: unknown[] } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    const values = (typeof first === 'object' && first?.values) || (Array.isArray(callArgs[1]) ? callArgs[1] : []);
    if (flushing) probe.flushQueries++;
    else {
      probe.queries++;
      if (text) probe.texts.push(text.replace(/\s+/g, ' ').trim());
    }
    if (text && FIND_ITEM.test(text)) probe.findQuery = { text, values };
    if (text && flushing && /^\s*update items/.test(text)) probe.updateQuery = { text, values };
    const addMs = (spent: number) => {
      if (flushing) probe.flushDbMs += spent;
      else probe.dbMs += spent;
    };
    const started = performance.now();
    const last = callArgs[callArgs.length - 1];
    if (typeof last === 'function') {
      callArgs[callArgs.length - 1] = (...cbArgs: unknown[]) => {
        addMs(performance.now() - started);
        return (last as (...a: unknown[]) => unknown)(...cbArgs);
      };
      return original.apply(this, callArgs);
    }
    const result = original.apply(this, callArgs);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      const done = () => void addMs(performance.now() - started);
      (result as Promise<unknown>).then(done, done);
    }
    return result;
  };
}

// ---------------------------------------------------------------------------------------
// writeScans batches (the resolver flushes its scan buffer every 200 ms or 1000 scans)

const flushes = { batches: 0, scans: 0, ms: 0, maxMs: 0, maxSize: 0, failed: 0 };
const resetFlushes = () => Object.assign(flushes, { batches: 0, scans: 0, ms: 0, maxMs: 0, maxSize: 0, failed: 0 });
const flushReport = () =>
  flushes.batches === 0
    ? 'no writeScans batch'
    : `writeScans ${flushes.batches} batches, mean ${Math.round(flushes.scans / flushes.batches)} scans (max ${flushes.maxSize}), ` +
      `mean ${ms(flushes.ms / flushes.batches)} (max ${ms(flushes.maxMs)}), ${((flushes.ms / flushes.scans) * 1000).toFixed(0)} µs/scan` +
      (flushes.failed ? `, ${flushes.failed} FAILED` : '');

// ---------------------------------------------------------------------------------------
// database

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10);

type BenchDatabase = {
  database: Database;
  label: string;
  /** EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back. */
  explain(query: Captured): Promise<string[]>;
  drop(): Promise<void>;
};

async function openDatabase(): Promise<BenchDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const pglite = await PGlite.create();
    const patchable = pglite as unknown as Record<'query' | 'exec', QueryFn>;
    patchable.query = counted(patchable.query.bind(pglite));
    patchable.exec = counted(patchable.exec.bind(pglite));
    return {
      database: await openPglite(undefined, pglite),
      label: 'PGlite (in memory)',
      // read-only (findItem), but rolled back all the same
      explain: async ({ text, values }) => {
        let plan: string[] = [];
        await pglite.transaction(async (tx) => {
          const result = await tx.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text}`, values);
          plan = result.rows.map((row) => row['QUERY PLAN']);
          await tx.rollback();
        });
        return plan;
      },
      drop: async () => {},
    };
  }
  const name = `bench_scan_${suffix()}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const withClient = async <T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const drop = () => withClient(baseUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {});
  await withClient(baseUrl, async (client) => {
    await client.query(`create database ${name} template template0`);
    if (args['async-commit']) await client.query(`alter database ${name} set synchronous_commit = off`);
  });
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  proto.query = counted(proto.query);
  try {
    const database = await openPostgres(url.toString());
    // pool.end() resolves before its sockets close; the forced drop then kills them and, with no
    // listener, the pool's 'error' event would crash the process (see the report)
    (database.db as unknown as { $client: pg.Pool }).$client.on('error', () => {});
    return {
      database,
      label: `PostgreSQL ${url.host}/${name}${args['async-commit'] ? ' (synchronous_commit = off)' : ''}`,
      explain: ({ text, values }) =>
        withClient(url.toString(), async (client) => {
          let plan: string[] = [];
          // twice: the first run on a new connection pays for its catalog cache
          for (let run = 0; run < 2; run++) {
            await client.query('begin');
            try {
              const result = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text}`, values);
              plan = result.rows.map((row) => row['QUERY PLAN']);
            } finally {
              await client.query('rollback');
            }
          }
          return plan;
        }),
      drop,
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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

type Target = { name: string; prefix: string; headers: Record<string, string> };
let cursor = 0;

function cannon(baseUrl: string, target: Target, codes: string[], duration: number): Promise<autocannon.Result> {
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
    child.send({ url: baseUrl, prefix: target.prefix, headers: target.headers, codes, start: cursor, connections: CONNECTIONS, duration });
  });
}

// ---------------------------------------------------------------------------------------
// CPU profile of this process (the server) while a target is under load

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };

async function profiled<T>(work: () => Promise<T>): Promise<{ value: T; report: string[] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  const value = await work();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[] } };
  session.disconnect();
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const where = (url: string) => {
    const path = url.replace(/^file:\/\//, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    if (pkg) return pkg;
    const local = /\/(src|seeds|scripts)\/(.+)$/.exec(path);
    return local ? `${local[1]}/${local[2]}` : path.startsWith('node:') ? path : path ? 'node internals' : '(native)';
  };
  const byArea = new Map<string, number>();
  const byFrame = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = functionName.startsWith('(') ? functionName : where(url);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
    const frame = functionName.startsWith('(') ? functionName : `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + hits);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  return {
    value,
    report: [
      '  by area:',
      ...top(byArea, 10).map((l) => `    ${l}`),
      '  top frames (self time):',
      ...top(byFrame, 12).map((l) => `    ${l}`),
    ],
  };
}

// ---------------------------------------------------------------------------------------
// run

const ms = (value: number) => `${value.toFixed(1)} ms`;
const rate = (value: number) => Math.round(value).toLocaleString('en-US');
const count = (value: number) => value.toLocaleString('en-US');

async function main() {
  const bench = await openDatabase();
  const { database } = bench;
  let app: App | undefined;
  try {
    console.log(`database: ${bench.label}`);
    let t0 = performance.now();
    await database.migrate();
    console.log(`migrated in ${ms(performance.now() - t0)}`);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    app = await buildApp({ database, publicBaseUrl: baseUrl, logger: false });

    t0 = performance.now();
    const demo = await seedDemoChain(app.services);
    await app.services.items.idle();
    console.log(`demo chain seeded in ${ms(performance.now() - t0)}: retail lot ${demo.retailLotCode}`);

    // where issuance spends its time: the item service calls these repository methods per batch
    const issuing = new Map<string, number>();
    const repository = app.services.itemsRepository as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const method of ['existingCodes', 'insertCodes', 'updateJob']) {
      const original = repository[method];
      repository[method] = async (...callArgs: unknown[]) => {
        const started = performance.now();
        try {
          return await original(...callArgs);
        } finally {
          issuing.set(method, (issuing.get(method) ?? 0) + performance.now() - started);
        }
      };
    }

    const operator: Principal = { keyId: 'bench', role: 'operator', partyCode: demo.parties.processor };
    t0 = performance.now();
    const jobs: string[] = [];
    for (let left = CODES; left > 0; left -= MAX_CODES_PER_JOB) {
      jobs.push((await app.services.items.issue(operator, demo.retailLotCode, Math.min(left, MAX_CODES_PER_JOB))).id);
    }
    await app.services.items.idle();
    const issueMs = performance.now() - t0;
    for (const id of jobs) {
      const job = await app.services.items.job(operator, id);
      if (job.status !== 'succeeded') throw new Error(`code job ${id} ${job.status}: ${job.error}`);
    }
    console.log(
      `issued ${count(CODES)} codes in ${ms(issueMs)} (${rate(CODES / (issueMs / 1000))} rows/s, ${database.kind === 'postgres' ? 'COPY' : 'multi-row INSERT'} in 10k batches)`,
    );

    console.log(`  of which ${[...issuing].map(([method, spent]) => `${method} ${ms(spent)}`).join(', ')}`);

    // the resolver holds this same repository object and calls writeScans through it
    const writeScans = app.services.itemsRepository.writeScans;
    const timedWriteScans = async (batch: PendingScan[]) => {
      const started = performance.now();
      try {
        return await writeScans(batch);
      } catch (error) {
        flushes.failed++;
        throw error;
      } finally {
        const spent = performance.now() - started;
        flushes.batches++;
        flushes.scans += batch.length;
        flushes.ms += spent;
        flushes.maxMs = Math.max(flushes.maxMs, spent);
        flushes.maxSize = Math.max(flushes.maxSize, batch.length);
      }
    };
    app.services.itemsRepository.writeScans = (batch: PendingScan[]) =>
      probe.on ? inFlush.run(true, () => timedWriteScans(batch)) : timedWriteScans(batch);

    t0 = performance.now();
    await database.db.execute(sql`analyze`);
    console.log(`ANALYZE in ${ms(performance.now() - t0)}`);

    const codes = (
      await queryRows<{ code: string }>(
        database.db,
        sql`select code from items where lot_code = ${demo.retailLotCode} order by random() limit ${SAMPLE}`,
      )
    ).map((row) => row.code);
    console.log(`sampled ${count(codes.length)} random codes`);

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
      { name: 'bare', prefix: '/bench/bare/', headers: { accept: 'application/json' } },
      { name: 'json', prefix: '/t/', headers: { accept: 'application/json' } },
      { name: 'html', prefix: '/t/', headers: {} },
    ];
    // every target answers 200 with the expected type before it is timed
    for (const target of targets) {
      const response = await fetch(`${baseUrl}${target.prefix}${codes[cursor++ % codes.length]}`, { headers: target.headers });
      const body = await response.text();
      console.log(`check ${target.name}: ${response.status} ${response.headers.get('content-type')} ${body.length} bytes`);
    }

    // the server, PostgreSQL and the client share this machine: other load skews every number
    console.log(
      `\nautocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per target; ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    // the resolver caches each lot's trace for 30 s; count how often it is computed under load
    let traces = 0;
    const traceService: Pick<App['services']['trace'], 'trace'> = app.services.trace;
    const originalTrace = traceService.trace;
    traceService.trace = (...callArgs) => {
      traces++;
      return originalTrace(...callArgs);
    };
    const results = new Map<string, autocannon.Result>();
    const profiles = new Map<string, string[]>();
    for (const target of targets) {
      traces = 0;
      await cannon(baseUrl, target, codes, WARMUP);
      await app.services.resolver.flushScans();
      resetFlushes();
      Object.assign(lookups, { on: true, queries: 0, codes: 0 });
      const run = () =>
        cannon(baseUrl, target, codes, DURATION).then(async (result) => {
          await app!.services.resolver.flushScans();
          return result;
        });
      const result = args.profile
        ? await profiled(run).then(({ value, report }) => {
            profiles.set(target.name, report);
            return value;
          })
        : await run();
      results.set(target.name, result);
      lookups.on = false;
      console.log(
        `${target.name.padEnd(5)} ${rate(result.requests.average).padStart(7)} req/s  p50 ${ms(result.latency.p50).padStart(8)}  p99 ${ms(result.latency.p99).padStart(8)}` +
          `  non-2xx ${result.non2xx}  errors ${result.errors}  timeouts ${result.timeouts}  (${count(result.requests.total)} requests; trace computed ${traces}×)`,
      );
      if (target.name !== 'bare') {
        console.log(
          `      findItem: ${count(lookups.queries)} queries, mean ${(lookups.codes / Math.max(1, lookups.queries)).toFixed(1)} codes each; ${flushReport()}`,
        );
      }
    }
    const bare = results.get('bare')!;
    console.log('');
    for (const name of ['json', 'html']) {
      const result = results.get(name)!;
      const ratio = result.requests.average / bare.requests.average;
      const ok = ratio >= TARGET_RATIO && result.latency.p99 <= TARGET_P99_MS;
      console.log(
        `${name}: ratio ${ratio.toFixed(2)} of bare (target ≥ ${TARGET_RATIO}), p99 ${ms(result.latency.p99)} (target ≤ ${TARGET_P99_MS} ms)` +
          ` → ${ok ? 'MET' : 'MISSED'}${database.kind === 'postgres' ? '' : ' (targets are defined for PostgreSQL)'}`,
      );
    }
    for (const [name, report] of profiles) console.log(`\nCPU profile of the server, ${name}:\n${report.join('\n')}`);

    // serial probe: requests abandoned by the last run may still be in flight
    await sleep(1000);
    console.log(`\nserial probe (${PROBE} requests each, fresh codes):`);
    for (const target of targets) {
      await app.services.resolver.flushScans();
      resetFlushes();
      Object.assign(probe, { queries: 0, dbMs: 0, texts: [], flushQueries: 0, flushDbMs: 0 });
      let wallMs = 0;
      for (let i = 0; i < PROBE; i++) {
        const url = `${baseUrl}${target.prefix}${codes[cursor++ % codes.length]}`;
        probe.on = true;
        const started = performance.now();
        const response = await fetch(url, { headers: target.headers });
        await response.arrayBuffer();
        wallMs += performance.now() - started;
        probe.on = false;
      }
      probe.on = true;
      await app.services.resolver.flushScans();
      probe.on = false;
      const distinct = [...new Set(probe.texts.map((text) => text.slice(0, 50)))];
      console.log(
        `${target.name.padEnd(5)} ${(probe.queries / PROBE).toFixed(2)} SQL round trips/request, db ${ms(probe.dbMs / PROBE)} of ${ms(wallMs / PROBE)} per request` +
          `  [${distinct.join(' | ')}]` +
          (flushes.batches ? `\n      + ${flushReport()}, ${probe.flushQueries} SQL round trips, db ${ms(probe.flushDbMs)}` : ''),
      );
    }

    if (probe.findQuery) {
      // a fresh code, so the plan reads pages like the ones measured
      const fresh = codes[cursor++ % codes.length];
      const sampled = new Set(codes);
      const fresher = (v: unknown) => (typeof v === 'string' && sampled.has(v) ? fresh : v);
      const values = probe.findQuery.values.map((v) => (Array.isArray(v) ? v.map(fresher) : fresher(v)));
      const plan = await bench.explain({ ...probe.findQuery, values });
      console.log(`\nEXPLAIN ANALYZE findItem (the resolver's one read per scan):\n${plan.map((line) => `  ${line}`).join('\n')}`);
    } else console.log('\nfindItem query not seen in the probe: nothing to EXPLAIN');

    // one batch on a quiet server, the size the buffer flushes at under load (fresh codes, first scans)
    const [sampleItem] = await queryRows<{ party_code: string | null }>(
      database.db,
      sql`select party_code from items where code = ${codes[0]}`,
    );
    const batch: PendingScan[] = Array.from({ length: 1000 }, () => {
      const code = codes[cursor++ % codes.length];
      return {
        id: randomUUID(),
        code,
        itemCode: code,
        lotCode: demo.retailLotCode,
        partyCode: sampleItem?.party_code ?? null,
        at: new Date(),
        region: '500236',
        ipHash: '0'.repeat(32),
        userAgent: 'bench',
      };
    });
    resetFlushes();
    Object.assign(probe, { queries: 0, dbMs: 0, texts: [], flushQueries: 0, flushDbMs: 0, on: true });
    await app.services.itemsRepository.writeScans(batch);
    probe.on = false;
    console.log(`quiet ${flushReport()}; ${probe.flushQueries} SQL round trips, db ${ms(probe.flushDbMs)}`);
    if (probe.updateQuery) {
      const plan = await bench.explain(probe.updateQuery);
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
        `\nitems updates so far: ${count(updates.updates)}, HOT ${count(updates.hot)} (${((updates.hot / Math.max(1, updates.updates)) * 100).toFixed(0)}%); reloptions: ${updates.fillfactor ?? 'default (fillfactor 100)'}`,
      );
    }

    // a trace-cache miss: what the resolver pays per lot every 30 s (and per concurrent request)
    const regulator: Principal = { keyId: 'bench', role: 'regulator', partyCode: null };
    Object.assign(probe, { queries: 0, dbMs: 0, texts: [], on: true });
    t0 = performance.now();
    const trace = await app.services.trace.trace(regulator, demo.retailLotCode, 'backward', 30);
    await app.services.trace.trace(regulator, demo.retailLotCode, 'forward', 3);
    const missMs = performance.now() - t0;
    probe.on = false;
    console.log(`\ntrace-cache miss (backward 30 + forward 3): ${ms(missMs)}, ${probe.queries} SQL round trips`);

    const time = (work: () => unknown, n = 2000) => {
      for (let i = 0; i < 200; i++) work();
      const started = performance.now();
      for (let i = 0; i < n; i++) work();
      return (performance.now() - started) / n;
    };
    // the lot's part is built and rendered once per cached trace; a scan pays only for its own part
    const lot = lotSummary({ lotCode: demo.retailLotCode, trace, today: '2026-11-01' });
    const pack = { code: codes[0], scans: { count: 1, firstScannedAt: new Date() }, flagged: false };
    const page = () => consumerPage(lot, pack, { lang: 'zh-CN', baseUrl, complaintPath: '/complaints', switchLangHref: '/t/x?lang=en' });
    console.log(
      `per-scan CPU: consumerSummaryJson ${time(() => consumerSummaryJson(lot, pack)).toFixed(3)} ms (${consumerSummaryJson(lot, pack).length} bytes),` +
        ` consumerPage ${time(page).toFixed(3)} ms (${page().length} bytes); per trace: lotSummary ${time(() => lotSummary({ lotCode: demo.retailLotCode, trace: structuredClone(trace), today: '2026-11-01' }), 200).toFixed(3)} ms (with a structuredClone of the trace)`,
    );
  } finally {
    await app?.close();
    await database.close();
    await bench.drop();
  }
}

await main();
