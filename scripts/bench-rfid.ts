// RFID ingest benchmark: readers posting Zebra IoT Connector batches over HTTP, next to a raw COPY
// of the same rows into the same database in the same run.
//
//   npx tsx scripts/bench-rfid.ts [--readers 16] [--batch 500] [--batches 25] [--warmup 2]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_rfid_<random> database on that server,
// dropped at the end, also after a failure or Ctrl-C), else an in-memory PGlite. The app listens
// on a local port; the readers run in a child process (their own event loop and CPU), each with
// its own reader key, posting --batches batches of --batch reads (Zebra SIMPLE events, every read
// a different tag, times of now) one after the other, all readers at once. Each batch is answered
// only after it is stored. --warmup batches per reader go first, untimed.
//
// Measured: reads/s over the run (first post to last answer) and the latency of a batch (p50,
// p99). Baseline: the same number of rows (the stored rows of the run, copied under new tags)
// written with one COPY into rfid_reads, the same table with the same indexes. Target: ingest ≥
// 0.25× the COPY rate. Afterwards every stored row is counted: as many rows as reads sent, each
// read once (nothing lost, nothing duplicated). Observations do not become events during the run:
// their 30 s windows are still open. Timings never fail the process: it is a benchmark.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { queryRows } from '../src/db/client.js';
import { parseFlags } from './lib/args.js';
import { type Scratch, withScratchDatabase } from './lib/database.js';
import { formatMs, formatNumber, formatRatio, printTable } from './lib/report.js';
import { freePort } from './lib/server.js';

const flags = parseFlags({ readers: 16, batch: 500, batches: 25, warmup: 2 });
const TARGET_RATIO = 0.25;

type Json = Record<string, unknown>;

