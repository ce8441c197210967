// Trace benchmark on a synthetic county-year of pork lineage.
//
//   npx tsx scripts/bench-trace.ts [--lots 200000] [--samples 50] [--depth 30] [--seed 1] [--explain]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_trace_<random> database on that server,
// dropped at the end, also after a failure or Ctrl-C), else an in-memory PGlite. The data is
// loaded with COPY (not through the event API) with the row shapes the event writer stores for
// commission/transform events: events, lots, event_lots (subject/input/output), lot_movements
// ('produce') and lineage_edges (input × output per transform event). At 200k lots: ≥ 600k edges,
// eight transformation steps from farm to shop, and one hub farm lot (HUB_INDEX) whose forward
// trace holds ≥ 100k nodes and edges.
//
// Then it compares, backward from retail lots and forward from farm lots:
//   bare CTE       repos.lineage.reachable (the recursive query alone)
//   frontier       repos.lineage.reachableByFrontier (level by level; node sets must match)
//   service graph  services.trace.trace with include=graph (nodes and edges)
//   service full   services.trace.trace with include=events (the graph and every event on it)
//   GET graph/full GET /trace/{code} over HTTP with a regulator key: authentication, validation,
//                  the service and the JSON, timed until the client has received the last byte
//                  (the client runs on a thread of its own, as a client on another machine takes
//                  no time from the server; it parses the body only after its clock stops)
// and times the forward trace of the hub lot (target ≤ 1 s).
// --explain prints the plans of the bare CTE's statement and of the trace's statements.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Principal } from '../src/access/index.js';
import { buildApp, createRepositories, createServices } from '../src/app.js';
import { newLocationCode, newLotCode, newPartyCode, newProductCode, type PartyKind } from '../src/codes/service-codes.js';
import { type Database, queryRows } from '../src/db/client.js';
import { eventLots, events, lineageEdges, locations, lotMovements, lots, parties, products } from '../src/db/schema.js';
import { isEvidence } from '../src/events/writer/draft.js';
import { makes } from '../src/events/writer/state.js';
import type { Direction, ReachedNode } from '../src/lineage/repository.js';
import { createTraceRepository } from '../src/trace/repository.js';
import { parseFlags } from './lib/args.js';
import { explain, type Scratch, statementsOf, withScratchDatabase } from './lib/database.js';
import { formatNumber, printTable } from './lib/report.js';
import { clientThread, type Fetched, freePort } from './lib/server.js';

// ---------------------------------------------------------------------------------------
// options

const {
  lots: TOTAL_LOTS,
  samples: SAMPLES,
  depth: DEPTH,
  seed: SEED,
  explain: EXPLAIN,
} = parseFlags({ lots: 200_000, samples: 50, depth: 30, seed: 1, explain: false });
const WARMUP = 5;
/** Targets: a full backward trace within this multiple of the bare recursive query, and the hub's forward graph within this time. */
const TARGET_BACKWARD_RATIO = 3;
const TARGET_HUB_MS = 1000;
/**
 * The recall worst case: one farm lot (the first) that slaughter events all year long also take
 * some of, so that its forward trace spreads over the county (≥ 100k nodes and edges at 200k lots).
 */
const HUB_INDEX = 0;
const REGION = '500236'; // 奉节县
const principal: Principal = { keyId: 'bench', role: 'regulator', partyCode: null };

// Deterministic structure (codes stay random, as the service issues them).
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

// ---------------------------------------------------------------------------------------
// the supply chain: one level per transformation step

type Level = {
  key: string;
  partyKind: PartyKind;
  /** Parties at this level; lots are spread over them by position (regional locality). */
  partyGroup: string;
  share: number;
  product: { name: string; category: string; unit: string; shelfLifeDays: number };
  process: string;
  /** Inputs per transform event from the previous level (0 for commissioning). */
  inputs: [number, number];
  /** Output lots per event; edges are inputs × outputs, as the event service writes them. */
  outputs: [number, number];
  /** Inputs are picked within ± window lots (of the source level) around the event's position. */
  window: number;
  /** Share of inputs bought from anywhere in the county. */
  jump: number;
  /** Share of inputs taken from an earlier level, skipping a step (nodes reachable at several depths). */
  skip?: { level: number; p: number };
  /** Share of events that also take some of the hub farm lot (see HUB). */
  hub?: number;
  quantity: [number, number];
};

