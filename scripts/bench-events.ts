// Event-writing benchmark: EPCIS capture, the native event API under concurrent load and one
// large capture job, each next to a baseline or target measured in the same run.
//
//   npx tsx scripts/bench-events.ts [--docs 20] [--requests 9000] [--warmup 1500] [--connections 50]
//                                   [--probe 100] [--large 10000] [--epcs 140000] [--proceed 5000]
//                                   [--proceed-only] [--profile]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_events_<random> database on that server,
// dropped at the end, also after a failure or Ctrl-C), else an in-memory PGlite. The app listens
// on a local port and every request goes over real HTTP; events are written by the one event
// writer, as in production. One processor party with an operator key, two products with GTINs.
//
// 1. capture   --docs EPCISDocuments of 100 events each (50 ObjectEvents commissioning GTIN + lot
//              classes, 25 TransformationEvents of 2 lots into 1, 25 AggregationEvents packing each
//              new lot onto an SSCC; Digital Link EPCs, no eventIDs so every id is the CBV 2.0 hash)
//              POSTed to /epcis/capture one after the other; timed until the last capture job is
//              done (the jobs run meanwhile). Baseline: the rows those jobs wrote (events,
//              event_lots, lots, lot_identifiers, lot_movements, lineage_edges, shipments and their
//              lines) are read back and inserted again as copies (fresh keys and unique values, the
//              other columns as read) with plain multi-row INSERT … VALUES, one transaction per
//              document: the same tables, indexes and row counts, with none of the service's work.
//              Target: capture ≥ 0.25× the raw insert rate.
// 2. native    POST /events from autocannon (in a child process, so the client does not share the
//              server's event loop), --connections connections, --requests requests after --warmup
//              untimed ones: a third commission a new lot, a third transform a lot of their own
//              (made beforehand) into a new one, a third sell a lot of their own. Every request must
//              answer 201 (the run fails otherwise), and as many events must be stored. Target:
//              ≥ 1,500 events/s with p99 ≤ 50 ms. Then a serial probe: --probe requests of each kind
//              one at a time, with the statements one of them sent and the planning time of the
//              writer's statement.
// 3. large     one EPCISDocument of --large events (the same mix; the capture limit is 10,000),
//              rollback on error: wall time from the POST to the job's success. Target: ≤ 3 s.
// 4. epcs      one EPCISDocument of 14 ObjectEvents commissioning --epcs serialised items in all
//              (SGTIN Digital Links), rollback on error: its time, and how long other requests wait
//              meanwhile — the longest event-loop stall, and the slowest of GET /health sent every
//              50 ms while it runs.
// 5. proceed   one EPCISDocument of --proceed events under `proceed`, the capture mix with every tenth
//              event a sale of a supplier's lot the party received in two parts: dated between them,
//              for more than the first part, each is refused (held-then, judged under `proceed` one
//              event after the other); next to the same document with the sales dated after the
//              second part, none refused, measured in the same run (the clean one first, after an
//              untimed clean one).
//              --proceed-only runs this phase alone.
//
// Each phase also prints the SQL statements per event and the database time (database.stats,
// summed over statements: concurrent ones overlap) with the statements that took most of it, the
// CPU time of this process (the server, and the share of it spent in the kernel) and, when
// PostgreSQL runs on this machine, of its backends (from /proc): on a shared machine CPU per event
// says more than the wall-clock rates.
//   --profile   CPU-profile the server (this process) during each timed phase; prints the top frames
//               and saves each profile as bench-events-<phase>.cpuprofile in the working directory
// Timings never fail the process: it is a benchmark, not a test. The targets are set for PostgreSQL.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type autocannon from 'autocannon';
import { type SQL, sql } from 'drizzle-orm';
import { customAlphabet } from 'nanoid';
import { type App, buildApp } from '../src/app.js';
import { completeGs1 } from '../src/codes/gs1.js';
import { MOD31_CHARSET } from '../src/codes/mod31.js';
import { completeUscc } from '../src/codes/uscc.js';
import { type Database, type Db, type ObservedQuery, queryRows } from '../src/db/client.js';
import { CAPTURE_LIMIT_EVENTS } from '../src/epcis/service.js';
import { parseFlags } from './lib/args.js';
import { explain, type Scratch, withScratchDatabase } from './lib/database.js';
import { COMMISSIONS, CONTEXT, CURED_GTIN, epcisBlock, RAW_GTIN, TRANSFORMS } from './lib/epcis-mix.js';
import { formatMs, formatNumber, formatRatio, printTable } from './lib/report.js';
import { freePort, profiled } from './lib/server.js';

const flags = parseFlags({
  docs: 20,
  requests: 9000,
  warmup: 1500,
  connections: 50,
  probe: 100,
  large: 10_000,
  epcs: 140_000,
  proceed: 5_000,
  'proceed-only': false,
  profile: false,
});
const DOCS = flags.docs;
const REQUESTS = flags.requests;
const WARMUP = flags.warmup;
const CONNECTIONS = flags.connections;
const PROBE = flags.probe;
const LARGE = Math.min(flags.large, CAPTURE_LIMIT_EVENTS);
const EPC_EVENTS = 14;
/** The GTIN of the supplier's product whose lot the proceed phase sells. */
const SUPPLIER_GTIN = completeGs1('0693456700001');

const TARGET_CAPTURE_RATIO = 0.25;
const TARGET_NATIVE_RATE = 1500;
const TARGET_NATIVE_P99_MS = 50;
const TARGET_LARGE_S = 3;

