// Recall benchmark: the scope of a recall on a farm lot with ≥ 100k descendants, and its CSV.
//
//   npx tsx scripts/bench-recall.ts [--fanout 10] [--levels 6] [--samples 5] [--items 20000] [--explain]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_recall_<random> database on that server,
// dropped at the end, also after a failure or Ctrl-C), else an in-memory PGlite. Two identical
// synthetic chains are bulk-inserted with the row shapes the event writer produces (events, lots,
// 'produce' movements, transform edges): per level `fanout` times more lots than the level
// before, each made from two lots of the level before (a DAG: lots merge), so one farm lot reaches
// 1 + 10 + … + 10^5 = 111,111 lots. The second chain is there so the walk has unrelated rows to skip.
// Every lot is held by one of 500 parties; the last level's first lot carries `items` pack codes.
//
// In the same run it times, from the first chain's farm lot:
//   bare CTE      repos.lineage.reachable forward (the recursive query alone)
//   recall scope  services.recalls.scopeOf: the walk and the affected lots with their pack codes staged in the
//                 database, holdings and holders counted as opening records them
//   open recall   services.recalls.open: scope + its codes read + every lot marked recalled through the event
//                 writer + scope recorded (once)
//   scope CSV     GET /recalls/{id}/scope?format=csv through app.inject, the whole stream read
// With --explain it prints EXPLAIN (ANALYZE, BUFFERS) of each statement the scope sends.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Principal } from '../src/access/index.js';
import { buildApp } from '../src/app.js';
import { newItemCode, newLotCode, newPartyCode, newProductCode } from '../src/codes/service-codes.js';
import { chunkForInsert } from '../src/db/chunk.js';
import { type Db, type ObservedQuery, queryRows } from '../src/db/client.js';
import { codeJobs, events, items, lineageEdges, lotMovements, lots, parties, products } from '../src/db/schema.js';
import { createLineageRepository } from '../src/lineage/repository.js';
import { parseFlags } from './lib/args.js';
import { explain, withScratchDatabase } from './lib/database.js';
import { formatMs, formatNumber, formatRatio, printTable } from './lib/report.js';

const {
  fanout: FANOUT,
  levels: LEVELS,
  samples: SAMPLES,
  items: ITEMS,
  open: OPEN,
  explain: EXPLAIN,
} = parseFlags({ fanout: 10, levels: 6, samples: 5, items: 20_000, open: true, explain: false });
const REGION = '500236';
const HOLDERS = 500;
const log = (line: string) => console.log(line);
const ms = (start: number) => performance.now() - start;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function insertChunked<T extends object>(db: Db, rows: T[], insert: (tx: Db, chunk: T[]) => Promise<unknown>) {
  if (rows.length === 0) return;
  await db.transaction(async (tx) => {
    for (const chunk of chunkForInsert(rows)) await insert(tx as unknown as Db, chunk);
  });
}