const PARTY_GROUPS: Record<string, { kind: PartyKind; count: number; label: string }> = {
  farm: { kind: 'farm', count: 300, label: '养殖场' },
  slaughterhouse: { kind: 'slaughterhouse', count: 6, label: '屠宰场' },
  cutting: { kind: 'cutting_plant', count: 12, label: '分割厂' },
  processor: { kind: 'processor', count: 30, label: '腊肉加工厂' },
  cold: { kind: 'cold_storage', count: 10, label: '冷库' },
  distributor: { kind: 'distributor', count: 40, label: '批发商' },
  retailer: { kind: 'retailer', count: 400, label: '零售店' },
};

const LEVELS: Level[] = [
  {
    key: 'farm',
    partyKind: 'farm',
    partyGroup: 'farm',
    share: 0.2,
    product: { name: '生猪', category: 'live_pig', unit: 'head', shelfLifeDays: 0 },
    process: 'raising',
    inputs: [0, 0],
    outputs: [1, 4],
    window: 0,
    jump: 0,
    quantity: [10, 40],
  },
  {
    key: 'slaughter',
    partyKind: 'slaughterhouse',
    partyGroup: 'slaughterhouse',
    share: 0.08,
    product: { name: '白条猪', category: 'carcass', unit: 'kg', shelfLifeDays: 7 },
    process: 'slaughter',
    inputs: [6, 10],
    outputs: [1, 1],
    window: 60,
    jump: 0.01,
    hub: 0.012,
    quantity: [800, 3000],
  },
  {
    key: 'cutting',
    partyKind: 'cutting_plant',
    partyGroup: 'cutting',
    share: 0.16,
    product: { name: '分割肉', category: 'primal_cut', unit: 'kg', shelfLifeDays: 7 },
    process: 'cutting',
    inputs: [1, 3],
    outputs: [2, 4],
    window: 12,
    jump: 0,
    quantity: [200, 800],
  },
  {
    key: 'curing',
    partyKind: 'processor',
    partyGroup: 'processor',
    share: 0.12,
    product: { name: '腌制肉', category: 'cured_pork', unit: 'kg', shelfLifeDays: 30 },
    process: 'curing',
    inputs: [2, 5],
    outputs: [1, 1],
    window: 15,
    jump: 0,
    quantity: [300, 900],
  },
  {
    key: 'smoking',
    partyKind: 'processor',
    partyGroup: 'processor',
    share: 0.1,
    product: { name: '腊肉', category: 'smoked_pork', unit: 'kg', shelfLifeDays: 180 },
    process: 'smoking',
    inputs: [2, 4],
    outputs: [1, 2],
    window: 12,
    jump: 0,
    quantity: [200, 700],
  },
  {
    key: 'packing',
    partyKind: 'processor',
    partyGroup: 'processor',
    share: 0.1,
    product: { name: '真空包装腊肉', category: 'packaged_pork', unit: 'pack', shelfLifeDays: 180 },
    process: 'packing',
    inputs: [2, 5],
    outputs: [1, 3],
    window: 12,
    jump: 0,
    quantity: [400, 1600],
  },
  {
    key: 'cold',
    partyKind: 'cold_storage',
    partyGroup: 'cold',
    share: 0.08,
    product: { name: '冷库批次', category: 'packaged_pork', unit: 'pack', shelfLifeDays: 180 },
    process: 'consolidation',
    inputs: [3, 7],
    outputs: [1, 1],
    window: 15,
    jump: 0.05,
    quantity: [1000, 4000],
  },
  {
    key: 'distributor',
    partyKind: 'distributor',
    partyGroup: 'distributor',
    share: 0.08,
    product: { name: '批发分装', category: 'packaged_pork', unit: 'pack', shelfLifeDays: 180 },
    process: 'repack',
    inputs: [2, 5],
    outputs: [1, 2],
    window: 25,
    jump: 0.1,
    quantity: [200, 1200],
  },
  {
    key: 'retail',
    partyKind: 'retailer',
    partyGroup: 'retailer',
    share: 0.08,
    product: { name: '零售腊肉', category: 'packaged_pork', unit: 'pack', shelfLifeDays: 180 },
    process: 'retail_repack',
    inputs: [3, 7],
    outputs: [1, 1],
    window: 30,
    jump: 0,
    skip: { level: 5, p: 0.1 },
    quantity: [20, 200],
  },
];