const EVENTS_PER_BLOCK = 100;
/** Lots commissioned in one native event, to have lots of their own for transforms and sales. */
const LOTS_PER_COMMISSION = 1000;

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// HTTP to the listening app

type Client = { baseUrl: string; key: string };

async function call(
  client: Client,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${client.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${client.key}`, ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
}

async function expect(reply: Promise<{ status: number; body: Json }>, status: number, what: string): Promise<Json> {
  const result = await reply;
  if (result.status !== status)
    throw new Error(`${what}: expected ${status}, got ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
  return result.body;
}

/** Event times: one minute apart, ending before now, so none is in the future. */
function clock(total: number) {
  const start = Date.now() - (total + 10) * 60_000;
  let tick = 0;
  return () => new Date(start + tick++ * 60_000).toISOString();
}

// ---------------------------------------------------------------------------------------
// EPCIS documents

/** An EPCISDocument of `blocks` × 100 events (no eventIDs). */
function epcisDocument(run: number, firstBlock: number, blocks: number, time: () => string): Json {
  const events: Json[] = [];
  for (let block = firstBlock; block < firstBlock + blocks; block++) events.push(...epcisBlock(run, block, time));
  return {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  };
}

type CaptureJob = { id: string; eventIds: string[] };

/** Checks that every job succeeded and stored every event of its document. */
async function finishedJobs(client: Client, ids: string[], perJob: number): Promise<CaptureJob[]> {
  const jobs: CaptureJob[] = [];
  for (const id of ids) {
    const job = await expect(call(client, 'GET', `/epcis/capture/${id}`), 200, 'capture job');
    if (job.success !== true || job.captured !== perJob)
      throw new Error(`capture job ${id} did not store all ${perJob} events: ${JSON.stringify(job).slice(0, 500)}`);
    jobs.push({ id, eventIds: job.eventIDs as string[] });
  }
  return jobs;
}

/** POSTs `docs` documents of 100 events one after the other; timed until their capture jobs are done. */
async function captureRun(app: App, client: Client, run: number, docs: number, time: () => string) {
  const ids: string[] = [];
  const start = performance.now();
  for (let doc = 0; doc < docs; doc++) {
    const reply = call(client, 'POST', '/epcis/capture', epcisDocument(run, doc, 1, time), 'application/ld+json');
    ids.push((await expect(reply, 202, 'capture')).captureID as string);
  }
  const accepted = performance.now() - start;
  await app.services.epcis.idle();
  const elapsed = performance.now() - start;
  return { jobs: await finishedJobs(client, ids, EVENTS_PER_BLOCK), elapsed, accepted };
}

// ---------------------------------------------------------------------------------------
// the raw baseline: what the capture wrote, read back and inserted again with plain INSERTs

/** Where a column's values come from in a copy: a fresh key (mapped consistently), or kept. */
type Remap = 'event' | 'lot' | 'shipment' | 'unique';
type TableCopy = { table: string; remap: Record<string, Remap> };

/** In foreign-key order. */
const COPIED_TABLES: TableCopy[] = [
  {
    table: 'lots',
    remap: { code: 'lot', lot_number: 'unique', sscc: 'unique', created_by_event_id: 'event', voided_by_event_id: 'event' },
  },
  { table: 'events', remap: { id: 'event', corrects_event_id: 'event' } },
  { table: 'lot_identifiers', remap: { value: 'unique', lot_code: 'lot' } },
  { table: 'event_lots', remap: { event_id: 'event', lot_code: 'lot' } },
  { table: 'lot_movements', remap: { event_id: 'event', lot_code: 'lot', container_code: 'lot' } },
  {
    table: 'lineage_edges',
    remap: {
      upstream_code: 'lot',
      downstream_code: 'lot',
      event_id: 'event',
      ended_by_event_id: 'event',
      retracted_by_event_id: 'event',
    },
  },
  { table: 'shipments', remap: { id: 'shipment', ship_event_id: 'event', receive_event_id: 'event' } },
  { table: 'shipment_lines', remap: { shipment_id: 'shipment', lot_code: 'lot', container_code: 'lot' } },
];

type Row = (string | null)[];
type TableRows = { table: string; columns: string[]; rows: Row[] };
const texts = (values: string[]) => sql`${sql.param(values)}::text[]`;

/** Every column of the table, in order. */
async function columnsOf(db: Db, table: string): Promise<string[]> {
  const rows = await queryRows<{ column_name: string }>(
    db,
    sql`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`,
  );
  return rows.map((row) => row.column_name);
}

/** The rows a document's events wrote, every column as text. */
async function rowsOfEvents(db: Db, columns: Map<string, string[]>, eventIds: string[]): Promise<TableRows[]> {
  const select = async (table: string, where: SQL) => {
    const names = columns.get(table) as string[];
    const list = sql.raw(names.map((name) => `"${name}"::text as "${name}"`).join(', '));
    const rows = await queryRows<Record<string, string | null>>(db, sql`select ${list} from ${sql.identifier(table)} where ${where}`);
    return { table, columns: names, rows: rows.map((row) => names.map((name) => row[name])) };
  };
  const lots = await select('lots', sql`created_by_event_id = any(${texts(eventIds)})`);
  const lotCodes = lots.rows.map((row) => row[lots.columns.indexOf('code')] as string);
  const shipments = await select('shipments', sql`ship_event_id = any(${texts(eventIds)})`);
  const shipmentIds = shipments.rows.map((row) => row[shipments.columns.indexOf('id')] as string);
  return [
    lots,
    await select('events', sql`id = any(${texts(eventIds)})`),
    await select('lot_identifiers', sql`lot_code = any(${texts(lotCodes)})`),
    await select('event_lots', sql`event_id = any(${texts(eventIds)})`),
    await select('lot_movements', sql`event_id = any(${texts(eventIds)})`),
    await select('lineage_edges', sql`event_id = any(${texts(eventIds)})`),
    shipments,
    await select('shipment_lines', sql`shipment_id = any(${texts(shipmentIds)})`),
  ];
}

/** Copies of the rows: fresh event ids, lot codes, shipment ids and unique values; the rest as read. */
function copiesOf(tables: TableRows[]): TableRows[] {
  const fresh = new Map<Remap, Map<string, string>>([
    ['event', new Map()],
    ['lot', new Map()],
    ['shipment', new Map()],
  ]);
  const suffix = `~${randomUUID().slice(0, 8)}`;
  // keys the document made are replaced; keys of rows outside it (a location, a party) stay
  for (const { table, columns, rows } of tables) {
    const own = table === 'lots' ? 'lot' : table === 'events' ? 'event' : table === 'shipments' ? 'shipment' : null;
    if (!own) continue;
    const map = fresh.get(own) as Map<string, string>;
    const key = columns.indexOf(table === 'lots' ? 'code' : 'id');
    for (const row of rows) map.set(row[key] as string, `${row[key]}${suffix}`);
  }
  return tables.map(({ table, columns, rows }) => {
    const remap = (COPIED_TABLES.find((copy) => copy.table === table) as TableCopy).remap;
    const how = columns.map((column) => remap[column]);
    return {
      table,
      columns,
      rows: rows.map((row) =>
        row.map((value, c) => {
          const kind = how[c];
          if (value === null || !kind) return value;
          if (kind === 'unique') return `${value}${suffix}`;
          return fresh.get(kind)?.get(value) ?? value;
        }),
      ),
    };
  });
}

/** A value as an SQL literal (standard_conforming_strings: only quotes are doubled); the column's type is inferred. */
const literal = (value: string | null) => (value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`);

/**
 * One transaction, one multi-row INSERT … VALUES per table. The values are written into the
 * statement as literals, so that building it costs the client next to nothing.
 */
async function insertRaw(database: Database, tables: TableRows[]): Promise<void> {
  await database.db.transaction(async (tx) => {
    for (const { table, columns, rows } of tables) {
      if (rows.length === 0) continue;
      const values = rows.map((row) => `(${row.map(literal).join(', ')})`).join(',\n');
      await tx.execute(sql.raw(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}`));
    }
  });
}

