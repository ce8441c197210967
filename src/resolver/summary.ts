// What a consumer sees for a scanned code, built from the lot's backward trace: names,
// places, dates, tests and certificates — never quantities or commercial data. Pure.
import type { z } from 'zod';
import { type BrandRef, earnedMarks } from '../brands/standing.js';
import { regionName } from '../codes/regions.js';
import { inspectionFindings } from '../trace/graph.js';
import type { Trace } from '../trace/schemas.js';
import {
  type consumerSummarySchema,
  LOT_WARNINGS,
  type lotSummarySchema,
  type stageSchema,
  type testItemSchema,
  type warningSchema,
} from './schemas.js';

export type Stage = z.output<typeof stageSchema>;
export type Warning = z.output<typeof warningSchema>;

/** The JSON a consumer's phone (or any client asking for application/json) gets for a code. */
export type ConsumerSummary = z.output<typeof consumerSummarySchema>;

/** What every pack of a lot shows alike: built once per cached trace, not per scan. */
export type LotSummary = z.output<typeof lotSummarySchema>;

/** One tested item of an inspection as recorded: 瘦肉精 阴性, 亚硝酸盐 8.6 mg/kg (≤30). */
export type TestItem = z.output<typeof testItemSchema>;

/**
 * What is particular to the scanned pack. `container`: whether the container it lies in, or any
 * container that one lies in, is on hold, recalled or destroyed (absent for a pack in none): a hold,
 * recall or destruction of a case holds or ends what is packed in it, but only that pack of the lot.
 * Of a case scanned, `onHold` is also a hold of a lot it holds now.
 */
export type PackFacts = {
  code: string;
  scans: { count: number; firstScannedAt: Date | null };
  flagged: boolean;
  /** `recallHazards`: of the recalls that named a container it lies in (see packRecallHazards); absent, none. */
  container?: { onHold: boolean; recalled: boolean; destroyed: boolean; recallHazards?: string[] };
};

const STAGE_BY_PARTY_KIND: Record<string, Stage> = {
  farm: 'farm',
  slaughterhouse: 'slaughter',
  cutting_plant: 'cutting',
  processor: 'processing',
  cold_storage: 'cold_chain',
  logistics: 'cold_chain',
  distributor: 'distribution',
  retailer: 'retail',
};
const STAGE_BY_PROCESS: Record<string, Stage> = {
  slaughter: 'slaughter',
  cutting: 'cutting',
  curing: 'processing',
  smoking: 'processing',
  drying: 'processing',
  packing: 'processing',
};
/** Certificates a consumer is shown; invoices and despatch advices are commercial documents. */
const CONSUMER_CERTIFICATES = new Set([
  'quarantine_certificate',
  'meat_quality_certificate',
  'commitment_certificate',
  'clenbuterol_test',
  'test_report',
]);
/**
 * An observation without a temperature (an RFID gate's read of the pack, an EPCIS OBSERVE without
 * sensor data) is a sighting, named by its business step: into storage (an entry gate), in storage
 * (an antenna inside), out of storage (an exit gate), else sighted. A consumer cares that the pack was
 * in cold storage, not for each antenna's read of it: a sighting is shown once for each party, place
 * and step until the pack next comes in or goes out, or changes hands (those begin another stay).
 */
const SIGHTINGS = { arrived: 'begins', departed: 'begins', stored: 'within', sighted: 'within' } as const;
type Sighting = keyof typeof SIGHTINGS;
const SIGHTING_BY_BIZ_STEP = new Map<string, Sighting>([
  ['arriving', 'arrived'],
  ['storing', 'stored'],
  ['departing', 'departed'],
]);

/** The sighting an observation is (see SIGHTINGS); null when it carries a temperature reading, a temperature log (`observe`). */
function sightingOf(event: Trace['events'][number]): Sighting | null {
  const readings = (event.details.readings as { type?: unknown }[] | undefined) ?? [];
  if (readings.some((reading) => reading.type === 'temperature')) return null;
  return SIGHTING_BY_BIZ_STEP.get(event.bizStep ?? '') ?? 'sighted';
}