// ---------------------------------------------------------------------------------------
// small helpers

const ms = (start: number) => performance.now() - start;
const log = (line: string) => console.log(line);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length); // nearest rank
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
const mean = (values: number[]) => values.reduce((acc, v) => acc + v, 0) / Math.max(1, values.length);
const isoDate = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);

/**
 * Rows shaped as drizzle inserts them, loaded with COPY on PostgreSQL (chunked multi-row INSERT
 * on PGlite) in slices, so that no single COPY text grows beyond a few tens of megabytes.
 */
async function copyInto<T extends PgTable>(database: Database, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return;
  const columns = getTableColumns(table);
  const keys = Object.keys(rows[0]);
  const names = keys.map((key) => columns[key].name);
  const value = (field: unknown): string | number | null => {
    if (field === null || field === undefined) return null;
    if (field instanceof Date) return field.toISOString();
    if (typeof field === 'object') return JSON.stringify(field);
    return field as string | number;
  };
  for (let i = 0; i < rows.length; i += COPY_SLICE) {
    const slice = rows.slice(i, i + COPY_SLICE) as Record<string, unknown>[];
    await database.copyRows(
      getTableName(table),
      names,
      slice.map((row) => keys.map((key) => value(row[key]))),
    );
  }
}
const COPY_SLICE = 50_000;

// ---------------------------------------------------------------------------------------
// build

type PartyRow = typeof parties.$inferInsert;
type LotRow = typeof lots.$inferInsert;
type EventRow = typeof events.$inferInsert;
type EventLotRow = typeof eventLots.$inferInsert;
type MovementRow = typeof lotMovements.$inferInsert;
type EdgeRow = typeof lineageEdges.$inferInsert;

type Built = { levels: string[][]; hubLot: string; counts: Record<string, number>; seconds: number };

