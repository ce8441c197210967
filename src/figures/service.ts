import { canReadPartyData, type Principal, requireRole } from '../access/index.js';
import { regionName, townshipOf } from '../codes/regions.js';
import { PARTY_KIND_NAMES, type PartyKind } from '../codes/service-codes.js';
import { shareOf } from '../codes/shares.js';
import { chinaDay, chinaDayEnd, chinaDayStart } from '../codes/timestamp.js';
import { notFound } from '../errors/problem.js';
import { eventIdOfKey } from '../gs1/event-id.js';
import { lotGap, massBalance, type TransformationYield, transformationYield, type YieldAllowances } from '../lots/ledger.js';
import type { LotsRepository } from '../lots/repository.js';
import { lotBooks, lotBooksKeeper } from '../lots/service.js';
import type { RegionCheck } from '../parties/service.js';
import { attributeCertificates } from '../trace/graph.js';
import { type KdeRow, type KdeSort, kdeRow } from '../trace/kde.js';
import { NO_TOWNSHIP_NAMED } from '../web/i18n/regions.js';
import type { EventLotKey, FiguresRepository, LedgerRow, Scope, TraceabilityRow, TransformationRow } from './repository.js';
import type { PassRateRegionParty, TraceabilityDimension } from './schemas.js';

/** Pass rate the county plans set for every kind of test (≥ 96 %). */
const PASS_RATE_TARGET = 0.96;
/** Authorized enterprises' products traceable to the farm by 2027: all of them. */
const TRACEABILITY_TARGET = 1;

/** Names of the traceability groups the database leaves unnamed: regions from the GB/T 2260 data (as townships are), kinds of party in Chinese. */
const GROUP_NAMES: Partial<Record<TraceabilityDimension, (key: string) => string | undefined>> = {
  region: regionName,
  partyKind: (kind) => PARTY_KIND_NAMES[kind as PartyKind],
};

/** A rate to four decimal places, rounded down: short of complete, it never reads 1. */
const rate = (part: number, whole: number) => shareOf(part, whole, 4);
const DAY_MS = 86_400_000;

/** A period of whole days in China time, `to` included, as the [from, to) instants the repository filters on. */
export function periodScope(query: { from?: string; to?: string; region?: string }): Scope {
  return {
    from: query.from ? chinaDayStart(query.from) : undefined,
    to: query.to ? chinaDayEnd(query.to) : undefined,
    region: query.region,
  };
}

type YieldOfEvent = TransformationYield & { eventId: string; eventTime: Date; partyCode: string };

function yieldOf(row: TransformationRow, allowances: YieldAllowances): YieldOfEvent | null {
  // an output recorded without its quantity (an EPCIS output that already existed) cannot be weighed,
  // nor can a case a captured EPCIS event names alone (without the lots packed in it)
  if (row.lines.some((line) => line.quantity === null)) return null;
  // a container used whole is no weight of its own: the lots packed in it are inputs beside it
  const known = (role: 'input' | 'output') =>
    row.lines
      .filter((line) => line.role === role && (role === 'output' || line.kind === 'lot'))
      .map((line) => ({ quantity: line.quantity as number, unit: line.unit }));
  const result = transformationYield(row.kind, known('input'), known('output'), allowances);
  return result && { ...result, eventId: eventIdOfKey(row.eventId), eventTime: row.eventTime, partyCode: row.partyCode };
}

/** Each output lot's share of the transformation that made it (by quantity). */
function madeBy(transformations: TransformationRow[], allowances: YieldAllowances) {
  const made = new Map<string, { yield: YieldOfEvent; share: number }>();
  for (const row of transformations) {
    const result = yieldOf(row, allowances);
    if (!result) continue;
    for (const line of row.lines.filter((line) => line.role === 'output')) {
      made.set(line.lotCode, { yield: result, share: result.output > 0 ? (line.quantity as number) / result.output : 0 });
    }
  }
  return made;
}

/** The lots among `ledgers` whose books do not close, given every standing transformation (pure). */
export function lotsWithGaps(ledgers: LedgerRow[], transformations: TransformationRow[], allowances: YieldAllowances) {
  const made = madeBy(transformations, allowances);
  return ledgers
    .map((ledger) => {
      const balance = massBalance(ledger.totals, ledger.lines);
      const source = made.get(ledger.code) ?? null;
      return {
        lotCode: ledger.code,
        partyCode: ledger.partyCode,
        productCode: ledger.productCode,
        unit: ledger.unit,
        status: ledger.status,
        gap: lotGap(balance, source),
        unaccounted: balance.unaccounted,
        yieldGap: source ? Math.round(source.yield.gap * source.share * 1000) / 1000 : 0,
        madeByEventId: source?.yield.eventId ?? null,
      };
    })
    .filter((row) => row.gap !== 0);
}

