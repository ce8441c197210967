// Code-job benchmark: how long consumer scans (GET /t/{code}) take while a code job runs, against
// no job, and how fast the job issues its codes.
//
//   npx tsx scripts/bench-issuance.ts [--codes 50000] [--idle 5] [--batch N]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_issuance_<random> database, dropped at the
// end), else an in-memory PGlite. Seeds the Fengjie demo chain, whose pack lot has 300 codes, then,
// after a first job to warm up (not reported):
//   idle   scans of those codes, one after the other, for --idle seconds with no job running
//   alone  a job of --codes codes for a lot packed in as many packs, nothing else running
//   job    the same job again (another lot), scans running as in `idle` until it has finished
// Scans alternate HTML and JSON, from a client on a thread of its own that times each one to its
// last byte. --batch sets the codes a job stores in each transaction (unset: the service's own for
// the database, CODE_JOB_BATCH), so one run can be compared with another batch size.
// Timings never fail the process: it is a benchmark, not a test.

import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../seeds/fengjie.js';
import type { Principal } from '../src/access/index.js';
import { type App, buildApp } from '../src/app.js';
import { type Database, queryRows } from '../src/db/client.js';
import { CODE_JOB_BATCH } from '../src/items/service.js';
import { parseFlags } from './lib/args.js';
import { type Scratch, withScratchDatabase } from './lib/database.js';
import { packDemoLot } from './lib/demo-lots.js';
import { formatMs, formatNumber, formatRate, printTable } from './lib/report.js';
import { clientThread, freePort } from './lib/server.js';

const flags = parseFlags({ codes: 50_000, idle: 5, batch: 0 });

/** The value below which `share` of the sorted values lie. */
const percentile = (sorted: number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? Number.NaN;

function latencyRow(name: string, ms: number[]): string[] {
  const sorted = [...ms].sort((a, b) => a - b);
  return [
    name,
    formatNumber(sorted.length),
    formatMs(percentile(sorted, 0.5)),
    formatMs(percentile(sorted, 0.95)),
    formatMs(sorted.at(-1) ?? Number.NaN),
  ];
}

async function main({ database, label }: Scratch) {
  const batch = flags.batch || CODE_JOB_BATCH[database.kind];
  console.log(
    `database: ${label}; ${batch} codes a batch; ${cpus().length} CPUs, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // every scan comes from this host: its allowance must not be what is measured
  const app = await buildApp({ database, publicBaseUrl: baseUrl, logger: false, scansPerMinute: 2 ** 31 - 1, codeJobBatch: batch });
  const client = clientThread();
  try {
    await app.listen({ host: '127.0.0.1', port });
    await run(app, database, baseUrl, client);
  } finally {
    await client.close();
    await app.close();
  }
}

async function run(app: App, database: Database, baseUrl: string, client: ReturnType<typeof clientThread>) {
  const demo = await seedDemoChain(app.services);
  await app.services.items.idle();
  const codes = (await queryRows<{ code: string }>(database.db, sql`select code from items`)).map((row) => row.code);
  const operator: Principal = { keyId: 'bench', role: 'operator', partyCode: demo.parties.processor };
  /** A lot packed from the cured meat in as many packs as the job's codes. */
  const packLot = (lotNumber: string) => packDemoLot(app, database, demo, operator, { lotNumber, packs: flags.codes });

  /** Scans one after the other until `until` settles; their times to the last byte. */
  const scanUntil = async (until: Promise<unknown>) => {
    let settled = false;
    const stop = () => {
      settled = true;
    };
    // a failed job is reported where it is awaited
    until.then(stop, stop);
    const ms: number[] = [];
    for (let i = 0; !settled; i++) {
      const accept = i % 2 === 0 ? 'text/html' : 'application/json';
      const fetched = await client.get(`${baseUrl}/t/${codes[i % codes.length]}`, { accept });
      if (fetched.status !== 200) throw new Error(`GET /t/{code} answered ${fetched.status}`);
      ms.push(fetched.ms);
    }
    return ms;
  };

  /** A job of --codes codes, from its request to its end: its time. */
  const issue = async (lotNumber: string) => {
    const lot = await packLot(lotNumber);
    const started = performance.now();
    const job = await app.services.items.issue(operator, lot, flags.codes);
    await app.services.items.idle();
    const elapsed = performance.now() - started;
    const done = await app.services.items.job(operator, job.id);
    if (done.status !== 'succeeded') throw new Error(`code job ${job.id} ${done.status}: ${done.error}`);
    return elapsed;
  };

  // the first job's statements are planned and its code compiled: not part of what is measured
  await issue('KZ-LR-WARMUP');
  const idle = await scanUntil(new Promise((resolve) => setTimeout(resolve, flags.idle * 1000)));
  const aloneMs = await issue('KZ-LR-ALONE');
  const issuing = issue('KZ-LR-SCANNED');
  const during = await scanUntil(issuing);
  const scannedMs = await issuing;

  console.log(`\nGET /t/{code}, one scan at a time (HTML and JSON alternating)`);
  printTable(
    ['while', 'scans', 'p50', 'p95', 'max'],
    [latencyRow('no job', idle), latencyRow(`a job of ${formatNumber(flags.codes)}`, during)],
  );
  console.log(`\ncode job of ${formatNumber(flags.codes)} codes`);
  printTable(
    ['job', 'time', 'codes/s'],
    [
      ['alone', formatMs(aloneMs, 0), formatRate(flags.codes, aloneMs)],
      ['while scanned', formatMs(scannedMs, 0), formatRate(flags.codes, scannedMs)],
    ],
  );
  console.log(
    `load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
}

await withScratchDatabase('issuance', main);