/** Two chains of `LEVELS` levels; returns each chain's farm lot and the regulator party. */
async function build(db: Db) {
  const holderCodes = Array.from({ length: HOLDERS }, (_, i) => ({ code: newPartyCode(i === 0 ? 'farm' : 'processor', REGION), i }));
  const regulator = newPartyCode('regulator', REGION);
  await insertChunked(
    db,
    [
      ...holderCodes.map(({ code, i }) => ({
        code,
        kind: i === 0 ? 'farm' : 'processor',
        name: `奉节主体${i + 1}号`,
        regionCode: REGION,
        contact: { person: `联系人${i + 1}`, phone: `138${String(10_000_000 + i).slice(-8)}` },
      })),
      { code: regulator, kind: 'regulator', name: '奉节县市场监督管理局', regionCode: REGION },
    ],
    (tx, chunk) => tx.insert(parties).values(chunk),
  );
  const product = newProductCode();
  await db.insert(products).values({ code: product, partyCode: holderCodes[0].code, name: '腊肉', category: 'cured_pork', unit: 'kg' });

  const roots: string[] = [];
  let packLot = '';
  for (const chain of [0, 1]) {
    let previous: string[] = [];
    for (let level = 0; level < LEVELS; level++) {
      const size = FANOUT ** level;
      const eventId = `bench-${chain}-${level}`;
      await db.insert(events).values({
        id: eventId,
        type: level === 0 ? 'commission' : 'transform',
        eventTime: new Date('2026-01-01T00:00:00Z'),
        eventTimeZoneOffset: '+08:00',
        partyCode: holderCodes[0].code,
        bizStep: 'commissioning',
        payload: {},
      });
      const codes = Array.from({ length: size }, () => newLotCode());
      const owner = (index: number) => holderCodes[(level * 7919 + index) % HOLDERS].code;
      await insertChunked(
        db,
        codes.map((code, index) => ({
          code,
          kind: 'lot',
          partyCode: owner(index),
          productCode: product,
          quantity: 100,
          unit: 'kg',
          status: 'active',
          createdByEventId: eventId,
        })),
        (tx, chunk) => tx.insert(lots).values(chunk),
      );
      await insertChunked(
        db,
        codes.map((code, index) => ({ eventId, lotCode: code, partyCode: owner(index), kind: 'produce', quantity: 100 })),
        (tx, chunk) => tx.insert(lotMovements).values(chunk),
      );
      if (previous.length) {
        // two inputs each: the lot "above" it, so every lot is reached, and one more from anywhere in the level
        const edges = codes.flatMap((code, index) => {
          const first = previous[Math.floor(index / FANOUT)];
          const second = previous[(index * 31 + 17) % previous.length];
          return [first, ...(second === first ? [] : [second])].map((upstream) => ({
            upstreamCode: upstream,
            downstreamCode: code,
            kind: 'transform',
            quantity: 1,
            unit: 'kg',
            eventId,
            partyCode: holderCodes[0].code,
          }));
        });
        await insertChunked(db, edges, (tx, chunk) => tx.insert(lineageEdges).values(chunk));
      } else {
        roots.push(codes[0]);
      }
      if (chain === 0 && level === LEVELS - 1) packLot = codes[0];
      previous = codes;
    }
  }
  if (ITEMS > 0) {
    const jobId = 'bench-job';
    const owner = (await queryRows<{ partyCode: string }>(db, sql`select party_code as "partyCode" from lots where code = ${packLot}`))[0]
      .partyCode;
    await db.insert(codeJobs).values({ id: jobId, partyCode: owner, lotCode: packLot, total: ITEMS, done: ITEMS, status: 'succeeded' });
    await insertChunked(
      db,
      Array.from({ length: ITEMS }, (_, i) => ({ code: newItemCode(), lotCode: packLot, partyCode: owner, jobId, seq: i + 1 })),
      (tx, chunk) => tx.insert(items).values(chunk),
    );
  }
  // what autovacuum does after a bulk load: statistics, and the visibility map index-only scans rely on
  await queryRows(db, sql`vacuum analyze`);
  return { root: roots[0], regulator };
}