const rowCount = (tables: TableRows[]) => tables.reduce((sum, table) => sum + table.rows.length, 0);

// ---------------------------------------------------------------------------------------
// the native API under load: autocannon in a child process (its own event loop and CPU time)

const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
const LOAD_CLIENT = `
const autocannon = require(process.argv[1]);
process.once('message', ({ url, headers, bodies, connections, amount }) => {
  let next = 0;
  let first;
  let last;
  const instance = autocannon({
    url, connections, amount, headers, timeout: 120,
    requests: [{ method: 'POST', path: '/events', setupRequest(req) { first ??= performance.now(); req.body = bodies[next++]; return req; } }],
  }, (error, result) => {
    if (error) throw error;
    process.send({ result, used: next, elapsedMs: last - first }, () => process.disconnect());
  });
  instance.on('response', () => { last = performance.now(); });
});`;

/**
 * `amount` requests over `connections` connections, each with the next body, and the time from
 * the first request to the last answer; autocannon may prepare one more per connection. A request gets 120 s (PGlite runs one transaction at a time,
 * so under this load some wait many seconds).
 */
function load(client: Client, bodies: string[], amount: number): Promise<autocannon.Result & { elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD_CLIENT, autocannonPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (message) => {
      settled = true;
      const { result, elapsedMs } = message as { result: autocannon.Result; elapsedMs: number };
      resolve({ ...result, elapsedMs });
    });
    child.once('error', reject);
    child.once('exit', (code) => settled || reject(new Error(`autocannon client exited with ${code}`)));
    child.send({
      url: client.baseUrl,
      headers: { authorization: `Bearer ${client.key}`, 'content-type': 'application/json' },
      bodies,
      connections: Math.min(CONNECTIONS, amount),
      amount,
    });
  });
}

type Native = { raw: string; cured: string; location: string; eventTime: string };

const NATIVE_KINDS = ['commission', 'transform', 'sell'] as const;
type NativeKind = (typeof NATIVE_KINDS)[number];

/** A commission of one new lot, or a transform or sale that uses up `lot` (100 kg of the party's own). */
function nativeBody(native: Native, kind: NativeKind, lotNumber: string, lot?: string): Json {
  const common = { eventTime: native.eventTime, readPoint: native.location, bizLocation: native.location };
  if (kind === 'commission')
    return { type: 'commission', ...common, lots: [{ productCode: native.raw, lotNumber, quantity: 100, unit: 'kg' }] };
  if (kind === 'transform') {
    return {
      type: 'transform',
      ...common,
      process: { kind: 'curing' },
      inputs: [{ lotCode: lot, quantity: 100 }],
      outputs: [{ productCode: native.cured, lotNumber, quantity: 70, unit: 'kg' }],
    };
  }
  return { type: 'sell', ...common, buyer: 'bench market', lines: [{ lotCode: lot, quantity: 100 }] };
}