export function createFiguresService(deps: {
  figures: Pick<
    FiguresRepository,
    | 'ledgers'
    | 'transformations'
    | 'unreceivedShipments'
    | 'expiredActiveLots'
    | 'failedInspectionsInCirculation'
    | 'codedLots'
    | 'salesAfterExpiry'
    | 'anomalyCounts'
    | 'inspectionCounts'
    | 'traceability'
    | 'activity'
    | 'eventLots'
    | 'partyNames'
  >;
  lots: Pick<LotsRepository, 'findByCodes' | 'involvedParties' | 'ledger'>;
  yieldAllowances: YieldAllowances;
  /** Refuses a region filter naming no region listed or held (see createRegionCheck). */
  knownRegion: RegionCheck;
  now: () => Date;
  /** Lot lines read per query while a CSV export streams. */
  exportPageSize?: number;
}) {
  const exportPageSize = deps.exportPageSize ?? 2000;

  /**
   * One page of key-data-element rows, each naming its event by its eventID, and the line a next
   * page resumes after: by the key its event is stored under, which two parties' events under one
   * eventID (partyEventKey) do not share.
   */
  async function exportPage(
    scope: Scope,
    sort: KdeSort,
    limit: number,
    start: { offset: number } | { after: EventLotKey | null },
  ): Promise<{ rows: KdeRow[]; last: EventLotKey | null }> {
    const page = await deps.figures.eventLots(scope, sort, limit, start);
    const counterparts = page.flatMap((row) => [row.payload.toPartyCode, row.payload.fromPartyCode]);
    const codes = [...page.map((row) => row.partyCode), ...counterparts].filter((code): code is string => typeof code === 'string');
    const names = await deps.figures.partyNames([...new Set(codes)]);
    const last = page.at(-1);
    return {
      rows: page.map((row) =>
        kdeRow({ ...row, lotCertificates: attributeCertificates(row.attributes) }, (code) => names.get(code) ?? null),
      ),
      last: last ? { eventId: last.eventId, lotCode: last.lotCode, role: last.role } : null,
    };
  }

  /**
   * Every lot (of the region) whose books do not close, in no order: weighed among the lots whose
   * books may not close (see the repository's mayNotClose), with the transformations that touch them.
   */
  async function allGaps(filter: { region?: string }) {
    const ledgers = await deps.figures.ledgers({ region: filter.region, mayNotClose: true });
    if (ledgers.length === 0) return [];
    const transformations = await deps.figures.transformations({ lotCodes: ledgers.map((ledger) => ledger.code) });
    return lotsWithGaps(ledgers, transformations, deps.yieldAllowances);
  }

  return {
    knownRegion: deps.knownRegion,

    /**
     * A lot's books (an operator's: of its own stock): the ledger, the transformation that made it
     * (shown to its maker and regulators) and those that used it (each to the party that made it
     * and regulators), with their yields against the allowances.
     */
    async balanceSheet(principal: Principal, code: string) {
      const [lot] = await deps.lots.findByCodes([code]);
      if (lot?.kind !== 'lot') throw notFound(`no lot ${code}`);
      const keeper = await lotBooksKeeper(deps.lots, principal, code);
      const [balance, transformations] = await Promise.all([
        lotBooks(deps.lots, keeper, code),
        deps.figures.transformations({ lotCodes: [code] }),
      ]);
      // how much went into the lot and what its making gained or lost are its maker's books, as
      // what another party made of the lot is that party's: an operator's books close on their own
      const source = madeBy(transformations, deps.yieldAllowances).get(code);
      const made = source && canReadPartyData(principal, source.yield.partyCode) ? source : null;
      const usedIn = transformations
        .filter((row) => row.lines.some((line) => line.lotCode === code && line.role === 'input'))
        .filter((row) => canReadPartyData(principal, row.partyCode))
        .map((row) => ({ eventId: eventIdOfKey(row.eventId), eventTime: row.eventTime, yield: yieldOf(row, deps.yieldAllowances) }));
      const gap = lotGap(balance, made);
      return {
        lotCode: lot.code,
        partyCode: lot.partyCode,
        productCode: lot.productCode,
        quantity: lot.quantity,
        unit: lot.unit,
        status: lot.status,
        massBalance: balance,
        madeBy: made && { ...made.yield, share: Math.round(made.share * 10_000) / 10_000 },
        usedIn,
        gap,
        closes: gap === 0,
      };
    },

    /** Lots whose books do not close, the largest gap first. */
    async gaps(principal: Principal, filter: { region?: string; limit: number }) {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(filter.region);
      return (await allGaps(filter))
        .sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap) || a.lotCode.localeCompare(b.lotCode))
        .slice(0, filter.limit);
    },

    /**
     * How many lots' books do not close, every one counted (the list above stops at its limit). A
     * gap is the ledger's mass balance plus a share of the yield of the transformation that made the
     * lot (lotsWithGaps), weighed here rather than in SQL, so the count reads what the list reads.
     */
    async gapCount(principal: Principal, filter: { region?: string }) {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(filter.region);
      return (await allGaps(filter)).length;
    },

    /**
     * What a regulator should look at: shipments never received, expired lots still about, failed
     * tests whose lot or lots downstream of it are still in circulation and not held, suspicious item
     * codes, sales after the expiry date; a page of each list, and how many each holds.
     */
    async anomalies(principal: Principal, filter: { region?: string; shipmentDays: number; limit: number; offset: number }) {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(filter.region);
      const now = deps.now();
      const today = chinaDay(now);
      const shippedBefore = new Date(now.getTime() - filter.shipmentDays * DAY_MS);
      const page = { limit: filter.limit, offset: filter.offset };
      const [shipments, expired, failed, coded, lateSales, counts] = await Promise.all([
        deps.figures.unreceivedShipments(shippedBefore, filter.region, page),
        deps.figures.expiredActiveLots(today, filter.region, page),
        deps.figures.failedInspectionsInCirculation(filter.region, page),
        deps.figures.codedLots(filter.region, page),
        deps.figures.salesAfterExpiry(filter.region, page),
        deps.figures.anomalyCounts(shippedBefore, today, filter.region),
      ]);
      return {
        unreceivedShipments: shipments.map((shipment) => ({
          ...shipment,
          daysOpen: Math.floor((now.getTime() - shipment.shippedAt.getTime()) / DAY_MS),
        })),
        expiredLots: expired,
        failedInspectionsWithoutHold: failed.map((row) => ({ ...row, eventId: eventIdOfKey(row.eventId) })),
        // the repository lists only lots consumed or over-coded (only lots counted in units can be)
        suspiciousCodes: coded.map((lot) => ({
          ...lot,
          reason: lot.status === 'consumed' ? ('lot_consumed' as const) : ('beyond_quantity' as const),
        })),
        salesAfterExpiry: lateSales.map((row) => ({ ...row, eventId: eventIdOfKey(row.eventId) })),
        counts,
      };
    },

    /** How many entries each list of anomalies holds, counted without reading them (the dashboard's counts). */
    async anomalyCounts(principal: Principal, filter: { region?: string; shipmentDays: number }) {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(filter.region);
      const now = deps.now();
      return deps.figures.anomalyCounts(new Date(now.getTime() - filter.shipmentDays * DAY_MS), chinaDay(now), filter.region);
    },

    /**
     * Pass rates by kind of test and by test item, against the 96 % target; the scope's region is
     * the tested lots' owners' (by default) or the testers'.
     */
    async passRates(principal: Principal, scope: Scope, regionOf: PassRateRegionParty = 'owner') {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(scope.region);
      const { byKind, byItem } = await deps.figures.inspectionCounts(scope, regionOf);
      const figure = (row: { key: string; total: number; passed: number }) => {
        const value = rate(row.passed, row.total);
        return {
          total: row.total,
          passed: row.passed,
          failed: row.total - row.passed,
          rate: value,
          // on the exact share: 95.995 % reads 0.96 to four places but is short of the target
          meetsTarget: row.total > 0 && row.passed / row.total >= PASS_RATE_TARGET,
        };
      };
      const total = byKind.reduce((acc, row) => acc + row.total, 0);
      const passed = byKind.reduce((acc, row) => acc + row.passed, 0);
      return {
        target: PASS_RATE_TARGET,
        overall: figure({ key: 'all', total, passed }),
        byKind: byKind.map((row) => ({ kind: row.key, ...figure(row) })),
        byItem: byItem.map((row) => ({ item: row.key, ...figure(row) })),
      };
    },

    /** Traceability rate (溯源率): sold lots and their items whose trace reaches farm lots, every one with the certificate its product's category calls for (quarantine for meat, commitment for produce). */
    async traceability(principal: Principal, scope: Scope, by: TraceabilityDimension) {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(scope.region);
      const grouped = await deps.figures.traceability(scope, by === 'township' ? 'enterprise' : by);
      const nameOf = GROUP_NAMES[by];
      const rows =
        by === 'township'
          ? byTownship(grouped)
          : nameOf
            ? grouped.map((row) => ({ ...row, name: row.key === null ? null : (nameOf(row.key) ?? null) }))
            : grouped;
      const figure = (row: Pick<TraceabilityRow, 'lots' | 'tracedLots' | 'items' | 'tracedItems'>) => ({
        lots: row.lots,
        tracedLots: row.tracedLots,
        lotRate: rate(row.tracedLots, row.lots),
        items: row.items,
        tracedItems: row.tracedItems,
        itemRate: rate(row.tracedItems, row.items),
      });
      const overall = rows.find((row) => row.key === null);
      return {
        target: TRACEABILITY_TARGET,
        by,
        overall: overall ? figure(overall) : figure({ lots: 0, tracedLots: 0, items: 0, tracedItems: 0 }),
        groups: rows.filter((row) => row.key !== null).map((row) => ({ key: row.key as string, name: row.name, ...figure(row) })),
      };
    },

    /**
     * Activity rate (进驻率): registered enterprises that recorded events in the period, and the certified ones among them,
     * as of the period's last day (today while it has not ended, or without one).
     */
    async activity(principal: Principal, scope: Scope) {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(scope.region);
      const now = deps.now();
      // scope.to is the instant the period's last day ends
      const asOf = chinaDay(scope.to && scope.to <= now ? new Date(scope.to.getTime() - 1) : now);
      const rows = await deps.figures.activity(scope, asOf);
      const figure = (row: (typeof rows)[number] | undefined) => {
        const of = (registered: number, active: number) => ({ registered, active, rate: rate(active, registered) });
        return {
          all: of(row?.registered ?? 0, row?.active ?? 0),
          greenFood: of(row?.greenFood ?? 0, row?.greenFoodActive ?? 0),
          geographicalIndication: of(row?.geographicalIndication ?? 0, row?.geographicalIndicationActive ?? 0),
          organic: of(row?.organic ?? 0, row?.organicActive ?? 0),
        };
      };
      return {
        asOf,
        overall: figure(rows.find((row) => row.dimension === 'all')),
        byKind: rows
          .filter((row) => row.dimension === 'kind')
          .map((row) => ({ kind: row.key as PartyKind, name: PARTY_KIND_NAMES[row.key as PartyKind], ...figure(row) })),
        byRegion: rows
          .filter((row) => row.dimension === 'region')
          .map((row) => ({ regionCode: row.key as string, name: regionName(row.key as string) ?? null, ...figure(row) })),
      };
    },

    /** Key data elements of standing events in the period and concerning the region: one page of lot lines. */
    async exportPage(principal: Principal, scope: Scope, sort: KdeSort, limit: number, offset: number): Promise<KdeRow[]> {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(scope.region);
      return (await exportPage(scope, sort, limit, { offset })).rows;
    },

    /**
     * Every page, for a streamed export; asks for access, and checks the region, before the first row is read. Each page
     * resumes after the last line of the one before (keyset), so a deep page costs what the first does.
     */
    async exportAll(principal: Principal, scope: Scope, sort: KdeSort, pageSize = exportPageSize): Promise<AsyncIterable<KdeRow[]>> {
      requireRole(principal, 'figures.read');
      await deps.knownRegion(scope.region);
      return (async function* () {
        let after: EventLotKey | null = null;
        for (;;) {
          const page = await exportPage(scope, sort, pageSize, { after });
          if (page.rows.length > 0) yield page.rows;
          if (page.rows.length < pageSize) return;
          after = page.last;
        }
      })();
    },
  };
}