/** Highest chilled-storage temperature accepted for meat in the cold chain, °C. */
const COLD_CHAIN_MAX_CELSIUS = 8;

// Every pack of a lot shares its trace and container readings (the resolver caches them together),
// so its lot summary is built once per those objects and day, found by them without reading what
// they hold; the same summary objects then let the page and JSON memoize their lot-level parts.
const lotSummaries = new WeakMap<Trace, WeakMap<Trace['events'], Map<string, LotSummary>>>();
/** What a summary given no container readings is cached under. */
const NO_CONTAINER_READINGS: Trace['events'] = [];

/**
 * `failedLots`: those of the trace's lots with a failed test that still stands, as the event log
 * settles it (standingFailure: a later pass of the same kind settles it); read with the trace.
 * `containerReadings`: the observations of the containers the lot lay in, with the readings taken
 * while it lay there (the resolver's containerReadings), whatever else they name; read with the trace
 * and kept with it, as the summary is cached by both objects, not by what they hold.
 */
type LotSummaryInput = {
  lotCode: string;
  trace: Trace;
  today: string;
  brands: BrandRef[];
  /** The certifications the lot's owner held when it made the lot: with a GI badge, what shows the product's marks (earnedMarks). */
  certifications?: readonly string[];
  failedLots?: ReadonlySet<string>;
  containerReadings?: Trace['events'];
};

/** An event as one party's: eventIDs are each party's own (partyEventKey). */
const partyEvent = (event: Trace['events'][number]) => `${event.partyCode} ${event.id}`;