/**
 * Request bodies that all succeed, in any order: commissions of new lots, and transforms and sales
 * that each use up a lot of their own (`lots`, two per three requests). Bodies past `amount` (the
 * ones autocannon prepares but may not send) are commissions.
 */
function nativeBodies(native: Native, run: string, amount: number, lots: string[]): string[] {
  const bodies: string[] = [];
  let used = 0;
  for (let i = 0; i < amount + CONNECTIONS; i++) {
    const kind = i < amount ? NATIVE_KINDS[i % 3] : 'commission';
    bodies.push(JSON.stringify(nativeBody(native, kind, `${run}-${i}`, kind === 'commission' ? undefined : lots[used++])));
  }
  return bodies;
}

/** Lots of 100 kg to use up, commissioned up front (untimed) in events of up to 1,000 lots. */
async function premadeLots(client: Client, native: Native, run: string, count: number): Promise<string[]> {
  const codes: string[] = [];
  for (let start = 0; start < count; start += LOTS_PER_COMMISSION) {
    const lots = Array.from({ length: Math.min(LOTS_PER_COMMISSION, count - start) }, (_, i) => ({
      productCode: native.raw,
      lotNumber: `${run}-P${start + i}`,
      quantity: 100,
      unit: 'kg',
    }));
    const body = { type: 'commission', eventTime: native.eventTime, readPoint: native.location, lots };
    codes.push(...((await expect(call(client, 'POST', '/events', body), 201, 'commission of lots to use up')).createdLotCodes as string[]));
  }
  return codes;
}

// ---------------------------------------------------------------------------------------
// what the database did meanwhile

type DatabaseUse = { statements: number; waitMs: number; cpuMs: number; systemMs: number; backendCpuMs: number | null; top: string };

/**
 * CPU time of the PostgreSQL backends serving this database (pid → ms), read from /proc: only when
 * the server runs on this machine (Linux), else null. Clock ticks are taken as 1/100 s.
 */
async function backendCpu(database: Database): Promise<Map<number, number> | null> {
  if (database.kind !== 'postgres') return null;
  const rows = await queryRows<{ pid: number }>(
    database.db,
    sql`select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      return null;
    }
  }
  return cpu;
}

/** The start of a statement's text on one line. */
const shortText = (statement: ObservedQuery, length = 44) =>
  statement.text
    .slice(0, 4 * length)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, length);

/**
 * Statements and database time while `work` runs, with the kinds of statement that took most of
 * it, and the CPU time of this process (the server: load generators run in child processes).
 */
async function databaseUse<T>(database: Database, work: () => Promise<T>): Promise<{ value: T; use: DatabaseUse }> {
  const kinds = new Map<string, { count: number; ms: number }>();
  const backendsBefore = await backendCpu(database);
  const queries = database.stats.queries;
  const waitMs = database.stats.waitMs;
  const cpu = process.cpuUsage();
  const stop = database.stats.observe((statement) => {
    const kind = shortText(statement);
    const seen = kinds.get(kind) ?? { count: 0, ms: 0 };
    kinds.set(kind, { count: seen.count + 1, ms: seen.ms + statement.ms });
  });
  let value: T;
  try {
    value = await work();
  } finally {
    stop();
  }
  const top = [...kinds]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 6)
    .map(([kind, { count, ms }]) => `      ${formatMs(ms).padStart(10)}  ${formatNumber(count).padStart(6)}×  ${kind}…`)
    .join('\n');
  const { user, system } = process.cpuUsage(cpu);
  const statements = database.stats.queries - queries;
  const spent = database.stats.waitMs - waitMs;
  // backends that were there before count from then; ones the pool opened meanwhile, in full
  const backendsAfter = backendsBefore ? await backendCpu(database) : null;
  const backendCpuMs = backendsAfter ? [...backendsAfter].reduce((sum, [pid, ms]) => sum + ms - (backendsBefore?.get(pid) ?? 0), 0) : null;
  return { value, use: { statements, waitMs: spent, cpuMs: (user + system) / 1000, systemMs: system / 1000, backendCpuMs, top } };
}

function useReport(database: Database, use: DatabaseUse, events: number, wallMs: number): string {
  return (
    `  SQL: ${(use.statements / events).toFixed(2)} statements/event (${formatNumber(use.statements)}); ` +
    `database time ${formatMs(use.waitMs, 0)} summed over statements (${formatMs((use.waitMs / events) * 1000, 0)} per 1,000 events) in ${formatMs(wallMs, 0)} wall\n` +
    `  CPU: server (this process${database.kind === 'pglite' ? ', PGlite included' : ''}) ${formatMs(use.cpuMs, 0)}, ${formatMs(use.cpuMs / events, 2)} per event (${((use.cpuMs / wallMs) * 100).toFixed(0)}% of one core, ${((use.systemMs / use.cpuMs) * 100).toFixed(0)}% of it in the kernel)` +
    (use.backendCpuMs === null
      ? '\n'
      : `; PostgreSQL backends ${formatMs(use.backendCpuMs, 0)}, ${formatMs(use.backendCpuMs / events, 2)} per event (${((use.backendCpuMs / wallMs) * 100).toFixed(0)}% of one core)\n`) +
    `  (a statement's time runs from sending it to its result being handled: it includes waiting for a busy event loop)\n` +
    `  where the database time went:\n${use.top}`
  );
}

const profiles: [string, string[]][] = [];

/** `work` under the CPU profiler when --profile is given. */
async function maybeProfiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!flags.profile) return work();
  const file = `bench-events-${name}.cpuprofile`;
  const { value, report } = await profiled(work, 20, file);
  profiles.push([`${name} (saved as ${file})`, report]);
  return value;
}