async function call(baseUrl: string, key: string, method: string, url: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

// The readers: each posts its batches one after the other, all readers at once; per batch the
// time from sending to the answer.
const READERS = `
process.once('message', async ({ baseUrl, readers, batch, batches, warmup }) => {
  const pad = (n, width) => String(n).padStart(width, '0');
  const offset = '+0800';
  const bodyOf = (reader, index, first) => {
    const time = new Date(Date.now() + 8 * 3600000).toISOString().replace('Z', offset);
    const events = [];
    for (let read = 0; read < batch; read++) {
      events.push({ data: { eventNum: index * batch + read, format: 'epc', idHex: 'E280' + pad(reader.number, 4) + pad(first + index, 8) + pad(read, 8),
        antenna: 1, peakRssi: -40 - (read % 20), reads: 1, hostName: reader.hostName }, timestamp: time, type: 'SIMPLE' });
    }
    return JSON.stringify(events);
  };
  const post = async (reader, body) => {
    const started = performance.now();
    const response = await fetch(baseUrl + '/rfid/zebra', { method: 'POST', body,
      headers: { authorization: 'Bearer ' + reader.key, 'content-type': 'application/json' } });
    const text = await response.text();
    if (response.status !== 202) throw new Error('batch answered ' + response.status + ': ' + text.slice(0, 300));
    return performance.now() - started;
  };
  await Promise.all(readers.map(async (reader) => { for (let i = 0; i < warmup; i++) await post(reader, bodyOf(reader, i, 0)); }));
  const latencies = [];
  const started = performance.now();
  await Promise.all(readers.map(async (reader) => {
    for (let i = 0; i < batches; i++) latencies.push(await post(reader, bodyOf(reader, i, warmup)));
  }));
  const elapsedMs = performance.now() - started;
  process.send({ latencies, elapsedMs }, () => process.disconnect());
});`;

function runReaders(message: Json): Promise<{ latencies: number[]; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', READERS], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (result) => {
      settled = true;
      resolve(result as { latencies: number[]; elapsedMs: number });
    });
    child.once('error', reject);
    child.once('exit', (code) => settled || reject(new Error(`reader process exited with ${code}`)));
    child.send(message);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main({ database, label }: Scratch) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await buildApp({ database, bodyLimit: 8 * 1024 * 1024, publicBaseUrl: 'https://bench.example' });
  try {
    await app.listen({ host: '127.0.0.1', port });
    const adminKey = (await app.services.apiKeys.ensureAdminKey()) as string;
    const party = await call(baseUrl, adminKey, 'POST', '/parties', {
      kind: 'cold_storage',
      name: 'bench cold store',
      regionCode: '500236',
    });
    const partyCode = party.code as string;
    const operatorKey = (await call(baseUrl, adminKey, 'POST', '/api-keys', { role: 'operator', partyCode })).key as string;
    const location = await call(baseUrl, operatorKey, 'POST', '/locations', {
      partyCode,
      name: '冷库 1 号门',
      kind: 'cold_store',
      regionCode: '500236',
    });
    const readers = [];
    for (let number = 0; number < flags.readers; number++) {
      const hostName = `FX9600-BENCH-${number}`;
      const reader = await call(baseUrl, operatorKey, 'POST', '/rfid/readers', { partyCode, hostName });
      await call(baseUrl, operatorKey, 'POST', '/rfid/read-points', {
        partyCode,
        locationCode: location.code,
        name: `门 ${number}`,
        role: 'observe',
        antennas: [{ readerId: reader.id, antenna: '*' }],
      });
      readers.push({ number, hostName, key: reader.key });
    }

    console.log(`database   ${label}`);
    console.log(
      `machine    ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (server, database and readers share them)`,
    );
    console.log(
      `load       ${flags.readers} readers × ${flags.batches} batches of ${flags.batch} reads (after ${flags.warmup} warm-up batches each)`,
    );
    const queriesBefore = database.stats.queries;
    const { latencies, elapsedMs } = await runReaders({
      baseUrl,
      readers,
      batch: flags.batch,
      batches: flags.batches,
      warmup: flags.warmup,
    });
    const statements = database.stats.queries - queriesBefore;
    const timedReads = flags.readers * flags.batches * flags.batch;
    const sentReads = flags.readers * (flags.batches + flags.warmup) * flags.batch;
    const ingestRate = timedReads / (elapsedMs / 1000);
    const sorted = latencies.sort((a, b) => a - b);

    // nothing lost or duplicated: every read is its own tag, so one row per read with a count of 1
    const [stored] = await queryRows<{ rows: number; reads: number; tags: number; batches: number }>(
      database.db,
      sql`select count(*)::int as rows, coalesce(sum(read_count), 0)::int as reads, count(distinct tag)::int as tags,
        (select count(*)::int from rfid_batches) as batches from rfid_reads`,
    );

    // the baseline: the stored rows again, under new tags, in one COPY into the same table
    const columns = [
      'party_code',
      'read_point_id',
      'tag',
      'tag_key',
      'window_start',
      'window_end',
      'reader_id',
      'antenna',
      'tid',
      'first_seen',
      'first_seen_raw',
      'last_seen',
      'read_count',
      'peak_rssi',
      'batch_id',
    ];
    const rows = (
      await queryRows<Record<string, unknown>>(
        database.db,
        sql`select party_code, read_point_id, tag, tag_key, window_start::text, window_end::text, reader_id, antenna, tid, first_seen::text,
          first_seen_raw, last_seen::text, read_count, peak_rssi, batch_id from rfid_reads`,
      )
    ).map((row) =>
      columns.map((column) => (column === 'tag' || column === 'tag_key' ? `C${row[column]}` : (row[column] as string | number | null))),
    );
    const copyStarted = performance.now();
    await database.copyRows('rfid_reads', columns, rows);
    const copyMs = performance.now() - copyStarted;
    const copyRate = rows.length / (copyMs / 1000);
    const ratio = ingestRate / copyRate;

    console.log('');
    printTable(
      ['figure', 'measured', 'baseline / target', 'met'],
      [
        ['ingest over HTTP', `${formatNumber(ingestRate)} reads/s`, `${formatNumber(timedReads)} reads in ${formatMs(elapsedMs, 0)}`, ''],
        ['  batch latency p50', formatMs(percentile(sorted, 50)), '', ''],
        ['  batch latency p99', formatMs(percentile(sorted, 99)), '', ''],
        ['  SQL statements per batch', formatNumber(statements / latencies.length, 2), '', ''],
        ['raw COPY, same rows', `${formatNumber(copyRate)} rows/s`, `${formatNumber(rows.length)} rows in ${formatMs(copyMs, 0)}`, ''],
        ['ingest / COPY', formatRatio(ratio), `≥ ${formatRatio(TARGET_RATIO)}`, ratio >= TARGET_RATIO ? 'MET' : 'MISSED'],
        [
          'stored after the run',
          `${formatNumber(stored.rows)} rows, ${formatNumber(stored.reads)} reads`,
          `${formatNumber(sentReads)} reads sent`,
          stored.rows === sentReads && stored.reads === sentReads && stored.tags === sentReads ? 'MET' : 'MISSED',
        ],
        ['  batches stored', formatNumber(stored.batches), formatNumber(flags.readers * (flags.batches + flags.warmup)), ''],
      ],
    );
  } finally {
    await app.close();
  }
}

await withScratchDatabase('rfid', main);