async function build(database: Database): Promise<Built> {
  const started = performance.now();
  const counts: Record<string, number> = {
    parties: 0,
    locations: 0,
    products: 0,
    events: 0,
    lots: 0,
    event_lots: 0,
    lot_movements: 0,
    lineage_edges: 0,
  };

  // parties, one location each, one product per level
  const partyCodes: Record<string, { code: string; location: string }[]> = {};
  const partyRows: PartyRow[] = [];
  const locationRows: (typeof locations.$inferInsert)[] = [];
  for (const [group, spec] of Object.entries(PARTY_GROUPS)) {
    partyCodes[group] = [];
    for (let i = 0; i < spec.count; i++) {
      const code = newPartyCode(spec.kind, REGION);
      const location = newLocationCode();
      partyCodes[group].push({ code, location });
      partyRows.push({
        code,
        kind: spec.kind,
        name: `奉节${spec.label}${i + 1}号`,
        uscc: null,
        regionCode: REGION,
        address: `重庆市奉节县${spec.label}路${i + 1}号`,
        contact: { person: `联系人${i + 1}`, phone: `138${String(10_000_000 + i).slice(-8)}` },
        licences: spec.kind === 'farm' ? { farmCode: `Y${REGION}${String(i).padStart(5, '0')}` } : {},
        gln: null,
      });
      locationRows.push({
        code: location,
        partyCode: code,
        name: `${spec.label}${i + 1}号场地`,
        kind: spec.kind === 'farm' ? 'farm' : spec.kind === 'retailer' ? 'store' : 'site',
        regionCode: REGION,
        address: null,
        latitude: 31.0 + random() * 0.3,
        longitude: 109.3 + random() * 0.4,
        gln: null,
      });
    }
  }
  const productCodes: string[] = [];
  const productRows: (typeof products.$inferInsert)[] = LEVELS.map((level) => {
    const code = newProductCode();
    productCodes.push(code);
    return {
      code,
      partyCode: partyCodes[level.partyGroup][0].code,
      name: level.product.name,
      gtin: null,
      category: level.product.category,
      unit: level.product.unit,
      shelfLifeDays: level.product.shelfLifeDays || null,
      marks: level.key === 'retail' ? ['奉节腊肉'] : [],
      description: null,
    };
  });
  await copyInto(database, parties, partyRows);
  await copyInto(database, locations, locationRows);
  await copyInto(database, products, productRows);
  counts.parties = partyRows.length;
  counts.locations = locationRows.length;
  counts.products = productRows.length;

  const yearStart = new Date('2024-01-01T00:00:00+08:00');
  const levelCodes: string[][] = [];
  const levelUnits: string[] = LEVELS.map((level) => level.product.unit);

  for (const [index, level] of LEVELS.entries()) {
    const levelStarted = performance.now();
    const target = Math.max(1, Math.round(TOTAL_LOTS * level.share));
    const owners = partyCodes[level.partyGroup];
    const product = productCodes[index];
    const codes: string[] = [];
    const eventRows: EventRow[] = [];
    const lotRows: LotRow[] = [];
    const linkRows: EventLotRow[] = [];
    const movementRows: MovementRow[] = [];
    const edgeRows: EdgeRow[] = [];

    while (codes.length < target) {
      const outputs = Math.min(target - codes.length, between(level.outputs[0], level.outputs[1]));
      const position = (codes.length + outputs / 2) / target; // 0..1 through the year and the county
      const owner = owners[Math.min(owners.length - 1, Math.floor(position * owners.length))];
      const eventId = randomUUID();
      const eventTime = addDays(yearStart, position * 330 + index * 2 + random());

      // inputs: nearby lots of the source level, some from anywhere, some skipping a step
      const chosen = new Map<string, { code: string; quantity: number; unit: string }>();
      const wanted = between(level.inputs[0], level.inputs[1]);
      for (let attempt = 0; chosen.size < wanted && attempt < wanted * 4; attempt++) {
        const sourceLevel = level.skip && random() < level.skip.p ? level.skip.level : index - 1;
        const source = levelCodes[sourceLevel];
        let at: number;
        if (random() < level.jump) at = Math.floor(random() * source.length);
        else {
          const center = position * source.length;
          at = Math.round(center + (random() * 2 - 1) * level.window);
        }
        at = Math.min(source.length - 1, Math.max(0, at));
        const code = source[at];
        if (!chosen.has(code)) chosen.set(code, { code, quantity: between(20, 400), unit: levelUnits[sourceLevel] });
      }
      if (level.hub && random() < level.hub) {
        const hub = levelCodes[0][HUB_INDEX];
        chosen.set(hub, { code: hub, quantity: between(1, 3), unit: levelUnits[0] });
      }
      const inputs = [...chosen.values()];

      const productionDate = isoDate(eventTime);
      const expiryDate = level.product.shelfLifeDays ? isoDate(addDays(eventTime, level.product.shelfLifeDays)) : null;
      const created = [];
      for (let o = 0; o < outputs; o++) {
        const code = newLotCode();
        const quantity = between(level.quantity[0], level.quantity[1]);
        const attributes: Record<string, unknown> =
          level.key === 'farm'
            ? { quarantineCertificate: `QC${REGION}${String(lotRows.length + 1).padStart(8, '0')}` }
            : level.key === 'slaughter'
              ? { meatQualityCertificate: `MQ${REGION}${String(lotRows.length + 1).padStart(8, '0')}` }
              : {};
        const lotNumber = `${level.key.toUpperCase()}-${String(codes.length + 1).padStart(7, '0')}`;
        codes.push(code);
        lotRows.push({
          code,
          kind: 'lot',
          partyCode: owner.code,
          productCode: product,
          lotNumber,
          sscc: null,
          quantity,
          unit: level.product.unit,
          productionDate,
          expiryDate,
          originLocationCode: level.key === 'farm' ? owner.location : null,
          attributes,
          status: 'active',
          createdByEventId: eventId,
          voidedByEventId: null,
        });
        movementRows.push({ eventId, lotCode: code, partyCode: owner.code, kind: 'produce', quantity });
        created.push({
          lotCode: code,
          productCode: product,
          lotNumber,
          quantity,
          unit: level.product.unit,
          productionDate,
          expiryDate,
          attributes,
        });
      }
      // as the event service does: a commission links its lots as subjects, a transform its inputs and outputs
      if (index === 0) {
        for (const output of created)
          linkRows.push({ eventId, lotCode: output.lotCode, role: 'subject', quantity: output.quantity, partyCode: owner.code });
      } else {
        for (const used of inputs) {
          linkRows.push({ eventId, lotCode: used.code, role: 'input', quantity: used.quantity, partyCode: owner.code });
          for (const output of created) {
            edgeRows.push({
              upstreamCode: used.code,
              downstreamCode: output.lotCode,
              kind: 'transform',
              quantity: used.quantity,
              unit: used.unit,
              eventId,
              partyCode: owner.code,
              endedByEventId: null,
              retractedByEventId: null,
            });
          }
        }
        for (const output of created)
          linkRows.push({ eventId, lotCode: output.lotCode, role: 'output', quantity: output.quantity, partyCode: owner.code });
      }
      eventRows.push({
        id: eventId,
        type: index === 0 ? 'commission' : 'transform',
        eventTime,
        eventTimeZoneOffset: '+08:00',
        partyCode: owner.code,
        bizStep: 'commissioning',
        disposition: 'active',
        readPoint: owner.location,
        bizLocation: owner.location,
        referenceDocuments:
          level.key === 'slaughter'
            ? [{ type: 'quarantine_certificate', number: `A${String(eventRows.length + 1).padStart(10, '0')}` }]
            : [],
        payload:
          index === 0
            ? { lots: created }
            : {
                process: level.process,
                inputs: inputs.map((used) => ({ lotCode: used.code, quantity: used.quantity, unit: used.unit })),
                outputs: created,
              },
        correctsEventId: null,
      });
    }

    // as the writer marks them: the links of inspections and of events with documents, and those that made their lot
    const evidence = new Set(
      eventRows.filter((row) => isEvidence({ type: row.type, referenceDocuments: row.referenceDocuments ?? [] })).map((row) => row.id),
    );
    const typeOf = new Map(eventRows.map((row) => [row.id, row.type]));
    // commissions and transformations only: no event of the graph packs a container
    const packsNothing = { packedNew: new Set<string>() };
    for (const link of linkRows) {
      link.evidence = evidence.has(link.eventId);
      link.makes = makes(typeOf.get(link.eventId) as string, link, packsNothing);
    }
    // FK order: events → lots → event_lots / movements / edges
    await copyInto(database, events, eventRows);
    await copyInto(database, lots, lotRows);
    await copyInto(database, eventLots, linkRows);
    await copyInto(database, lotMovements, movementRows);
    await copyInto(database, lineageEdges, edgeRows);
    counts.events += eventRows.length;
    counts.lots += lotRows.length;
    counts.event_lots += linkRows.length;
    counts.lot_movements += movementRows.length;
    counts.lineage_edges += edgeRows.length;
    levelCodes.push(codes);
    log(
      `  level ${index} ${level.key.padEnd(11)} ${formatNumber(lotRows.length).padStart(8)} lots ${formatNumber(edgeRows.length).padStart(8)} edges ${formatNumber(eventRows.length).padStart(7)} events  ${(ms(levelStarted) / 1000).toFixed(1)} s`,
    );
  }
  return { levels: levelCodes, hubLot: levelCodes[0][HUB_INDEX], counts, seconds: ms(started) / 1000 };
}