// ---------------------------------------------------------------------------------------
// the phases

type Figure = { name: string; value: string; against: string; met: boolean | null };
type Bench = { app: App; database: Database; admin: Client; client: Client; party: string; native: Native; time: () => string };

/** 1. EPCIS capture of 100-event documents, next to raw multi-row INSERTs of the same rows. */
async function capturePhase({ app, database, client, time }: Bench): Promise<Figure[]> {
  console.log(
    `\n1. EPCIS capture: ${DOCS} documents × ${EVENTS_PER_BLOCK} events (${COMMISSIONS} commission, ${TRANSFORMS} transform, ${TRANSFORMS} aggregate), after one untimed warm-up document`,
  );
  const warm = await captureRun(app, client, 0, 1, time);
  const timed = await databaseUse(database, () => maybeProfiled('capture', () => captureRun(app, client, 1, DOCS, time)));
  const capture = timed.value;
  const captured = capture.jobs.reduce((sum, job) => sum + job.eventIds.length, 0);
  const captureRate = captured / (capture.elapsed / 1000);
  console.log(
    `  capture  ${formatNumber(captured)} events in ${formatNumber(capture.elapsed / 1000, 2)} s → ${formatNumber(captureRate)} events/s` +
      `  (last 202 after ${formatNumber(capture.accepted / 1000, 2)} s; the jobs run meanwhile)`,
  );
  console.log(useReport(database, timed.use, captured, capture.elapsed));

  const columns = new Map<string, string[]>();
  for (const { table } of COPIED_TABLES) columns.set(table, await columnsOf(database.db, table));
  const copies = async (jobs: CaptureJob[]) => {
    const docs: TableRows[][] = [];
    for (const job of jobs) docs.push(copiesOf(await rowsOfEvents(database.db, columns, job.eventIds)));
    return docs;
  };
  for (const doc of await copies(warm.jobs)) await insertRaw(database, doc);
  const rawDocs = await copies(capture.jobs);
  const rows = rawDocs.reduce((sum, doc) => sum + rowCount(doc), 0);
  const rawTimed = await databaseUse(database, async () => {
    const start = performance.now();
    for (const doc of rawDocs) await insertRaw(database, doc);
    return performance.now() - start;
  });
  const rawMs = rawTimed.value;
  const rawRate = captured / (rawMs / 1000);
  const perTable = rawDocs[0].map((table) => `${table.table} ${formatNumber(table.rows.length)}`).join(', ');
  console.log(
    `  raw      the same ${formatNumber(rows)} rows (per document: ${perTable}) copied with multi-row INSERTs, one transaction per document:` +
      ` ${formatNumber(rawMs / 1000, 2)} s → ${formatNumber(rawRate)} events/s`,
  );
  console.log(useReport(database, rawTimed.use, captured, rawMs));
  const ratio = captureRate / rawRate;
  console.log(`  ratio    capture / raw = ${formatRatio(ratio)} (target ≥ ${formatRatio(TARGET_CAPTURE_RATIO)})`);
  return [
    {
      name: `EPCIS capture, ${EVENTS_PER_BLOCK}-event documents`,
      value: `${formatNumber(captureRate)} events/s`,
      against: `raw INSERT ${formatNumber(rawRate)} events/s`,
      met: null,
    },
    {
      name: '  capture / raw',
      value: formatRatio(ratio),
      against: `≥ ${formatRatio(TARGET_CAPTURE_RATIO)}`,
      met: ratio >= TARGET_CAPTURE_RATIO,
    },
  ];
}

/** 2. POST /events under concurrent load, then a serial probe of each kind of request. */
async function nativePhase({ database, client, native }: Bench): Promise<Figure[]> {
  console.log(
    `\n2. POST /events: ${formatNumber(REQUESTS)} requests over ${CONNECTIONS} connections after ${formatNumber(WARMUP)} untimed ones (⅓ commission, ⅓ transform, ⅓ sell)`,
  );
  const lotsNeeded = (amount: number) => Math.ceil((amount * 2) / 3) + 2;
  const warmLots = await premadeLots(client, native, 'W', lotsNeeded(WARMUP));
  const timedLots = await premadeLots(client, native, 'T', lotsNeeded(REQUESTS));
  const check = (name: string, result: autocannon.Result, amount: number) => {
    if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0 || result['2xx'] !== amount) {
      throw new Error(
        `${name}: ${result['2xx']} of ${amount} requests answered 2xx; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
      );
    }
  };
  check('warm-up', await load(client, nativeBodies(native, 'W', WARMUP, warmLots), WARMUP), WARMUP);
  const stored = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from events`))[0].n;
  const before = await stored();
  const bodies = nativeBodies(native, 'T', REQUESTS, timedLots);
  const loaded = await databaseUse(database, () => maybeProfiled('native', () => load(client, bodies, REQUESTS)));
  const result = loaded.value;
  check('timed run', result, REQUESTS);
  const written = (await stored()) - before;
  if (written !== REQUESTS) throw new Error(`${REQUESTS} requests answered 201 but ${written} events were stored`);
  // from the first request to the last answer (autocannon ends on its one-second tick: its own start and finish are whole seconds apart)
  const loadMs = result.elapsedMs;
  const rate = REQUESTS / (loadMs / 1000);
  console.log(
    `  ${formatNumber(REQUESTS)} events (all 201) in ${formatNumber(loadMs / 1000, 2)} s → ${formatNumber(rate)} events/s;` +
      ` latency p50 ${formatMs(result.latency.p50)}, p90 ${formatMs(result.latency.p90)}, p99 ${formatMs(result.latency.p99)}, max ${formatMs(result.latency.max)}`,
  );
  console.log(useReport(database, loaded.use, REQUESTS, loadMs));
  console.log(
    `  per request: ${formatMs(loaded.use.waitMs / REQUESTS)} in statements against ${formatMs(result.latency.average)} mean latency` +
      ` (${database.kind === 'postgres' ? "the rest is mostly waiting for one of the pool's connections" : 'PGlite runs one transaction at a time'})`,
  );
  await probe(database, client, native);
  return [
    {
      name: `POST /events, ${CONNECTIONS} connections`,
      value: `${formatNumber(rate)} events/s`,
      against: `≥ ${formatNumber(TARGET_NATIVE_RATE)} events/s`,
      met: rate >= TARGET_NATIVE_RATE,
    },
    {
      name: '  p99 latency',
      value: formatMs(result.latency.p99, 0),
      against: `≤ ${TARGET_NATIVE_P99_MS} ms`,
      met: result.latency.p99 <= TARGET_NATIVE_P99_MS,
    },
    { name: '  SQL statements per event', value: (loaded.use.statements / REQUESTS).toFixed(2), against: '', met: null },
  ];
}