await withScratchDatabase('recall', async ({ database, label }) => {
  log(`database: ${label}`);
  let started = performance.now();
  const { root, regulator } = await build(database.db);
  const [{ count }] = await queryRows<{ count: number }>(database.db, sql`select count(*)::int as count from lots`);
  log(
    `built ${formatNumber(Number(count))} lots in two chains (${LEVELS} levels, fan-out ${FANOUT}) in ${(ms(started) / 1000).toFixed(1)} s`,
  );

  const app = await buildApp({ database });
  try {
    const lineage = createLineageRepository(database.db);
    const bare: number[] = [];
    const scope: number[] = [];
    let reached = 0;
    let scoped = { lots: 0, holdings: 0, holders: 0 };
    for (let sample = 0; sample <= SAMPLES; sample++) {
      started = performance.now();
      reached = (await lineage.reachable([root], 'forward', 100)).length;
      const bareMs = ms(started);
      started = performance.now();
      scoped = await app.services.recalls.scopeOf([root]);
      const scopeMs = ms(started);
      // the first run warms the cache and is not counted
      if (sample > 0) {
        bare.push(bareMs);
        scope.push(scopeMs);
      }
    }
    if (EXPLAIN) {
      const sent: ObservedQuery[] = [];
      // the scope's own statements, not the subscription poller's beside them
      const stop = database.stats.observe((query) => {
        if (/lineage_edges|recall|lot_movements|scope_walk|work_mem/.test(query.text)) sent.push(query);
      });
      await app.services.recalls.scopeOf([root]);
      stop();
      // each statement after the ones of its transaction it builds on (SET LOCAL, the walk's temporary table)
      for (const [index, statement] of sent.entries()) {
        if (/^\s*(set|analyze|begin|commit)/i.test(statement.text)) continue;
        const before = sent.slice(0, index).filter((earlier) => /^\s*(set|create|analyze)/i.test(earlier.text));
        log(`\n${statement.text.slice(0, 160)}…\n${(await explain(database, statement, undefined, before)).join('\n')}`);
      }
    }
    log(
      `scope of farm lot ${root}: ${formatNumber(reached)} lots reached, ${formatNumber(scoped.lots)} in scope, ${formatNumber(scoped.holdings)} holdings, ${formatNumber(scoped.holders)} holders`,
    );
    const rows = [
      ['bare CTE (lineage.reachable)', formatMs(median(bare)), formatMs(Math.max(...bare)), '1.00×', '—'],
      [
        'recall scope (recalls.scopeOf)',
        formatMs(median(scope)),
        formatMs(Math.max(...scope)),
        formatRatio(median(scope) / median(bare)),
        median(scope) <= 1000 ? 'met (≤ 1 s)' : 'MISSED (≤ 1 s)',
      ],
    ];

    if (OPEN) {
      const principal: Principal = { keyId: 'bench', role: 'regulator', partyCode: regulator };
      started = performance.now();
      const recall = await app.services.recalls.open(principal, { lotCodes: [root], level: 1, reason: '基准测试', hazard: '基准测试' });
      const openMs = ms(started);
      rows.push(['open recall (scope + writer + record)', formatMs(openMs), formatMs(openMs), formatRatio(openMs / median(bare)), '—']);
      const adminKey = (await app.services.apiKeys.ensureAdminKey()) as string;
      const issued = await app.inject({
        method: 'POST',
        url: '/api-keys',
        headers: { authorization: `Bearer ${adminKey}` },
        payload: { role: 'regulator', partyCode: regulator },
      });
      const key = issued.json().key as string;
      const csv: number[] = [];
      let bytes = 0;
      let lines = 0;
      for (let sample = 0; sample <= Math.min(SAMPLES, 3); sample++) {
        started = performance.now();
        const reply = await app.inject({ url: `/recalls/${recall.id}/scope?format=csv`, headers: { authorization: `Bearer ${key}` } });
        const csvMs = ms(started);
        if (reply.statusCode !== 200) throw new Error(`scope CSV: ${reply.statusCode} ${reply.body.slice(0, 200)}`);
        bytes = reply.rawPayload.length;
        lines = reply.body.split('\r\n').length - 2;
        if (sample > 0) csv.push(csvMs);
      }
      log(`scope CSV: ${formatNumber(lines)} rows, ${(bytes / 1_048_576).toFixed(1)} MiB`);
      if (EXPLAIN) {
        const pages: ObservedQuery[] = [];
        const stop = database.stats.observe((query) => {
          if (/recall_(lots|holdings)/.test(query.text)) pages.push(query);
        });
        await app.inject({ url: `/recalls/${recall.id}/scope?format=csv`, headers: { authorization: `Bearer ${key}` } });
        stop();
        const total = pages.reduce((sum, page) => sum + page.ms, 0);
        log(`scope CSV: ${pages.length} page statements, ${formatMs(total)} in the database`);
        const slowest = [...pages].sort((a, b) => b.ms - a.ms)[0];
        if (slowest) log(`slowest page (${formatMs(slowest.ms)}):\n${(await explain(database, slowest)).join('\n')}`);
      }
      rows.push([
        'scope CSV (GET …/scope?format=csv)',
        formatMs(median(csv)),
        formatMs(Math.max(...csv)),
        formatRatio(median(csv) / median(bare)),
        median(csv) <= 5000 ? 'met (≤ 5 s)' : 'MISSED (≤ 5 s)',
      ]);
    }
    printTable(['what', 'median', 'max', 'ratio to bare CTE', 'target'], rows);
  } finally {
    await app.close();
  }
});
