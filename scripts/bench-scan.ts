// Scan benchmark: the consumer resolver (GET /t/{code}) against a bare route doing one indexed
// lookup on the same database, in the same run, on a realistic items table.
//
//   npx tsx scripts/bench-scan.ts [--codes 1000000] [--sample 100000] [--connections 50]
//                                 [--duration 10] [--warmup 3] [--probe 200]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_scan_<random> database on that server,
// dropped at the end), else an in-memory PGlite. Seeds the Fengjie demo chain, issues --codes
// item codes for its retail lot through the item service (COPY on PostgreSQL), ANALYZEs, then
// load-tests with autocannon (run in a child process so the client does not share the server's
// event loop):
//   bare   GET /bench/bare/{code}   one `select … from items where code = $1`, tiny JSON
//   json   GET /t/{code}            Accept: application/json (counts the scan: recordScan)
//   html   GET /t/{code}            default representation: the consumer page
// Each request takes the next code of a shuffled sample, so most codes are scanned once or twice
// (as packs are) and the over-scan flag (> 20 scans) does not distort the result.
// Afterwards a serial probe counts SQL round trips and database time per request.
// Timings never fail the process: it is a benchmark, not a test.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type autocannon from 'autocannon';
import { customAlphabet } from 'nanoid';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp, type App } from '../src/app.js';
import type { Principal } from '../src/auth/principal.js';
import { openPglite, openPostgres, queryRows, type Database } from '../src/db/client.js';
import { MAX_CODES_PER_JOB } from '../src/items/service.js';
import { consumerPage } from '../src/resolver/page.js';
import { seedDemoChain } from '../seeds/fengjie.js';