/**
 * What one request of each kind costs with nothing else in flight: its statements (those of the
 * last request listed, with their milliseconds) and the planning time of the writer's statement.
 */
async function probe(database: Database, client: Client, native: Native) {
  console.log(`  serial probe, ${PROBE} requests of each kind one at a time (per request; this process runs the fetch client too):`);
  const lots = await premadeLots(client, native, 'S', 2 * PROBE);
  let used = 0;
  let persist: ObservedQuery | undefined;
  for (const kind of NATIVE_KINDS) {
    const bodies = Array.from({ length: PROBE }, (_, i) =>
      nativeBody(native, kind, `S-${kind}-${i}`, kind === 'commission' ? undefined : lots[used++]),
    );
    const statements: ObservedQuery[] = [];
    let lastStart = 0;
    let lastEnd = 0;
    const stop = database.stats.observe((statement) => statements.push(statement));
    const { value: wallMs, use } = await databaseUse(database, async () => {
      let ms = 0;
      for (const body of bodies) {
        lastStart = statements.length;
        const start = performance.now();
        await expect(call(client, 'POST', '/events', body), 201, `probe ${kind}`);
        ms += performance.now() - start;
        lastEnd = statements.length;
      }
      return ms;
    }).finally(stop);
    const last = statements.slice(lastStart, lastEnd);
    persist = last.find((statement) => statement.text.includes('new_events as (insert')) ?? persist;
    const backend = use.backendCpuMs === null ? '' : `, PostgreSQL backends ${formatMs(use.backendCpuMs / PROBE, 2)}`;
    console.log(
      `    ${kind.padEnd(10)} ${(use.statements / PROBE).toFixed(1)} statements, ${formatMs(wallMs / PROBE, 2)} wall, ` +
        `${formatMs(use.waitMs / PROBE, 2)} in statements; CPU: this process ${formatMs(use.cpuMs / PROBE, 2)}${backend}` +
        `\n      ${last.map((statement) => `${shortText(statement, 28)} ${statement.ms.toFixed(2)}`).join(' | ')}`,
    );
  }
  if (persist) {
    const planning = (await explain(database, persist, 'summary')).find((line) => line.startsWith('Planning Time'));
    console.log(
      `    the writer's one statement: ${formatNumber(persist.text.length)} characters, ${persist.params.length} parameters; ${planning ?? 'no planning time reported'} (EXPLAIN, second run)`,
    );
  }
}

/** 3. One capture job of --large events: from the POST to the job's success. */
async function largePhase({ app, database, client, time }: Bench): Promise<Figure[]> {
  const blocks = Math.max(1, Math.floor(LARGE / EVENTS_PER_BLOCK));
  const events = blocks * EVENTS_PER_BLOCK;
  console.log(`\n3. One capture job of ${formatNumber(events)} events (the same mix; rollback on error)`);
  const document = epcisDocument(2, 0, blocks, time);
  // how long the server answers nobody while the job runs: the longest event-loop stall
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  const timed = await databaseUse(database, () =>
    maybeProfiled('large', async () => {
      const start = performance.now();
      stalls.enable();
      const reply = await expect(call(client, 'POST', '/epcis/capture', document, 'application/ld+json'), 202, 'large capture');
      const accepted = performance.now() - start;
      await app.services.epcis.idle();
      stalls.disable();
      return { id: reply.captureID as string, accepted, elapsed: performance.now() - start };
    }),
  );
  await finishedJobs(client, [timed.value.id], events);
  const seconds = timed.value.elapsed / 1000;
  console.log(
    `  POST to success in ${formatNumber(seconds, 2)} s (202 after ${formatNumber(timed.value.accepted / 1000, 2)} s) → ${formatNumber(events / seconds)} events/s`,
  );
  console.log(
    `  longest event-loop stall ${formatNumber(stalls.max / 1e6)} ms, p99 ${formatNumber(stalls.percentile(99) / 1e6)} ms (other requests wait that long)`,
  );
  console.log(useReport(database, timed.use, events, timed.value.elapsed));
  return [
    {
      name: `${formatNumber(events)}-event capture job`,
      value: `${formatNumber(seconds, 2)} s`,
      against: `≤ ${TARGET_LARGE_S} s`,
      met: seconds <= TARGET_LARGE_S,
    },
  ];
}