// ---------------------------------------------------------------------------------------
// measure

type Sample = { ms: number; nodes: number };
/** A response as the client thread received it, timed there. */
type Received = Fetched;
type Row = { direction: Direction; method: string; samples: Sample[] };

function sample<T>(codes: T[], k: number): T[] {
  const pool = [...codes];
  const picked: T[] = [];
  for (let i = 0; i < k && pool.length > 0; i++) {
    const at = Math.floor(random() * pool.length);
    picked.push(pool[at]);
    pool[at] = pool[pool.length - 1];
    pool.pop();
  }
  return picked;
}

/** What a run gives: the nodes it reached, or a response the client timed and a way to count its nodes that is not timed. */
type Ran = number | { ms: number; nodes: () => number };

async function timeEach(codes: string[], run: (code: string) => Promise<Ran>): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const code of codes) {
    const start = performance.now();
    const reached = await run(code);
    const elapsed = ms(start);
    samples.push(typeof reached === 'number' ? { ms: elapsed, nodes: reached } : { ms: reached.ms, nodes: reached.nodes() });
  }
  return samples;
}

function sameNodes(a: ReachedNode[], b: ReachedNode[]): string | null {
  if (a.length !== b.length) return `${a.length} nodes (CTE) vs ${b.length} (frontier)`;
  const depth = new Map(a.map((node) => [node.code, node.depth]));
  for (const node of b) {
    if (!depth.has(node.code)) return `frontier reached ${node.code}, the CTE did not`;
    if (depth.get(node.code) !== node.depth) return `${node.code} at depth ${depth.get(node.code)} (CTE) vs ${node.depth} (frontier)`;
  }
  return null;
}