const { values: args } = parseArgs({
  options: {
    codes: { type: 'string', default: '1000000' },
    sample: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    probe: { type: 'string', default: '200' },
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

const probe = { on: false, queries: 0, dbMs: 0, texts: [] as string[] };
type QueryFn = (...args: unknown[]) => unknown;
function counted(original: QueryFn): QueryFn {
  return function (this: unknown, ...callArgs: unknown[]) {
    if (!probe.on) return original.apply(this, callArgs);
    probe.queries++;
    const first = callArgs[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    if (text) probe.texts.push(text.replace(/\s+/g, ' ').trim());
    const started = performance.now();
    const last = callArgs[callArgs.length - 1];
    if (typeof last === 'function') {
      callArgs[callArgs.length - 1] = (...cbArgs: unknown[]) => {
        probe.dbMs += performance.now() - started;
        return (last as (...a: unknown[]) => unknown)(...cbArgs);
      };
      return original.apply(this, callArgs);
    }
    const result = original.apply(this, callArgs);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      const done = () => void (probe.dbMs += performance.now() - started);
      (result as Promise<unknown>).then(done, done);
    }
    return result;
  };
}

// ---------------------------------------------------------------------------------------
// database

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10);

async function openDatabase(): Promise<{ database: Database; label: string; drop: () => Promise<void> }> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const pglite = await PGlite.create();
    const patchable = pglite as unknown as Record<'query' | 'exec', QueryFn>;
    patchable.query = counted(patchable.query.bind(pglite));
    patchable.exec = counted(patchable.exec.bind(pglite));
    return { database: await openPglite(undefined, pglite), label: 'PGlite (in memory)', drop: async () => {} };
  }
  const name = `bench_scan_${suffix()}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name} template template0`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  proto.query = counted(proto.query);
  try {
    const database = await openPostgres(url.toString());
    return { database, label: `PostgreSQL ${url.host}/${name}`, drop: () => admin(`drop database if exists ${name} with (force)`) };
  } catch (error) {
    await admin(`drop database if exists ${name} with (force)`);
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
// run

const ms = (value: number) => `${value.toFixed(1)} ms`;
const rate = (value: number) => Math.round(value).toLocaleString('en-US');

async function main() {
  const { database, label, drop } = await openDatabase();
  let app: App | undefined;
  try {
    console.log(`database: ${label}`);
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
    console.log(`issued ${CODES.toLocaleString('en-US')} codes in ${ms(issueMs)} (${rate(CODES / (issueMs / 1000))} rows/s, ${database.kind === 'postgres' ? 'COPY' : 'multi-row INSERT'} in 10k batches)`);

    t0 = performance.now();
    await database.db.execute(sql`analyze`);
    console.log(`ANALYZE in ${ms(performance.now() - t0)}`);

    const codes = (
      await queryRows<{ code: string }>(database.db, sql`select code from items where lot_code = ${demo.retailLotCode} order by random() limit ${SAMPLE}`)
    ).map((row) => row.code);
    console.log(`sampled ${codes.length.toLocaleString('en-US')} random codes`);

    // the comparison: one indexed lookup on the same database, tiny JSON
    app.get('/bench/bare/:code', { config: { public: true } }, async (request, reply) => {
      const { code } = request.params as { code: string };
      const [row] = await queryRows<{ code: string; lot_code: string }>(database.db, sql`select code, lot_code from items where code = ${code}`);
      return row ? { code: row.code, lotCode: row.lot_code } : reply.code(404).send({ code, found: false });
    });
    await app.listen({ host: '127.0.0.1', port });

    const targets: Target[] = [
      { name: 'bare', prefix: '/bench/bare/', headers: { accept: 'application/json' } },
      { name: 'json', prefix: '/t/', headers: { accept: 'application/json' } },
      { name: 'html', prefix: '/t/', headers: {} },
    ];
    // sanity: every target answers 200 with the expected type before it is timed
    for (const target of targets) {
      const response = await fetch(`${baseUrl}${target.prefix}${codes[cursor++ % codes.length]}`, { headers: target.headers });
      const body = await response.text();
      console.log(`check ${target.name}: ${response.status} ${response.headers.get('content-type')} ${body.length} bytes`);
    }

    console.log(`\nautocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per target`);
    const results = new Map<string, autocannon.Result>();
    for (const target of targets) {
      await cannon(baseUrl, target, codes, WARMUP);
      const result = await cannon(baseUrl, target, codes, DURATION);
      results.set(target.name, result);
      console.log(
        `${target.name.padEnd(5)} ${rate(result.requests.average).padStart(7)} req/s  p50 ${ms(result.latency.p50).padStart(8)}  p99 ${ms(result.latency.p99).padStart(8)}` +
          `  non-2xx ${result.non2xx}  errors ${result.errors}  timeouts ${result.timeouts}  (${result.requests.total.toLocaleString('en-US')} requests)`,
      );
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

    // serial probe: SQL round trips and database time per request, then pure rendering cost
    console.log(`\nserial probe (${PROBE} requests each, fresh codes):`);
    for (const target of targets) {
      probe.queries = 0;
      probe.dbMs = 0;
      probe.texts = [];
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
      const distinct = [...new Set(probe.texts.map((text) => text.slice(0, 60)))];
      console.log(
        `${target.name.padEnd(5)} ${(probe.queries / PROBE).toFixed(2)} SQL round trips/request, db ${ms(probe.dbMs / PROBE)} of ${ms(wallMs / PROBE)} per request` +
          `  [${distinct.join(' | ')}]`,
      );
    }
    const resolved = await app.services.resolver.resolveCode(codes[cursor++ % codes.length], { record: false, region: null, ip: '127.0.0.1', userAgent: null });
    const page = () => consumerPage(resolved.summary, { lang: 'zh-CN', baseUrl, complaintPath: '/complaints', switchLangHref: '/t/x?lang=en' });
    const time = (work: () => unknown, n = 2000) => {
      for (let i = 0; i < 200; i++) work();
      const started = performance.now();
      for (let i = 0; i < n; i++) work();
      return (performance.now() - started) / n;
    };
    console.log(
      `render: consumerPage ${time(page).toFixed(3)} ms (${page().length} chars), JSON.stringify(summary) ${time(() => JSON.stringify(resolved.summary)).toFixed(3)} ms` +
        ` (${JSON.stringify(resolved.summary).length} chars)`,
    );
  } finally {
    await app?.close();
    await database.close();
    await drop();
  }
}

await main();
