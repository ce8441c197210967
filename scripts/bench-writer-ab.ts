// The event writer's CPU per event in two (or more) checkouts of this repository, measured side by
// side in one process, rounds alternated: on a shared machine the full benchmark's CPU figures move
// by a fifth from run to run with the other work, which hides a change of a tenth; rounds of each
// checkout taken one after the other see the same machine.
//
//   DATABASE_URL=postgres://… npm run bench:writer-ab -- /path/to/base /path/to/new
//       [--rounds 8] [--capture] [--blocks 20] [--batches 20] [--per 30]
//
// Each checkout (a worktree with node_modules) gets its own app, built from its own src/, on its own
// scratch database (ab_<random>, dropped at the end), with one processor party, its operator key, two
// products and a plant. Each round then runs, for each checkout in turn (the order alternating
// between rounds), either --batches groups of --per native POST /events sent together (a third
// commissioning, a third transforming, a third selling a lot commissioned beforehand; they form
// one group-commit batch of --per) or, with --capture, one EPCIS capture of --blocks × 100 events
// (as in bench-events.ts), through app.inject. It prints this process's CPU time per event and that
// of the PostgreSQL backends of the checkout's database (from /proc) for each round, then the
// medians and in how many rounds each checkout was the cheaper one, by either figure. The first round warms up and is
// not counted.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { customAlphabet } from 'nanoid';
import pg from 'pg';
import { CONTEXT, epcisBlock } from './lib/epcis-mix.js';

const { values, positionals } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    capture: { type: 'boolean', default: false },
    blocks: { type: 'string', default: '20' },
    batches: { type: 'string', default: '20' },
    per: { type: 'string', default: '30' },
  },
  allowPositionals: true,
});
const ROUNDS = Number(values.rounds);
const BLOCKS = Number(values.blocks);
const BATCHES = Number(values.batches);
const PER = Number(values.per);
const baseUrl = process.env.DATABASE_URL;
if (!baseUrl || positionals.length < 2) {
  console.error('usage: DATABASE_URL=postgres://… tsx scripts/bench-writer-ab.ts <checkout> <checkout> [--rounds n] [--capture]');
  process.exit(2);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

type Json = Record<string, unknown>;
type Checkout = {
  dir: string;
  db: string;
  app: {
    inject: (options: Json) => Promise<{ statusCode: number; body: string; json: () => Json }>;
    close: () => Promise<void>;
    services: { epcis: { idle: () => Promise<void> } };
  };
  key: string;
  native: { raw: string; cured: string; location: string; eventTime: string };
  lots: string[];
  used: number;
};

async function call(checkout: Checkout, method: string, url: string, body?: unknown, contentType = 'application/json') {
  const reply = await checkout.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${checkout.key}`, 'content-type': contentType },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  if (reply.statusCode >= 300) throw new Error(`${method} ${url}: ${reply.statusCode} ${reply.body.slice(0, 300)}`);
  return reply.json();
}

async function open(dir: string, lotsNeeded: number): Promise<Checkout> {
  const db = `ab_${customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10)()}`;
  await admin((client) => client.query(`create database ${db} template template0`));
  const url = new URL(baseUrl as string);
  url.pathname = `/${db}`;
  const { openPostgres } = await import(`${dir}/src/db/client.ts`);
  const { buildApp } = await import(`${dir}/src/app.ts`);
  const { completeUscc } = await import(`${dir}/src/codes/uscc.ts`);
  const { completeGs1 } = await import(`${dir}/src/codes/gs1.ts`);
  const database = await openPostgres(url.toString());
  await database.migrate();
  const app = await buildApp({ database, bodyLimit: 32 * 1024 * 1024, publicBaseUrl: 'https://bench.example' });
  const checkout: Checkout = {
    dir,
    db,
    app,
    key: await app.services.apiKeys.ensureAdminKey(),
    native: {} as never,
    lots: [],
    used: 0,
  };
  const party = await call(checkout, 'POST', '/parties', {
    kind: 'processor',
    name: 'ab processor',
    uscc: completeUscc('91500236ABCDEFGH1'),
    regionCode: '500236',
  });
  checkout.key = (await call(checkout, 'POST', '/api-keys', { role: 'operator', partyCode: party.code })).key as string;
  const product = async (name: string, gtin: string, category: string) =>
    (await call(checkout, 'POST', '/products', { partyCode: party.code, name, gtin, category, unit: 'kg' })).code as string;
  checkout.native = {
    raw: await product('fresh pork', completeGs1('0690123400001'), 'fresh_meat'),
    cured: await product('cured pork', completeGs1('0690123400002'), 'cured_meat'),
    location: (await call(checkout, 'POST', '/locations', { partyCode: party.code, name: 'plant', kind: 'plant', regionCode: '500236' }))
      .code as string,
    eventTime: new Date(Date.now() - 5 * 60_000).toISOString(),
  };
  for (let start = 0; start < lotsNeeded; start += 1000) {
    const lots = Array.from({ length: 1000 }, (_, i) => ({
      productCode: checkout.native.raw,
      lotNumber: `P${start + i}`,
      quantity: 100,
      unit: 'kg',
    }));
    const made = await call(checkout, 'POST', '/events', { type: 'commission', eventTime: checkout.native.eventTime, lots });
    checkout.lots.push(...(made.createdLotCodes as string[]));
  }
  return checkout;
}

let sequence = 0;
function nativeBody(checkout: Checkout, kind: number): Json {
  const { raw, cured, location, eventTime } = checkout.native;
  const common = { eventTime, readPoint: location, bizLocation: location };
  const number = `N${sequence++}`;
  if (kind === 0) return { type: 'commission', ...common, lots: [{ productCode: raw, lotNumber: number, quantity: 100, unit: 'kg' }] };
  const lotCode = checkout.lots[checkout.used++];
  if (kind === 1) {
    return {
      type: 'transform',
      ...common,
      process: { kind: 'curing' },
      inputs: [{ lotCode, quantity: 100 }],
      outputs: [{ productCode: cured, lotNumber: number, quantity: 70, unit: 'kg' }],
    };
  }
  return { type: 'sell', ...common, buyer: 'market', lines: [{ lotCode, quantity: 100 }] };
}

const clockStart = Date.now() - 10 * 24 * 3_600_000;
let tick = 0;
const time = () => new Date(clockStart + tick++ * 1000).toISOString();

async function capture(checkout: Checkout, run: number) {
  const eventList = Array.from({ length: BLOCKS }, (_, block) => epcisBlock(run, block, time)).flat();
  const document = {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList },
  };
  const accepted = await call(checkout, 'POST', '/epcis/capture', document, 'application/ld+json');
  await checkout.app.services.epcis.idle();
  const job = await call(checkout, 'GET', `/epcis/capture/${accepted.captureID}`);
  if (job.success !== true) throw new Error(`capture job failed: ${JSON.stringify(job).slice(0, 400)}`);
}

/**
 * CPU time (ms) of each PostgreSQL backend serving a database (pid → ms), from /proc: the scheduler's
 * nanoseconds on a CPU (a round's backends take a few hundred ms, which the clock ticks of 10 ms in
 * /proc/<pid>/stat measured only to a tenth).
 */
async function backendCpu(db: string): Promise<Map<number, number>> {
  const { rows } = await admin((client) =>
    client.query<{ pid: number }>(`select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend'`, [db]),
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const onCpu = (await readFile(`/proc/${pid}/schedstat`, 'utf8').catch(() => '')).split(' ')[0];
    if (onCpu) cpu.set(pid, Number(onCpu) / 1e6);
  }
  return cpu;
}