/** 4. One document commissioning --epcs single items in 14 events: its time, and what others wait meanwhile. */
async function epcsPhase({ app, client, time }: Bench): Promise<Figure[]> {
  const perEvent = Math.ceil(flags.epcs / EPC_EVENTS);
  console.log(`\n4. One capture of ${EPC_EVENTS} events × ${formatNumber(perEvent)} EPCs (commissioning; rollback on error)`);
  const serial = (event: number, i: number) => `https://id.gs1.org/01/${RAW_GTIN}/21/S${event}-${i}`;
  const document = {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: {
      eventList: Array.from({ length: EPC_EVENTS }, (_, event) => ({
        type: 'ObjectEvent',
        eventTime: time(),
        eventTimeZoneOffset: '+08:00',
        epcList: Array.from({ length: perEvent }, (_, i) => serial(event, i)),
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
      })),
    },
  };
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  let slowestHealth = 0;
  let running = true;
  const prober = (async () => {
    while (running) {
      const sent = performance.now();
      await fetch(`${client.baseUrl}/health`);
      slowestHealth = Math.max(slowestHealth, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  stalls.enable();
  const { reply, accepted, elapsed } = await maybeProfiled('epcs', async () => {
    const start = performance.now();
    const reply = await expect(call(client, 'POST', '/epcis/capture', document, 'application/ld+json'), 202, 'EPC capture');
    const accepted = performance.now() - start;
    await app.services.epcis.idle();
    return { reply, accepted, elapsed: performance.now() - start };
  });
  stalls.disable();
  running = false;
  await prober;
  await finishedJobs(client, [reply.captureID as string], EPC_EVENTS);
  console.log(
    `  POST to success in ${formatNumber(elapsed / 1000, 2)} s (202 after ${formatNumber(accepted / 1000, 2)} s); longest event-loop stall ${formatNumber(stalls.max / 1e6)} ms; slowest GET /health meanwhile ${formatNumber(slowestHealth)} ms`,
  );
  return [
    {
      name: `${formatNumber(EPC_EVENTS * perEvent)}-EPC capture`,
      value: `${formatNumber(elapsed / 1000, 2)} s`,
      against: '',
      met: null,
    },
    { name: '  slowest GET /health meanwhile', value: `${formatNumber(slowestHealth)} ms`, against: '', met: null },
  ];
}

/**
 * 5. One capture job of --proceed events under `proceed`, every tenth a sale refused by the held-then
 * rule, next to the same document with none refused. A supplier's lot of 1,000,000 kg reaches the
 * party in two parts, 50 kg received 30 days ago and the rest 20 days ago: a sale of 60 kg dated
 * between them takes more than the party held then (though not more than it holds now).
 */
async function proceedPhase({ app, database, admin, client, party }: Bench): Promise<Figure[]> {
  const sales = Math.floor(flags.proceed / 10);
  const blocks = Math.ceil((flags.proceed - sales) / EVENTS_PER_BLOCK);
  const uscc = completeUscc(`91500236${customAlphabet(MOD31_CHARSET, 9)()}`);
  const supplier = await expect(
    call(admin, 'POST', '/parties', { kind: 'processor', name: 'bench supplier', uscc, regionCode: '500236' }),
    201,
    'supplier',
  );
  const supplierKey = await expect(call(admin, 'POST', '/api-keys', { role: 'operator', partyCode: supplier.code }), 201, 'supplier key');
  const supplierClient: Client = { baseUrl: client.baseUrl, key: supplierKey.key as string };
  const product = await expect(
    call(supplierClient, 'POST', '/products', {
      partyCode: supplier.code,
      name: 'pork halves',
      gtin: SUPPLIER_GTIN,
      category: 'fresh_meat',
      unit: 'kg',
    }),
    201,
    'supplier product',
  );
  const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const lotNumber = `PROCEED-${randomUUID().slice(0, 8)}`;
  const [lot] = (
    await expect(
      call(supplierClient, 'POST', '/events', {
        type: 'commission',
        eventTime: ago(40),
        lots: [{ productCode: product.code, lotNumber, quantity: 1_000_000, unit: 'kg' }],
      }),
      201,
      'supplier lot',
    )
  ).createdLotCodes as string[];
  for (const [days, quantity] of [
    [30, 50],
    [20, 999_950],
  ]) {
    const { shipmentId } = await expect(
      call(supplierClient, 'POST', '/events', {
        type: 'ship',
        eventTime: ago(days + 0.5),
        toPartyCode: party,
        lines: [{ lotCode: lot, quantity }],
      }),
      201,
      'supplier shipment',
    );
    await expect(call(client, 'POST', '/events', { type: 'receive', eventTime: ago(days), shipmentId }), 201, 'receipt');
  }
  const events = blocks * EVENTS_PER_BLOCK + sales;
  console.log(
    `\n5. One capture job of ${formatNumber(events)} events under proceed: the capture mix and ${formatNumber(sales)} sales of a received lot, every tenth event, refused or not`,
  );
  const sale = (time: string) => ({
    type: 'ObjectEvent',
    eventTime: time,
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'retail_selling',
    quantityList: [{ epcClass: `https://id.gs1.org/01/${SUPPLIER_GTIN}/10/${lotNumber}`, quantity: 60, uom: 'KGM' }],
  });
  const document = (run: number, saleTime: (i: number) => string): Json => {
    const time = clock(blocks * EVENTS_PER_BLOCK);
    const mix = Array.from({ length: blocks }, (_, block) => epcisBlock(run, block, time)).flat();
    // every tenth event a sale, while there are sales left
    const eventList: Json[] = Array.from({ length: events }, (_, at) =>
      at % 10 === 9 && at / 10 < sales ? sale(saleTime(Math.floor(at / 10))) : (mix.shift() as Json),
    );
    return {
      '@context': CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: { eventList },
    };
  };
  const seconds = (i: number) => i * 1000;
  const capture = async (name: string, body: Json, refused: number) => {
    const timed = await databaseUse(database, () =>
      maybeProfiled(name, async () => {
        const start = performance.now();
        const reply = await expect(
          call(client, 'POST', '/epcis/capture', body, 'application/ld+json', { 'GS1-Capture-Error-Behaviour': 'proceed' }),
          202,
          `${name} capture`,
        );
        await app.services.epcis.idle();
        return { id: reply.captureID as string, elapsed: performance.now() - start };
      }),
    );
    const job = await expect(call(client, 'GET', `/epcis/capture/${timed.value.id}`), 200, 'capture job');
    const errors = job.errors as { message: string }[];
    if (job.captured !== events - refused || errors.length !== refused || !errors.every((error) => /held/.test(error.message)))
      throw new Error(`${name}: expected ${events - refused} captured and ${refused} refused: ${JSON.stringify(job).slice(0, 500)}`);
    console.log(
      `  ${name.padEnd(8)} ${formatNumber(events - refused)} captured, ${formatNumber(refused)} refused: POST to done in ${formatNumber(timed.value.elapsed / 1000, 2)} s`,
    );
    console.log(useReport(database, timed.use, events, timed.value.elapsed));
    return timed.value.elapsed;
  };
  // untimed: the first capture of a run pays for what is cold
  await capture(
    'warm-up',
    document(4, (i) => new Date(Date.parse(ago(12)) + seconds(i)).toISOString()),
    0,
  );
  const clean = await capture(
    'clean',
    document(5, (i) => new Date(Date.parse(ago(15)) + seconds(i)).toISOString()),
    0,
  );
  const refused = await capture(
    'refused',
    document(6, (i) => new Date(Date.parse(ago(25)) + seconds(i)).toISOString()),
    sales,
  );
  return [
    {
      name: `${formatNumber(events)}-event proceed capture, ${formatNumber(sales)} refused`,
      value: `${formatNumber(refused / 1000, 2)} s`,
      against: `none refused ${formatNumber(clean / 1000, 2)} s (${formatRatio(refused / clean)})`,
      met: null,
    },
  ];
}

// ---------------------------------------------------------------------------------------
// run

async function main({ database, label }: Scratch) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await buildApp({ database, bodyLimit: 32 * 1024 * 1024, publicBaseUrl: 'https://bench.example' });
  try {
    await app.listen({ host: '127.0.0.1', port });
    await run(app, database, label, baseUrl);
  } finally {
    await app.close();
  }
}

/** One processor party with an operator key, two products with GTINs and a plant; then the phases. */
async function run(app: App, database: Database, label: string, baseUrl: string) {
  const admin: Client = { baseUrl, key: (await app.services.apiKeys.ensureAdminKey()) as string };
  const uscc = completeUscc(`91500236${customAlphabet(MOD31_CHARSET, 9)()}`);
  const party = await expect(
    call(admin, 'POST', '/parties', { kind: 'processor', name: 'bench processor', uscc, regionCode: '500236' }),
    201,
    'party',
  );
  const partyCode = party.code as string;
  const operatorKey = await expect(call(admin, 'POST', '/api-keys', { role: 'operator', partyCode }), 201, 'operator key');
  const client: Client = { baseUrl, key: operatorKey.key as string };
  const product = async (name: string, gtin: string, category: string) =>
    (await expect(call(client, 'POST', '/products', { partyCode, name, gtin, category, unit: 'kg' }), 201, 'product')).code as string;
  const raw = await product('fresh pork', RAW_GTIN, 'fresh_meat');
  const cured = await product('cured pork', CURED_GTIN, 'cured_meat');
  const location = (
    await expect(call(client, 'POST', '/locations', { partyCode, name: 'plant', kind: 'plant', regionCode: '500236' }), 201, 'location')
  ).code as string;
  const bench: Bench = {
    app,
    database,
    admin,
    client,
    party: partyCode,
    native: { raw, cured, location, eventTime: new Date(Date.now() - 5 * 60_000).toISOString() },
    time: clock((DOCS + 1) * EVENTS_PER_BLOCK + LARGE + EPC_EVENTS),
  };

  console.log(`database   ${label}`);
  console.log(
    `machine    ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (server, database and load generator share them)`,
  );
  const figures = flags['proceed-only']
    ? await proceedPhase(bench)
    : [
        ...(await capturePhase(bench)),
        ...(await nativePhase(bench)),
        ...(await largePhase(bench)),
        ...(await epcsPhase(bench)),
        ...(await proceedPhase(bench)),
      ];

  for (const [name, report] of profiles) console.log(`\nCPU profile of the server, ${name}:\n${report.join('\n')}`);
  console.log(`\nsummary (${label})${database.kind === 'postgres' ? '' : ': the targets are set for PostgreSQL'}`);
  printTable(
    ['figure', 'measured', 'baseline / target', 'met'],
    figures.map((figure) => [figure.name, figure.value, figure.against, figure.met === null ? '' : figure.met ? 'MET' : 'MISSED']),
  );
}

await withScratchDatabase('events', main);