async function main({ database, label, migrateMs }: Scratch) {
  log(`trace benchmark on ${label}; --lots ${formatNumber(TOTAL_LOTS)}, ${SAMPLES} samples per direction, depth ${DEPTH}, seed ${SEED}`);
  log(`migrated in ${(migrateMs / 1000).toFixed(1)} s; building…`);

  const built = await build(database);
  log(`build: ${built.seconds.toFixed(1)} s`);
  const analyzeStart = performance.now();
  // what autovacuum does after a bulk load: statistics, and the visibility map index-only scans rely on
  await database.db.execute(sql`vacuum analyze`);
  log(`vacuum analyze: ${(ms(analyzeStart) / 1000).toFixed(1)} s`);
  const tableCounts = await queryRows<Record<string, number | string>>(
    database.db,
    sql`
    select (select count(*) from parties)::int as parties, (select count(*) from locations)::int as locations,
           (select count(*) from products)::int as products, (select count(*) from events)::int as events,
           (select count(*) from lots)::int as lots, (select count(*) from event_lots)::int as event_lots,
           (select count(*) from lot_movements)::int as lot_movements, (select count(*) from lineage_edges)::int as lineage_edges`,
  );
  log(
    `rows: ${Object.entries(tableCounts[0])
      .map(([table, n]) => `${table} ${formatNumber(Number(n))}`)
      .join(', ')}`,
  );
  log(`transform levels: ${LEVELS.length - 1} (${LEVELS.map((level) => level.key).join(' → ')})`);

  // no subscription poller running beside the timed requests
  const app = await buildApp({ database, logger: false, publicBaseUrl: 'https://bench.example', subscriptionTickMs: 3_600_000 });
  try {
    const port = await freePort();
    await app.listen({ host: '127.0.0.1', port });
    const { key } = await app.services.apiKeys.issue({ role: 'regulator', label: 'bench' });
    const thread = clientThread();
    try {
      const client = { baseUrl: `http://127.0.0.1:${port}`, key, thread };
      await measure(database, client, built, label, Number(tableCounts[0].lots), Number(tableCounts[0].lineage_edges));
    } finally {
      await thread.close();
    }
  } finally {
    await app.close();
  }
}