/** Each event once, as first listed. */
function onceEach(events: Trace['events']): Trace['events'] {
  const seen = new Set<string>();
  return events.filter((event) => {
    const key = partyEvent(event);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function lotSummary(input: LotSummaryInput): LotSummary {
  const readings = input.containerReadings ?? NO_CONTAINER_READINGS;
  let byReadings = lotSummaries.get(input.trace);
  if (!byReadings) {
    byReadings = new WeakMap();
    lotSummaries.set(input.trace, byReadings);
  }
  let byLot = byReadings.get(readings);
  if (!byLot) {
    byLot = new Map();
    byReadings.set(readings, byLot);
  }
  // the failed lots are read with the trace, so they change with it; keyed anyway, the summary is theirs
  const key = `${input.lotCode}:${input.today}:${[...(input.failedLots ?? [])].sort().join(' ')}`;
  let summary = byLot.get(key);
  if (!summary) {
    // the day rolls over at most once while a trace is cached
    byLot.clear();
    summary = buildLotSummary(input);
    byLot.set(key, summary);
  }
  return summary;
}

/** A party's address as the consumer is shown it: none for a farm (see LotSummary's origins). */
const publicAddress = (party: { kind: string; address: string | null }) => (party.kind === 'farm' ? null : party.address);

/**
 * Where a step naming no site took place, as the consumer is shown it: the maker's address (on its
 * label anyway), any other party's county only — a trading partner's address is not the maker's to publish.
 */
const stepPlace = (actor: { code: string; kind: string; address: string | null; regionCode: string }, makerCode: string) =>
  (actor.code === makerCode ? publicAddress(actor) : null) ?? regionName(actor.regionCode) ?? null;

const textOrNull = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/** The items of an inspect event's details, as its writer validated them; anything else is left out. */
function testItems(details: Record<string, unknown> | undefined): TestItem[] {
  const items = (details?.inspection as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return [];
  return items
    .filter(
      (item): item is Record<string, unknown> =>
        typeof item === 'object' && item !== null && typeof item.name === 'string' && typeof item.result === 'string',
    )
    .map((item) => ({
      name: item.name as string,
      value: typeof item.value === 'number' || typeof item.value === 'string' ? item.value : null,
      unit: textOrNull(item.unit),
      limit: textOrNull(item.limit),
      result: item.result as string,
    }));
}

/**
 * The tests among the events of the lots in the start lot now (see ofLotNow), read from their inspect
 * events (the resolver reads the trace with every event): each event once, however many of those lots
 * it covered (the abattoir's rapid test of two farms' pigs), with its own findings. Not by the
 * eventIDs its nodes' inspections name: two parties may record events under one eventID (partyEventKey).
 */
function testsOf(events: Trace['events'], party: Map<string, Trace['parties'][number]>): LotSummary['tests'] {
  return events
    .flatMap((event) => {
      const findings = inspectionFindings(event.type, event.details, { code: event.partyCode, kind: party.get(event.partyCode)?.kind });
      if (!findings) return [];
      return [
        {
          kind: findings.kind,
          party: party.get(event.partyCode)?.name ?? event.partyCode,
          lab: findings.labPartyCode ? (party.get(findings.labPartyCode)?.name ?? findings.labPartyCode) : null,
          result: findings.result,
          reportNumber: findings.reportNumber,
          time: event.eventTime.toISOString(),
          items: testItems(event.details),
        },
      ];
    })
    .sort((a, b) => a.time.localeCompare(b.time));
}

/**
 * The hazards of the recalls that reached the lot, from their openings in its trace (an opening links
 * every lot its scope reached): each once, in the order they opened. Never a recall's reason, which
 * may be internal.
 */
function recallHazardsOf(events: Trace['events'], lotCode: string): string[] {
  const hazards = events
    .filter(
      (event) =>
        event.type === 'recall' &&
        event.disposition === 'recalled' &&
        !event.declaredInErrorBy &&
        event.lots.some((lot) => lot.lotCode === lotCode),
    )
    .sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime())
    .flatMap((event) => textOrNull(event.details.hazard) ?? []);
  return [...new Set(hazards)];
}

/**
 * The lots of a backward trace that are in the start lot now: those it was made from, and what a
 * container holds, but not a lot an unpacking took out of a container (it went elsewhere).
 */
function inLotNow(trace: Trace, lotCode: string): Set<string> {
  const inputs = new Map<string, string[]>();
  for (const edge of trace.edges) {
    if (edge.kind === 'aggregate' && edge.status === 'unpacked') continue;
    const of = inputs.get(edge.to);
    if (of) of.push(edge.from);
    else inputs.set(edge.to, [edge.from]);
  }
  const reached = new Set([lotCode]);
  for (const code of reached) for (const input of inputs.get(code) ?? []) reached.add(input);
  return reached;
}

/** The transformationID an EPCIS transformation was captured under: its halves (inputs, outputs) may come as two events. */
const transformationOf = (event: Trace['events'][number]) => {
  const id = (event.details.epcis as { transformationID?: unknown } | undefined)?.transformationID;
  return typeof id === 'string' ? id : undefined;
};

/**
 * Whether an event of the backward trace is part of the start lot's story now: it names a lot in it
 * now (`inLot`, see inLotNow) other than as an input, or is the inputs half of a transformation whose
 * other half made such a lot. As the trace itself reads a lot's events (its repository's eventsOn),
 * using a lot makes no event that lot's: the making of a lot unpacked from a case, from a raw lot the
 * case still holds a lot of, went with it, as did its other steps, its tests and its own readings; the
 * case's own, and those it shares with a lot the case still holds, stay.
 */
function ofLotNow(trace: Trace, inLot: ReadonlySet<string>): (event: Trace['events'][number]) => boolean {
  const names = (event: Trace['events'][number]) => event.lots.some((lot) => lot.role !== 'input' && inLot.has(lot.lotCode));
  const madeInLot = new Set(trace.events.filter(names).flatMap((event) => transformationOf(event) ?? []));
  return (event) => {
    if (names(event)) return true;
    const transformation = transformationOf(event);
    return transformation !== undefined && madeInLot.has(transformation);
  };
}

/** The event types with a step on the timeline; any other (a shipment, a packing, a test) only ends a run of temperature logs. */
const STEP_TYPES = new Set(['commission', 'transform', 'receive', 'observe', 'sell']);

/** The temperatures an event read, °C. */
const celsiusOf = (event: Trace['events'][number]) =>
  ((event.details.readings as { type: string; value: number; unit: string }[] | undefined) ?? [])
    .filter((reading) => reading.type === 'temperature' && reading.unit === 'Cel')
    .map((reading) => reading.value);

type Step = LotSummary['timeline'][number];

/**
 * The steps of the lot's story (`events` in time order), as the consumer is shown them. A sighting is
 * shown once per stay (see SIGHTINGS); a logger's temperature logs of one party and place, one after
 * another with nothing else between them (a repeated sighting shows nothing), are one step of their
 * count, span and range: fifty readings in a cold store are one stay there, not fifty steps.
 */
function timelineOf(
  events: Trace['events'],
  party: Map<string, Trace['parties'][number]>,
  location: Map<string, Trace['locations'][number]>,
  makerCode: string,
): Step[] {
  const timeline: Step[] = [];
  // the sightings shown since the pack last came into storage or changed hands (see SIGHTINGS)
  const sighted = new Set<string>();
  // the temperature-log step the next log of the same party and place folds into
  let logging = null as { key: string; temperatures: NonNullable<Step['temperatures']> } | null;
  for (const event of events) {
    if (!STEP_TYPES.has(event.type)) {
      logging = null;
      continue;
    }
    const actor = party.get(event.partyCode);
    const process = (event.details.process as { kind?: string } | null | undefined)?.kind;
    const stage = (process && STAGE_BY_PROCESS[process]) || STAGE_BY_PARTY_KIND[actor?.kind ?? ''] || 'processing';
    const where = location.get(event.readPoint ?? event.bizLocation ?? '');
    const place = where?.name ?? (actor ? stepPlace(actor, makerCode) : null);
    const sighting = event.type === 'observe' ? sightingOf(event) : null;
    const action = process ?? sighting ?? event.type;
    if (sighting) {
      const key = `${event.partyCode}|${place}|${sighting}`;
      if (sighted.has(key)) continue;
      if (SIGHTINGS[sighting] === 'begins') sighted.clear();
      sighted.add(key);
    } else if (action !== 'observe') sighted.clear();
    const time = event.eventTime.toISOString();
    const celsius = action === 'observe' ? celsiusOf(event) : [];
    const key = `${event.partyCode}|${place}`;
    if (celsius.length && logging?.key === key) {
      const run = logging.temperatures;
      run.readings += celsius.length;
      run.lastTime = time;
      run.minCelsius = Math.min(run.minCelsius, ...celsius);
      run.maxCelsius = Math.max(run.maxCelsius, ...celsius);
      continue;
    }
    const step: Step = { stage, time, party: actor?.name ?? event.partyCode, place, action };
    logging = null;
    if (celsius.length) {
      step.temperatures = { readings: celsius.length, lastTime: time, minCelsius: Math.min(...celsius), maxCelsius: Math.max(...celsius) };
      logging = { key, temperatures: step.temperatures };
    }
    timeline.push(step);
  }
  return timeline;
}

function buildLotSummary(input: LotSummaryInput): LotSummary {
  const { trace } = input;
  const party = new Map(trace.parties.map((p) => [p.code, p]));
  const product = new Map(trace.products.map((p) => [p.code, p]));
  const location = new Map(trace.locations.map((l) => [l.code, l]));
  const start = trace.nodes.find((node) => node.code === input.lotCode);
  if (!start) throw new Error(`trace of ${input.lotCode} does not contain it`);
  const startProduct = start.productCode ? product.get(start.productCode) : undefined;
  const producer = party.get(start.partyCode);
  const inLot = inLotNow(trace, start.code);
  // the steps, readings and tests shown: of what the start lot is made of or holds now, and the readings
  // of the containers it lay in; each once, an observation of the lot itself whole; none declared in error
  const events = onceEach([...trace.events.filter(ofLotNow(trace, inLot)), ...(input.containerReadings ?? [])])
    .filter((event) => !event.declaredInErrorBy && event.type !== 'correction')
    .sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime());

  const timeline = timelineOf(events, party, location, start.partyCode);
  const temperatures = events.flatMap(celsiusOf);

  const warnings: LotSummary['warnings'] = [];
  if (start.status === 'recalled') warnings.push('recalled');
  // held by a regulator or its owner pending a test: 暂停销售
  if (start.onHold) warnings.push('on_hold');
  // a failed test that still stands, of the lot or of any lot it was made from (the raw lot a packing
  // used) or a case holds: 检测不合格, whether or not anyone has held it
  const { failedLots } = input;
  if (failedLots && [...inLot].some((code) => failedLots.has(code))) warnings.push('held');
  if (start.expiryDate && start.expiryDate < input.today) warnings.push('expired');
  if (start.status === 'destroyed') warnings.push('destroyed');

  const labelOf = (node: Trace['nodes'][number]) => {
    const name = node.productCode ? product.get(node.productCode)?.name : undefined;
    return name ?? (node.kind === 'container' ? '托盘/箱' : '未登记品名');
  };

  return {
    product: startProduct
      ? {
          name: startProduct.name,
          gtin: startProduct.gtin,
          category: startProduct.category,
          marks: earnedMarks(startProduct.marks, input.brands, input.certifications ?? []),
        }
      : null,
    brands: input.brands,
    lot: {
      code: start.code,
      lotNumber: start.lotNumber,
      productionDate: start.productionDate,
      expiryDate: start.expiryDate,
      sellByDate: start.sellByDate,
      status: start.status,
    },
    producer: producer ? { name: producer.name, regionCode: producer.regionCode, address: publicAddress(producer) } : null,
    origins: trace.nodes
      .filter((node) => inLot.has(node.code) && party.get(node.partyCode)?.kind === 'farm')
      .map((node) => {
        const farm = party.get(node.partyCode)!;
        return { farm: farm.name, regionCode: farm.regionCode, earTagCount: node.earTags.length };
      }),
    timeline,
    tests: testsOf(events, party),
    certificates: [
      ...new Map(
        trace.nodes
          .filter((node) => inLot.has(node.code))
          .flatMap((node) => node.certificates)
          .filter((certificate) => CONSUMER_CERTIFICATES.has(certificate.type))
          .map((certificate) => [`${certificate.type}:${certificate.number}`, certificate]),
      ).values(),
    ],
    coldChain: temperatures.length
      ? {
          readings: temperatures.length,
          minCelsius: Math.min(...temperatures),
          maxCelsius: Math.max(...temperatures),
          withinLimits: Math.max(...temperatures) <= COLD_CHAIN_MAX_CELSIUS,
        }
      : null,
    warnings,
    recallHazards: start.status === 'recalled' ? recallHazardsOf(trace.events, start.code) : [],
    // the chain of what it holds now, as its timeline: a lot unpacked from a case is no longer drawn in it
    lineage: publicLineage(
      trace.nodes
        .filter((node) => inLot.has(node.code))
        .map((node) => ({
          code: node.code,
          depth: node.depth,
          label: labelOf(node),
          stage: STAGE_BY_PARTY_KIND[party.get(node.partyCode)?.kind ?? ''] ?? null,
        })),
      trace.edges.filter((edge) => edge.kind !== 'custody' && edge.status !== 'unpacked' && inLot.has(edge.to)),
    ),
  };
}

type Lineage = LotSummary['lineage'];

/**
 * The chain as the public is shown it, in chain order: the farms (the deepest nodes) first, the
 * scanned lot last; a generation by label, then by code. Each lot or container upstream of the
 * scanned lot is named by a public id, `n1`, `n2`, … in that order, never by its code: an upstream
 * party's lot codes are its own (with one, anyone could file a complaint against its lot). The
 * scanned lot (depth 0) keeps its code, which its page and JSON show anyway (`lot.code`).
 */
export function publicLineage(nodes: Lineage['nodes'], edges: { from: string; to: string }[]): Lineage {
  const ordered = [...nodes].sort(
    (a, b) => b.depth - a.depth || a.label.localeCompare(b.label, 'zh-CN') || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  const publicId = new Map<string, string>();
  let upstream = 0;
  for (const node of ordered) publicId.set(node.code, node.depth === 0 ? node.code : `n${++upstream}`);
  return {
    nodes: ordered.map((node) => ({ ...node, code: publicId.get(node.code)! })),
    // an edge between nodes shown: one to or from a node left out has nowhere to be drawn
    edges: edges.flatMap((edge) => {
      const [from, to] = [publicId.get(edge.from), publicId.get(edge.to)];
      return from && to ? [{ from, to }] : [];
    }),
  };
}

const packScans = (pack: PackFacts): ConsumerSummary['scans'] => ({
  count: pack.scans.count,
  firstScannedAt: pack.scans.firstScannedAt?.toISOString() ?? null,
});

/**
 * The lot's warnings and those of the containers the pack lies in: a held one is 暂停销售 for the
 * pack as the lot's own hold is, a recalled one a recall, a destroyed one took the pack with it as a
 * destroyed lot's (a sold or used one says no more than the lot's own sale or use does). The lot's
 * summary is shared by all its packs, so a container's are added per pack, never to it.
 */
export function packLotWarnings(lot: LotSummary, pack: PackFacts): LotSummary['warnings'] {
  const { container } = pack;
  if (!container || (!container.onHold && !container.recalled && !container.destroyed)) return lot.warnings;
  const all = new Set<LotSummary['warnings'][number]>(lot.warnings);
  if (container.recalled) all.add('recalled');
  if (container.onHold) all.add('on_hold');
  if (container.destroyed) all.add('destroyed');
  // in the order the lot's own are raised in
  return LOT_WARNINGS.filter((warning) => all.has(warning));
}

// A recalled, held or destroyed lot is out of circulation, and its red banner is the whole answer;
// it also explains unusual scans (people check a recall, and a scan of a recalled or destroyed
// lot raises a flag of its own), so such a pack is never also called counterfeit.
const OUT_OF_CIRCULATION: ReadonlySet<Warning> = new Set(['recalled', 'on_hold', 'held', 'destroyed']);

/** Whether the pack's page and JSON warn that its code may be copied. */
export const counterfeitSuspected = (lot: LotSummary, pack: PackFacts): boolean =>
  pack.flagged && !packLotWarnings(lot, pack).some((warning) => OUT_OF_CIRCULATION.has(warning));

/**
 * The hazards of the recalls that reached the pack: its lot's, then those of the recalls that named a
 * container it lies in, each once (the lot's own list itself when they add none).
 */
export function packRecallHazards(lot: LotSummary, pack: PackFacts): string[] {
  const ofContainers = pack.container?.recallHazards ?? [];
  if (ofContainers.every((hazard) => lot.recallHazards.includes(hazard))) return lot.recallHazards;
  return [...new Set([...lot.recallHazards, ...ofContainers])];
}

const packWarnings = (lot: LotSummary, pack: PackFacts): Warning[] =>
  counterfeitSuspected(lot, pack) ? [...packLotWarnings(lot, pack), 'counterfeit_suspected'] : packLotWarnings(lot, pack);

// The lot-level members serialized and UTF-8 encoded once per lot summary; a scan only adds its own few.
const lotJson = new WeakMap<LotSummary, Buffer>();

/** The consumer summary of one pack as JSON bytes, without re-serializing the lot's part per scan. */
export function consumerSummaryJson(lot: LotSummary, pack: PackFacts): Buffer {
  let shared = lotJson.get(lot);
  if (shared === undefined) {
    const { warnings: _lotWarnings, recallHazards: _lotHazards, ...members } = lot;
    shared = Buffer.from(`${JSON.stringify(members).slice(1, -1)}}`);
    lotJson.set(lot, shared);
  }
  const own = `{"code":${JSON.stringify(pack.code)},"genuine":true,"scans":${JSON.stringify(packScans(pack))},"warnings":${JSON.stringify(packWarnings(lot, pack))},"recallHazards":${JSON.stringify(packRecallHazards(lot, pack))},`;
  return Buffer.concat([Buffer.from(own), shared]);
}