/**
 * The county of a township group keyed by a county's own code (its enterprises' addresses name no
 * township), by name; null for a township's group. A page adds NO_TOWNSHIP_NAMED in its language.
 */
export const countyWithoutTownship = (key: string): string | null => (key.length === 6 ? (regionName(key) ?? key) : null);

/**
 * Enterprise rows summed by the township their address names (a county's own code, named as the
 * county 未注明乡镇, when it names none); the counts add up, so the sums are exact. The total row stays.
 */
export function byTownship(rows: TraceabilityRow[]): TraceabilityRow[] {
  const groups = new Map<string, TraceabilityRow>();
  for (const row of rows) {
    if (row.key === null) continue;
    const township = row.regionCode ? townshipOf(row.regionCode, row.address) : undefined;
    const key = township?.code ?? row.regionCode ?? '';
    const group = groups.get(key) ?? {
      key,
      name: township ? `${regionName(key.slice(0, 6)) ?? ''}${township.name}` : `${regionName(key) ?? key}${NO_TOWNSHIP_NAMED['zh-CN']}`,
      regionCode: row.regionCode,
      address: null,
      lots: 0,
      tracedLots: 0,
      items: 0,
      tracedItems: 0,
    };
    group.lots += row.lots;
    group.tracedLots += row.tracedLots;
    group.items += row.items;
    group.tracedItems += row.tracedItems;
    groups.set(key, group);
  }
  return [
    ...rows.filter((row) => row.key === null),
    ...[...groups.values()].sort((a, b) => (a.key as string).localeCompare(b.key as string)),
  ];
}

export type FiguresService = ReturnType<typeof createFiguresService>;