async function measure(
  database: Database,
  client: { baseUrl: string; key: string; thread: ReturnType<typeof clientThread> },
  built: Built,
  label: string,
  lotCount: number,
  edgeCount: number,
) {
  const services = createServices(database);
  const repos = createRepositories(database);
  const farmLots = built.levels[0].filter((code) => code !== built.hubLot);
  const retailLots = built.levels[built.levels.length - 1];
  const plan: { direction: Direction; from: string; codes: string[]; warm: string[] }[] = [
    { direction: 'backward', from: 'retail', codes: sample(retailLots, SAMPLES + WARMUP), warm: [] },
    { direction: 'forward', from: 'farm', codes: sample(farmLots, SAMPLES + WARMUP), warm: [] },
  ];
  for (const item of plan) item.warm = item.codes.splice(0, WARMUP);

  /**
   * GET /trace/{code} as a client sends it, over a socket, from the client thread: done when the
   * last byte has arrived. Parsing the body is the client's work, done after the clock stops.
   */
  const route = async (code: string, direction: Direction, include: 'graph' | 'events'): Promise<Received> => {
    const url = `${client.baseUrl}/trace/${encodeURIComponent(code)}?direction=${direction}&depth=${DEPTH}&include=${include}`;
    const received = await client.thread.get(url, { authorization: `Bearer ${client.key}` });
    if (received.status !== 200)
      throw new Error(`GET /trace/${code}: ${received.status} ${Buffer.from(received.body).toString().slice(0, 500)}`);
    return received;
  };
  const nodesIn = (received: Received) => ({
    ms: received.ms,
    nodes: () => (JSON.parse(Buffer.from(received.body).toString()) as { summary: { nodes: number } }).summary.nodes,
  });

  const rows: Row[] = [];
  let mismatches = 0;
  for (const { direction, from, codes, warm } of plan) {
    log(`\n${direction} from ${codes.length} ${from} lots (after ${warm.length} warm-up runs per method)…`);
    const methods: [string, (code: string) => Promise<Ran>][] = [
      ['bare CTE', async (code) => (await repos.lineage.reachable([code], direction, DEPTH)).length],
      ['frontier', async (code) => (await repos.lineage.reachableByFrontier([code], direction, DEPTH)).length],
      ['service graph', async (code) => (await services.trace.trace(principal, code, direction, DEPTH, 'graph')).nodes.length],
      ['service full', async (code) => (await services.trace.trace(principal, code, direction, DEPTH, 'events')).nodes.length],
      ['GET graph', async (code) => nodesIn(await route(code, direction, 'graph'))],
      ['GET full', async (code) => nodesIn(await route(code, direction, 'events'))],
    ];
    for (const code of warm) for (const [, run] of methods) await run(code);
    const timed: Row[] = [];
    for (const [method, run] of methods) timed.push({ direction, method, samples: await timeEach(codes, run) });
    rows.push(...timed);

    // correctness: the frontier walk must reach exactly the CTE's nodes at the same depths
    for (const code of codes) {
      const problem = sameNodes(
        await repos.lineage.reachable([code], direction, DEPTH),
        await repos.lineage.reachableByFrontier([code], direction, DEPTH),
      );
      if (problem) {
        mismatches++;
        console.error(`!!! MISMATCH ${direction} ${code}: ${problem}`);
      }
    }
    const [cte, ...others] = timed;
    for (const row of others) {
      row.samples.forEach((s, i) => {
        if (s.nodes !== cte.samples[i].nodes) {
          mismatches++;
          console.error(`!!! MISMATCH ${direction} ${codes[i]} ${row.method}: ${s.nodes} nodes, CTE ${cte.samples[i].nodes}`);
        }
      });
    }

    await diagnose(database, services, direction, codes);
  }

  log(
    `\nresults (${label}; ${formatNumber(lotCount)} lots, ${formatNumber(edgeCount)} edges; ms; p99 of ${SAMPLES} samples is nearest-rank)`,
  );
  const table: string[][] = [];
  for (const row of rows) {
    const times = row.samples.map((s) => s.ms).sort((a, b) => a - b);
    const base = rows.find((other) => other.direction === row.direction && other.method === 'bare CTE') as Row;
    const baseP50 = percentile(
      base.samples.map((s) => s.ms).sort((a, b) => a - b),
      50,
    );
    table.push([
      row.direction,
      row.method,
      percentile(times, 50).toFixed(2),
      percentile(times, 99).toFixed(2),
      mean(times).toFixed(2),
      formatNumber(Math.round(mean(row.samples.map((s) => s.nodes)))),
      formatNumber(Math.max(...row.samples.map((s) => s.nodes))),
      row.method === 'bare CTE' ? '1.0×' : `${(percentile(times, 50) / baseP50).toFixed(1)}×`,
    ]);
  }
  printTable(['direction', 'method', 'p50 ms', 'p99 ms', 'mean ms', 'mean nodes', 'max nodes', 'p50 / CTE p50'], table, 2);
  const full = table.find(([direction, method]) => direction === 'backward' && method === 'GET full');
  if (full) {
    const ratio = Number.parseFloat(full[7]);
    log(
      `target: full backward trace (GET full) p50 ≤ ${TARGET_BACKWARD_RATIO}× the bare CTE: ${full[7]} (${ratio <= TARGET_BACKWARD_RATIO ? 'met' : 'missed'})`,
    );
  }
  log(
    mismatches === 0
      ? '\nfrontier = CTE on every sample (same nodes, same depths)'
      : `\n!!! ${mismatches} MISMATCHES between strategies (see above)`,
  );

  await measureHub(database, built.hubLot, route);
  if (mismatches > 0) process.exitCode = 1;
}