/** What the backends there at the end spent since `before` (a backend the pool closed meanwhile is not counted). */
async function backendCpuSince(db: string, before: Map<number, number>): Promise<number> {
  let ms = 0;
  for (const [pid, now] of await backendCpu(db)) ms += now - (before.get(pid) ?? 0);
  return ms;
}

const checkouts: Checkout[] = [];
try {
  for (const dir of positionals) checkouts.push(await open(resolve(dir), values.capture ? 0 : (ROUNDS + 1) * BATCHES * PER));
  const events = values.capture ? BLOCKS * 100 : BATCHES * PER;
  const measured = new Map(checkouts.map((checkout) => [checkout.dir, { server: [] as number[], backends: [] as number[] }]));
  for (let round = 0; round <= ROUNDS; round++) {
    const figures: string[] = [];
    for (const checkout of round % 2 === 0 ? checkouts : [...checkouts].reverse()) {
      const backendsBefore = await backendCpu(checkout.db);
      const before = process.cpuUsage();
      if (values.capture) await capture(checkout, round);
      else {
        for (let batch = 0; batch < BATCHES; batch++) {
          await Promise.all(Array.from({ length: PER }, (_, i) => call(checkout, 'POST', '/events', nativeBody(checkout, i % 3))));
        }
      }
      const { user, system } = process.cpuUsage(before);
      const server = (user + system) / 1000 / events;
      const backends = (await backendCpuSince(checkout.db, backendsBefore)) / events;
      if (round === 0) continue;
      measured.get(checkout.dir)?.server.push(server);
      measured.get(checkout.dir)?.backends.push(backends);
      figures.push(`${checkout.dir}: server ${server.toFixed(3)}, PostgreSQL ${backends.toFixed(3)}`);
    }
    if (round > 0) console.log(`round ${round} (ms of CPU per event): ${figures.join(' | ')}`);
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const [first] = checkouts;
  for (const checkout of checkouts) {
    const { server, backends } = measured.get(checkout.dir) as { server: number[]; backends: number[] };
    const cheaper = (figures: number[], of: number[]) => `${figures.filter((ms, i) => ms < of[i]).length} of ${figures.length}`;
    const base = measured.get(first.dir) as { server: number[]; backends: number[] };
    const rounds =
      checkout === first
        ? ''
        : `; cheaper than ${first.dir} in ${cheaper(server, base.server)} rounds (server), ${cheaper(backends, base.backends)} (PostgreSQL)`;
    console.log(
      `median ${checkout.dir}: server ${median(server).toFixed(3)}, PostgreSQL ${median(backends).toFixed(3)} ms per event${rounds}`,
    );
  }
} finally {
  for (const checkout of checkouts) {
    await checkout.app.close();
    await admin((client) => client.query(`drop database if exists ${checkout.db} with (force)`));
  }
}