/** The recall worst case: the forward trace of the hub farm lot, target ≤ 1 s for ≥ 100k nodes and edges. */
async function measureHub(
  database: Database,
  hubLot: string,
  route: (code: string, direction: Direction, include: 'graph' | 'events') => Promise<Received>,
) {
  const repos = createRepositories(database);
  const { lots: reached, edges } = await createTraceRepository(database.db).graph(hubLot, 'forward', DEPTH, false);
  const descendants = reached.length - 1 + edges.length;
  log(
    `\nforward from the hub farm lot ${hubLot}: ${formatNumber(reached.length - 1)} descendant lots, ${formatNumber(edges.length)} edges (${formatNumber(descendants)} nodes + edges; target ≥ 100,000); ${HUB_RUNS} runs after one warm-up`,
  );
  const table: string[][] = [];
  /** Each run gives what it returned and, for a response, the client's time to its last byte. */
  const bytes = (received: Received) => ({ ms: received.ms, result: `${formatNumber(received.bytes / 1e6, 1)} MB` });
  const runs: [string, () => Promise<{ ms?: number; result: string }>][] = [
    ['bare CTE', async () => ({ result: `${(await repos.lineage.reachable([hubLot], 'forward', DEPTH)).length} nodes` })],
    ['GET graph', async () => bytes(await route(hubLot, 'forward', 'graph'))],
    ['GET full', async () => bytes(await route(hubLot, 'forward', 'events'))],
  ];
  for (const [method, run] of runs) {
    await run();
    const times: number[] = [];
    let size = '';
    for (let i = 0; i < HUB_RUNS; i++) {
      const start = performance.now();
      const ran = await run();
      times.push(ran.ms ?? ms(start));
      size = ran.result;
    }
    times.sort((a, b) => a - b);
    table.push([method, percentile(times, 50).toFixed(0), times[times.length - 1].toFixed(0), size]);
  }
  printTable(['hub forward', 'p50 ms', 'max ms', 'result'], table, 1);
  const graph = Number(table.find(([method]) => method === 'GET graph')?.[1]);
  log(
    `target: hub forward trace, nodes and edges (GET graph) p50 ≤ ${TARGET_HUB_MS} ms: ${graph} ms (${graph <= TARGET_HUB_MS ? 'met' : 'missed'})`,
  );
}
const HUB_RUNS = 5;

/** How many statements a trace sends (a constant, whatever its size) and how many events it carries; --explain plans the walk. */
async function diagnose(database: Database, services: ReturnType<typeof createServices>, direction: Direction, codes: string[]) {
  let statements = 0;
  let events = 0;
  const databaseMs: number[] = [];
  for (const code of codes) {
    const sent = await statementsOf(database, () => services.trace.trace(principal, code, direction, DEPTH, 'events'));
    statements += sent.statements.length;
    events += sent.value.events.length;
    databaseMs.push(sent.statements.reduce((sum, statement) => sum + statement.ms, 0));
  }
  log(
    `  full trace: ${(statements / codes.length).toFixed(1)} statements, database p50 ${percentile(
      databaseMs.sort((a, b) => a - b),
      50,
    ).toFixed(1)} ms; mean events per trace ${formatNumber(Math.round(events / codes.length))}`,
  );
  if (EXPLAIN) {
    const repos = createRepositories(database);
    const { statements: walk } = await statementsOf(database, () => repos.lineage.reachable([codes[0]], direction, DEPTH));
    const plan = await explain(database, walk[0], 'analyze, buffers, costs off');
    log(plan.map((line) => `    ${line}`).join('\n'));
    const { statements: trace } = await statementsOf(database, () => services.trace.trace(principal, codes[0], direction, DEPTH, 'events'));
    for (const statement of trace) {
      log(`  ${statement.text.replace(/\s+/g, ' ').slice(0, 100)}…`);
      log((await explain(database, statement, 'analyze, costs off')).map((line) => `    ${line}`).join('\n'));
    }
  }
}

await withScratchDatabase('trace', main);
