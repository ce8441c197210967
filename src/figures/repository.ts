// The SQL behind the regulator's figures: ledger totals and transformations for mass balance,
// anomaly lists, inspection counts, traceability and activity, and the key data elements of
// events for exports. Counting happens here; rates, targets and gaps are the service's.
import { type SQL, sql } from 'drizzle-orm';
import { admittedOnSql, certificationsHeldSql } from '../brands/repository.js';
import { MARK_CERTIFICATIONS } from '../brands/standing.js';
import { chinaDayOf, type Db, queryRows } from '../db/client.js';
import { inspectionKindAsRead, live, standingFailure } from '../events/retests.js';
import { rootedWalk } from '../lineage/repository.js';
import { COUNT_UNITS } from '../lots/ledger.js';
import { type LedgerJson, type LotLedger, ledgerColumns, ledgerOfRow } from '../lots/repository.js';
import {
  ORIGIN_CERTIFICATE_ATTRIBUTES,
  ORIGIN_CERTIFICATES,
  type OriginCertificate,
  originCertificatesOf,
} from '../products/origin-certificates.js';
import { PRODUCT_CATEGORIES } from '../products/schemas.js';
import { KDE_PAYLOAD_FIELDS, type KdeSort, type KdeSource, ROLE_ORDER } from '../trace/kde.js';
import type { PassRateRegionParty } from './schemas.js';

/** The certificates that vouch for a farm lot of the product category in `category`, as originCertificatesOf says: a text[]. */
function originCertificatesSql(category: SQL): SQL {
  const accepted = (of: string | null) =>
    sql`array[${sql.join(
      originCertificatesOf(of).map((type) => sql`${type}::text`),
      sql`, `,
    )}]`;
  return sql`case ${sql.join(
    PRODUCT_CATEGORIES.map((of) => sql`when ${category} = ${of} then ${accepted(of)}`),
    sql` `,
  )} else ${accepted(null)} end`;
}

/** Whether the lot carries the certificate: its number in the lot's attributes, or among the documents of a live event naming it. */
function carries(lot: SQL, type: OriginCertificate): SQL {
  return sql`(coalesce(${lot}.attributes->>${ORIGIN_CERTIFICATE_ATTRIBUTES[type]}::text, '') <> ''
    or exists (select 1 from event_lots el join events e on e.id = el.event_id
      where el.lot_code = ${lot}.code and ${live(sql`e`)} and e.reference_documents @> ${JSON.stringify([{ type }])}::jsonb))`;
}

/** A period of event times, [from, to), and a GB/T 2260 region prefix (2, 4 or 6 digits) of the party concerned. */
export type Scope = { from?: Date; to?: Date; region?: string };

export type LedgerRow = {
  code: string;
  partyCode: string;
  productCode: string | null;
  quantity: number;
  unit: string;
  status: string;
} & Omit<LotLedger, 'of'>;
export type TransformationRow = {
  eventId: string;
  eventTime: Date;
  partyCode: string;
  kind: string | null;
  /** kind: `lot` or `container` (a case or pallet used whole, whose contents are inputs of their own). */
  lines: { lotCode: string; kind: 'lot' | 'container'; role: 'input' | 'output'; quantity: number | null; unit: string }[];
};
type CountRow = { key: string; name: string | null; total: number; passed: number };
export type TraceabilityRow = {
  key: string | null;
  name: string | null;
  /** By enterprise: its county and address. */
  regionCode: string | null;
  address: string | null;
  lots: number;
  tracedLots: number;
  items: number;
  tracedItems: number;
};
type ActivityRow = {
  dimension: 'all' | 'kind' | 'region';
  key: string | null;
  registered: number;
  active: number;
  greenFood: number;
  greenFoodActive: number;
  geographicalIndication: number;
  geographicalIndicationActive: number;
  organic: number;
  organicActive: number;
};
/** One lot line of one event, with what a key-data-element row needs: the lot's certificates still in its attributes. */
type EventLotRow = Omit<KdeSource, 'lotCertificates'> & { attributes: Record<string, unknown> };

/**
 * Of an event `e`, the fields of its payload a key-data-element row reads (KDE_PAYLOAD_FIELDS; of
 * its inspection, the report number), as json of the same shape: an export reads them once for
 * each event of a page and copies them onto each of its lines, where the whole payload would copy
 * its list of every lot onto each lot.
 */
const KDE_PAYLOAD = sql`jsonb_build_object(${sql.join(
  KDE_PAYLOAD_FIELDS.map((field) =>
    field === 'inspection'
      ? sql`'inspection', jsonb_build_object('reportNumber', e.payload->'inspection'->'reportNumber',
          'kind', e.payload->'inspection'->'kind', 'result', e.payload->'inspection'->'result',
          'labPartyCode', e.payload->'inspection'->'labPartyCode',
          'items', jsonb_path_query_array(e.payload, '$.inspection.items[*] ? (@.result == "fail")'))`
      : sql`${sql.raw(`'${field}'`)}, e.payload->${sql.raw(`'${field}'`)}`,
  ),
  sql`, `,
)})`;

/**
 * The lot lines `el` an export lists for an event `e`: its own, and a correction's (which names no
 * lots) those of the event it declared in error, so that it is listed beside what it corrected.
 */
const LINES_OF_EVENT = sql`(el.event_id = e.id or el.event_id = e.corrects_event_id)`;

/** A lot line of an event: what a streamed export resumes after. */
export type EventLotKey = { eventId: string; lotCode: string; role: string };

/** The columns of a lot line an export's order reads: of its event, its line and its product. */
type OrderColumns = { lotCode: SQL; productName: SQL; type: SQL; eventTime: SQL; eventId: SQL; role: SQL };
const LINE_COLUMNS: OrderColumns = {
  lotCode: sql`el.lot_code`,
  productName: sql`pr.name`,
  type: sql`e.type`,
  eventTime: sql`e.event_time`,
  eventId: sql`e.id`,
  role: sql`el.role`,
};

/**
 * The columns an export is ordered by, never null so that one row comparison resumes a page: the
 * key asked for (a line without a product after all those with one), then time, event, role
 * (inputs before outputs) and lot.
 */
function exportOrder(sort: KdeSort, c: OrderColumns = LINE_COLUMNS): SQL {
  const leading = {
    time: [],
    lot: [c.lotCode],
    product: [sql`(${c.productName} is null)`, sql`coalesce(${c.productName}, '')`],
    type: [c.type],
  }[sort];
  const role = sql`coalesce(array_position(${sql.param(ROLE_ORDER)}::text[], ${c.role}), ${sql.raw(String(ROLE_ORDER.length + 1))})`;
  return sql.join([...leading, c.eventTime, c.eventId, role, c.lotCode], sql`, `);
}

/**
 * The lines after `after` in `sort` order. The row comparison mixes an event's columns with its
 * lines', so it is checked line by line; the looser bound on the leading columns alone, which it
 * implies, is what lets an index start the range (events by time and id; lines by lot).
 */
function exportAfter(sort: KdeSort, after: EventLotKey): SQL {
  const order = exportOrder(sort);
  const exact = sql`(${order}) > (select ${order} from events e join event_lots el on ${LINES_OF_EVENT}
    join lots l on l.code = el.lot_code left join products pr on pr.code = l.product_code
    where e.id = ${after.eventId} and el.lot_code = ${after.lotCode} and el.role = ${after.role})`;
  const leading = {
    time: sql`(e.event_time, e.id) >= (select event_time, id from events where id = ${after.eventId})`,
    lot: sql`el.lot_code >= ${after.lotCode}`,
    type: sql`e.type >= (select type from events where id = ${after.eventId})`,
    product: sql`true`,
  }[sort];
  return sql`${leading} and ${exact}`;
}

/** A GB/T 2260 region code column within the region (a code or its prefix); no region is no filter. */
export const regionOf = (column: SQL, region: string | undefined) => (region ? sql`${column} like ${`${region}%`}` : sql`true`);
export const inPeriod = (column: SQL, scope: Scope) =>
  sql`${scope.from ? sql`${column} >= ${scope.from.toISOString()}::timestamptz` : sql`true`} and ${
    scope.to ? sql`${column} < ${scope.to.toISOString()}::timestamptz` : sql`true`
  }`;
/**
 * Of a lot `l`: its books may not close (see lotGap). Either its whole-lot ledger leaves something
 * unaccounted, which massBalance reads as produced − (consumed + destroyed + sold + on hand + in
 * transit + transit loss), that is minus the totals of every movement but those four kinds, the
 * lines on the road and what shipments lost; or a standing transformation made it, whose yield
 * may fall outside its allowance. Every other lot's gap is 0: the lots this leaves out need not be read.
 */
const MAY_NOT_CLOSE = sql`(
  coalesce((select sum(m.quantity) from lot_movements m
    where m.lot_code = l.code and m.kind not in ('produce', 'consume', 'destroy', 'sell')), 0)
  + coalesce((select sum(case when s.status = 'open' and sl.received_quantity is null then sl.quantity else 0 end
      + sl.quantity - coalesce(sl.received_quantity, sl.quantity))
    from shipment_lines sl join shipments s on s.id = sl.shipment_id where sl.lot_code = l.code and s.status <> 'cancelled'), 0) <> 0
  or exists (select 1 from event_lots el join events e on e.id = el.event_id
    where el.lot_code = l.code and el.role = 'output' and e.type = 'transform' and ${live(sql`e`)}))`;
/**
 * Of an event `e`: whether it concerns the region. Its acting party is there, a lot it names is owned
 * there (another county's regulator holding the county's lot), or it ships to or receives from a
 * party there (the from / to columns of its rows). Tested with exists, so that an event is one
 * event however many of these hold: each of its lot lines is read once, and pages stay stable.
 */
const eventInRegion = (region: string | undefined) =>
  region
    ? sql`(exists (select 1 from parties p where p.code = e.party_code and ${regionOf(sql`p.region_code`, region)})
      or exists (select 1 from event_lots named join lots owned on owned.code = named.lot_code join parties p on p.code = owned.party_code
        where named.event_id = coalesce(e.corrects_event_id, e.id) and ${regionOf(sql`p.region_code`, region)})
      or exists (select 1 from parties p
        where p.code = case e.type when 'ship' then e.payload->>'toPartyCode' when 'receive' then e.payload->>'fromPartyCode' end
          and ${regionOf(sql`p.region_code`, region)}))`
    : sql`true`;

/** A page of a list: at most `limit` entries after `offset`. */
export type Page = { limit: number; offset: number };
const pageOf = (page: Page) => sql`limit ${page.limit} offset ${page.offset}`;

/** Shipments still open that left before `shippedBefore`, from senders in the region, and not of nothing. */
const unreceivedShipmentsFrom = (shippedBefore: Date, region: string | undefined) => sql`from shipments s
  join parties p on p.code = s.from_party_code
  where s.status = 'open' and s.shipped_at < ${shippedBefore.toISOString()}::timestamptz and ${regionOf(sql`p.region_code`, region)}
    -- a shipment of nothing (only lines of 0) is no delivery: no receipt can take it
    and exists (select 1 from shipment_lines l where l.shipment_id = s.id and l.quantity > 0)`;

/** Lots past their expiry date (before `today`) still active or on the road, owned in the region. */
const expiredActiveLotsFrom = (today: string, region: string | undefined) => sql`from lots l
  join parties p on p.code = l.party_code
  where l.voided_by_event_id is null and l.expiry_date < ${today}::date and l.status in ('active', 'in_transit')
    and ${regionOf(sql`p.region_code`, region)}`;

/**
 * Sales after the expiry date: of each standing sale (a sell event's movements, a sold case's by the
 * lots in it) of a lot with an expiry date, what it sold of the lot when sold on a day (China time)
 * after that date, whatever became of the lot since; sold by a party or of a lot owned in the region.
 */
const salesAfterExpiryFrom = (region: string | undefined) => sql`from (
    -- grouped by the lot's key, its other columns may be read
    select e.id as event_id, e.event_time, m.party_code as sold_by, l.code as lot_code, l.party_code, l.product_code, l.expiry_date,
      l.unit, l.status, -sum(m.quantity)::float8 as quantity
    from lot_movements m join events e on e.id = m.event_id join lots l on l.code = m.lot_code
    where m.kind = 'sell' and ${live(sql`e`)} and l.voided_by_event_id is null and ${chinaDayOf(sql`e.event_time`)} > l.expiry_date
      and ${
        region
          ? sql`exists (select 1 from parties p where p.code in (m.party_code, l.party_code) and ${regionOf(sql`p.region_code`, region)})`
          : sql`true`
      }
    group by e.id, m.party_code, l.code
  ) s`;

/**
 * How far downstream of a failed lot its lots in circulation are looked for: as far as a pack's
 * page looks back up its chain for a failed test (the resolver's backward trace), so that a pack
 * whose page warns of a failure is among the lots its entry reaches.
 */
const FAILURE_REACH_DEPTH = 30;
/** At most this many of the lots in circulation a failure reaches are named in its entry; its count counts them all. */
export const NAMED_LOTS_PER_FAILURE = 20;

/**
 * Failed inspections (standing: see standingFailure, which settles a failure by a re-test) of lots
 * owned in the region, as `f`, each with the lots in circulation it reaches (`in_circulation`: how
 * many, and the first NAMED_LOTS_PER_FAILURE codes in code order), listed only when it reaches one.
 * Reached: the tested lot, and every lot downstream of it within FAILURE_REACH_DEPTH steps (the
 * lineage walk rootedWalk: what transformations made of it and the containers it is packed in now,
 * and on from those; a lot unpacked from a case no longer leads to it, as a pack's page reads its
 * chain), wherever it is owned. In circulation: active or on the road, neither held, recalled,
 * destroyed nor voided. Of the containers reached only the tested one itself counts: a case or
 * pallet carries lots the walk reaches too, and holding those lots stops it (as the writer does).
 * One walk per failed lot, however many tests failed it, all in the one statement.
 */
const failedInspectionsFrom = (region: string | undefined) => sql`from (with recursive failed as (
    select e.id as event_id, e.event_time, e.party_code as inspected_by, ${inspectionKindAsRead(sql`e`)} as kind,
      e.payload->'inspection'->>'reportNumber' as report_number, l.code as lot_code, l.party_code, l.status, l.hold is not null as on_hold
    from events e join event_lots el on el.event_id = e.id and el.role = 'subject' join lots l on l.code = el.lot_code
      join parties p on p.code = l.party_code
    where ${standingFailure(sql`e`, sql`l.code`)} and ${regionOf(sql`p.region_code`, region)}
  ),
  ${rootedWalk(sql`reach`, sql`select distinct lot_code, lot_code from failed`, 'forward', FAILURE_REACH_DEPTH, 'current')},
  circulating as (
    select r.root, count(*)::int as count,
      array_to_json((array_agg(r.code order by r.code collate "C"))[1:${sql.raw(String(NAMED_LOTS_PER_FAILURE))}]) as codes
    from (select distinct root, code from reach) r join lots c on c.code = r.code
    where (c.kind = 'lot' or c.code = r.root) and c.status in ('active', 'in_transit') and c.hold is null and c.voided_by_event_id is null
    group by r.root
  )
  select f.*, json_build_object('count', c.count, 'lotCodes', c.codes) as in_circulation
  from failed f join circulating c on c.root = f.lot_code) f`;

/**
 * Lots owned in the region with issued (visible) item codes (`c.codes`) that were consumed, or that
 * are counted in units (decimalsAllowed 0) and have more codes than their quantity: a kilogram lot
 * may be packed in any number of packs.
 */
const codedLotsFrom = (region: string | undefined) => sql`from (select i.lot_code, count(*)::int as codes from items i
    join code_jobs j on j.id = i.job_id and j.status = 'succeeded' group by i.lot_code) c
  join lots l on l.code = c.lot_code join parties p on p.code = l.party_code
  where (l.status = 'consumed' or (l.unit = any(${sql.param([...COUNT_UNITS])}::text[]) and c.codes > l.quantity))
    and ${regionOf(sql`p.region_code`, region)}`;

const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function createFiguresRepository(db: Db) {
  return {
    /** Movement totals by kind and shipment lines of whole lots (all, or those created in a period), owned in a region or by a party. */
    async ledgers(filter: { region?: string; createdIn?: Scope; partyCode?: string; mayNotClose?: boolean }): Promise<LedgerRow[]> {
      const rows = await queryRows<Omit<LedgerRow, 'totals' | 'lines'> & LedgerJson>(
        db,
        sql`select l.code, l.party_code as "partyCode", l.product_code as "productCode", l.quantity::float8 as quantity, l.unit, l.status,
          ${ledgerColumns(sql`l.code`)}
        from lots l join parties p on p.code = l.party_code
        where l.kind = 'lot' and l.voided_by_event_id is null and ${regionOf(sql`p.region_code`, filter.region)}
          and ${filter.partyCode ? sql`l.party_code = ${filter.partyCode}` : sql`true`}
          and ${
            filter.createdIn
              ? sql`exists (select 1 from events c where c.id = l.created_by_event_id and ${inPeriod(sql`c.event_time`, filter.createdIn)})`
              : sql`true`
          }
          and ${filter.mayNotClose ? MAY_NOT_CLOSE : sql`true`}`,
      );
      return rows.map((row) => ({ ...row, ...ledgerOfRow(row) }));
    },

    /** Standing transformations (all, or those touching the lots named) with their inputs and outputs. */
    async transformations(filter: { lotCodes?: string[] }): Promise<TransformationRow[]> {
      const rows = await queryRows<TransformationRow>(
        db,
        sql`select e.id as "eventId", e.event_time as "eventTime", e.party_code as "partyCode", e.payload->'process'->>'kind' as kind,
          json_agg(json_build_object('lotCode', el.lot_code, 'kind', l.kind, 'role', el.role, 'quantity', el.quantity, 'unit', l.unit)) as lines
        from events e join event_lots el on el.event_id = e.id and el.role in ('input', 'output') join lots l on l.code = el.lot_code
        where e.type = 'transform' and ${live(sql`e`)}
          and ${filter.lotCodes ? sql`e.id in (select event_id from event_lots where lot_code = any(${sql.param(filter.lotCodes)}::text[]))` : sql`true`}
        group by e.id order by e.event_time, e.id`,
      );
      return rows.map((row) => ({
        ...row,
        eventTime: toDate(row.eventTime),
        lines: row.lines.map((line) => ({ ...line, quantity: line.quantity === null ? null : Number(line.quantity) })),
      }));
    },

    /** Shipments still open that left before `shippedBefore`, from senders in the region: a page, the oldest first. */
    async unreceivedShipments(shippedBefore: Date, region: string | undefined, page: Page) {
      const rows = await queryRows<{
        shipmentId: string;
        fromPartyCode: string;
        toPartyCode: string;
        shippedAt: Date;
        lines: { lotCode: string; quantity: number; receivedQuantity: number | null }[];
      }>(
        db,
        sql`select s.id as "shipmentId", s.from_party_code as "fromPartyCode", s.to_party_code as "toPartyCode", s.shipped_at as "shippedAt",
          (select json_agg(json_build_object('lotCode', sl.lot_code, 'quantity', sl.quantity, 'receivedQuantity', sl.received_quantity)
            order by sl.position) from shipment_lines sl
            where sl.shipment_id = s.id) as lines
        ${unreceivedShipmentsFrom(shippedBefore, region)}
        order by s.shipped_at, s.id ${pageOf(page)}`,
      );
      return rows.map((row) => ({
        ...row,
        shippedAt: toDate(row.shippedAt),
        lines: (row.lines ?? []).map((line) => ({
          ...line,
          quantity: Number(line.quantity),
          receivedQuantity: line.receivedQuantity === null ? null : Number(line.receivedQuantity),
        })),
      }));
    },

    /** Lots past their expiry date (before `today`) that still have quantity on hand or on the road: a page, the earliest expiry first. */
    expiredActiveLots(today: string, region: string | undefined, page: Page) {
      return queryRows<{
        lotCode: string;
        partyCode: string;
        productCode: string | null;
        expiryDate: string;
        status: string;
        onHand: number;
      }>(
        db,
        sql`select l.code as "lotCode", l.party_code as "partyCode", l.product_code as "productCode", l.expiry_date::text as "expiryDate",
          l.status, coalesce((select sum(m.quantity) from lot_movements m where m.lot_code = l.code), 0)::float8 as "onHand"
        ${expiredActiveLotsFrom(today, region)}
        order by l.expiry_date, l.code ${pageOf(page)}`,
      );
    },

    /** Failed inspections (standing) that reach lots still in circulation (see failedInspectionsFrom): a page, the earliest first. */
    async failedInspectionsInCirculation(region: string | undefined, page: Page) {
      const rows = await queryRows<{
        eventId: string;
        eventTime: Date;
        inspectedBy: string;
        kind: string;
        reportNumber: string | null;
        lotCode: string;
        partyCode: string;
        status: string;
        onHold: boolean;
        inCirculation: { count: number; lotCodes: string[] };
      }>(
        db,
        sql`select f.event_id as "eventId", f.event_time as "eventTime", f.inspected_by as "inspectedBy", f.kind,
          f.report_number as "reportNumber", f.lot_code as "lotCode", f.party_code as "partyCode", f.status, f.on_hold as "onHold",
          f.in_circulation as "inCirculation"
        ${failedInspectionsFrom(region)}
        order by f.event_time, f.event_id, f.lot_code ${pageOf(page)}`,
      );
      return rows.map((row) => ({ ...row, eventTime: toDate(row.eventTime) }));
    },

    /** Sales after the lot's expiry date (see salesAfterExpiryFrom): a page, the earliest sale first. */
    async salesAfterExpiry(region: string | undefined, page: Page) {
      const rows = await queryRows<{
        eventId: string;
        eventTime: Date;
        soldBy: string;
        lotCode: string;
        partyCode: string;
        productCode: string | null;
        expiryDate: string;
        quantity: number;
        unit: string;
        status: string;
      }>(
        db,
        sql`select s.event_id as "eventId", s.event_time as "eventTime", s.sold_by as "soldBy", s.lot_code as "lotCode",
          s.party_code as "partyCode", s.product_code as "productCode", s.expiry_date::text as "expiryDate", s.quantity, s.unit, s.status
        ${salesAfterExpiryFrom(region)}
        order by s.event_time, s.event_id, s.lot_code ${pageOf(page)}`,
      );
      return rows.map((row) => ({ ...row, eventTime: toDate(row.eventTime) }));
    },

    /** Lots with issued (visible) item codes that were consumed, or counted in units with more codes than their quantity: a page, the most codes first. */
    codedLots(region: string | undefined, page: Page) {
      return queryRows<{ lotCode: string; partyCode: string; status: string; quantity: number; unit: string; codes: number }>(
        db,
        sql`select l.code as "lotCode", l.party_code as "partyCode", l.status, l.quantity::float8 as quantity, l.unit, c.codes
        ${codedLotsFrom(region)}
        order by c.codes desc, l.code ${pageOf(page)}`,
      );
    },

    /** How many entries each anomaly list above holds, every one counted, in one statement. */
    async anomalyCounts(shippedBefore: Date, today: string, region?: string) {
      const [row] = await queryRows<{
        unreceivedShipments: number;
        expiredLots: number;
        failedInspectionsWithoutHold: number;
        suspiciousCodes: number;
        salesAfterExpiry: number;
      }>(
        db,
        sql`select (select count(*) ${unreceivedShipmentsFrom(shippedBefore, region)})::int as "unreceivedShipments",
          (select count(*) ${expiredActiveLotsFrom(today, region)})::int as "expiredLots",
          (select count(*) ${failedInspectionsFrom(region)})::int as "failedInspectionsWithoutHold",
          (select count(*) ${codedLotsFrom(region)})::int as "suspiciousCodes",
          (select count(*) ${salesAfterExpiryFrom(region)})::int as "salesAfterExpiry"`,
      );
      return row;
    },

    /**
     * Standing inspections in the period of lots owned in the region (`of` the owner) or recorded by a
     * party there (`of` the tester: the event's party, the lab, regulator, owner or holder that
     * recorded it), counted by kind (as read: inspectionKindAsRead) and, separately, by test item.
     */
    async inspectionCounts(scope: Scope, of: PassRateRegionParty): Promise<{ byKind: CountRow[]; byItem: CountRow[] }> {
      const inRegion = !scope.region
        ? sql`true`
        : of === 'tester'
          ? sql`exists (select 1 from parties p where p.code = e.party_code and ${regionOf(sql`p.region_code`, scope.region)})`
          : sql`exists (select 1 from event_lots el join lots l on l.code = el.lot_code join parties p on p.code = l.party_code
              where el.event_id = e.id and ${regionOf(sql`p.region_code`, scope.region)})`;
      const inspections = sql`select e.id, ${inspectionKindAsRead(sql`e`)} as kind, e.payload->'inspection' as inspection from events e
        where e.type = 'inspect' and ${live(sql`e`)} and ${inPeriod(sql`e.event_time`, scope)}
          -- an EPCIS inspecting event without a recorded test has no kind or result to count
          and e.payload->'inspection'->>'kind' is not null
          and ${inRegion}`;
      const [byKind, byItem] = await Promise.all([
        queryRows<CountRow>(
          db,
          sql`select i.kind as key, null as name, count(*)::int as total,
            count(*) filter (where i.inspection->>'result' = 'pass')::int as passed
          from (${inspections}) i group by 1 order by 1`,
        ),
        queryRows<CountRow>(
          db,
          sql`select t.item->>'name' as key, null as name, count(*)::int as total, count(*) filter (where t.item->>'result' = 'pass')::int as passed
          from (${inspections}) i cross join lateral jsonb_array_elements(coalesce(i.inspection->'items', '[]'::jsonb)) as t(item)
          group by 1 order by 1`,
        ),
      ]);
      return { byKind, byItem };
    },

    /**
     * Lots sold in the period (owners in the region; a sold container by the lots in it) and whether
     * they are traced: their backward trace reaches a farm lot, and every farm lot it reaches carries
     * a certificate its product's category accepts (originCertificatesOf: meat's quarantine
     * certificate, produce's commitment certificate). Counted by lot and by issued item, grouped by
     * one dimension plus a total row (key null).
     */
    traceability(scope: Scope, by: 'enterprise' | 'product' | 'partyKind' | 'region', maxDepth = 30) {
      // a group's key is never null, which marks the total row: lots of no registered product are grouped under ''
      const [key, name] = {
        enterprise: [sql`p.code`, sql`max(p.name)`],
        product: [sql`coalesce(pr.code, '')`, sql`max(pr.name)`],
        partyKind: [sql`p.kind`, sql`null`],
        region: [sql`p.region_code`, sql`null`],
      }[by];
      // an enterprise's county and address, so its rows can be summed by the township the address names
      const [regionCode, address] = by === 'enterprise' ? [sql`max(p.region_code)`, sql`max(p.address)`] : [sql`null`, sql`null`];
      return queryRows<TraceabilityRow>(
        db,
        sql`with recursive sold as (
          select distinct m.lot_code as code from lot_movements m join events e on e.id = m.event_id
          where m.kind = 'sell' and ${live(sql`e`)} and ${inPeriod(sql`e.event_time`, scope)}
        ),
        -- a sold case is counted by the lots packed in it, which its sale sold too
        targets as (
          select l.code from lots l join sold s on s.code = l.code join parties p on p.code = l.party_code
          where l.kind = 'lot' and l.voided_by_event_id is null and ${regionOf(sql`p.region_code`, scope.region)}
        ),
        ${rootedWalk(sql`walk`, sql`select code, code from targets`, 'backward', maxDepth, 'history')},
        -- the farm lots reached (lots, not the cases they travelled in), each with whether it carries a
        -- certificate its product's category accepts
        farm_lots as (
          select l.code, (${sql.join(
            ORIGIN_CERTIFICATES.map((type) => sql`(${type}::text = any(c.accepted) and ${carries(sql`l`, type)})`),
            sql` or `,
          )}) as certified
          from lots l join parties p on p.code = l.party_code left join products pr on pr.code = l.product_code
            cross join lateral (select ${originCertificatesSql(sql`pr.category`)} as accepted) c
          where p.kind = 'farm' and l.kind = 'lot' and l.voided_by_event_id is null and l.code in (select code from walk)
        ),
        -- traced: some farm lot reached, and every one certified (one uncertified animal in a batch leaves it untraced)
        traced as (select w.root from walk w join farm_lots f on f.code = w.code group by w.root having bool_and(f.certified)),
        coded as (
          select i.lot_code, count(*)::int as items from items i join code_jobs j on j.id = i.job_id and j.status = 'succeeded'
          where i.lot_code in (select code from targets) group by i.lot_code
        )
        select case when grouping(${key}) = 1 then null else ${key} end as key,
          case when grouping(${key}) = 1 then null else ${name} end as name,
          case when grouping(${key}) = 1 then null else ${regionCode} end as "regionCode",
          case when grouping(${key}) = 1 then null else ${address} end as address,
          count(*)::int as lots, count(*) filter (where t.root is not null)::int as "tracedLots",
          coalesce(sum(c.items), 0)::int as items, coalesce(sum(c.items) filter (where t.root is not null), 0)::int as "tracedItems"
        from targets g join lots l on l.code = g.code join parties p on p.code = l.party_code
          left join products pr on pr.code = l.product_code
          left join traced t on t.root = g.code left join coded c on c.lot_code = g.code
        group by grouping sets ((${key}), ())
        order by 1 nulls first`,
      );
    },

    /**
     * Registered enterprises (every party but labs and regulators) in the region as of the day `asOf`
     * (a day in China): registered (created, or approved, for a party that applied) by its end, or
     * registered later but recording standing events in the period (records are often entered after
     * the fact: it was at work then), so one approved later and idle then is counted in no earlier
     * period; and whether each recorded a standing event in the period (not a correction, nor one
     * declared in error). Those
     * certified green-food, GI or organic counted apart, as the consumer page shows a product's mark
     * earned (earnedMarks): by the certification earning it held on that day (certificationsHeldSql),
     * never by a product declaring the mark; GI also by being admitted to a GI brand on that day
     * (admittedOnSql). Rows for all, by kind and by region.
     */
    activity(scope: Scope, asOf: string) {
      const earns = (mark: string) => sql`${MARK_CERTIFICATIONS[mark]} in (${certificationsHeldSql(sql`p.code`, asOf)})`;
      const giMember = sql`exists (select 1 from brand_authorizations a join brands b on b.code = a.brand_code and b.kind = 'gi'
          where a.party_code = p.code and ${admittedOnSql(sql`a`, asOf)})`;
      return queryRows<ActivityRow>(
        db,
        sql`with enterprises as (
          select p.code, p.kind, p.region_code, ${chinaDayOf(sql`p.created_at`)} <= ${asOf} as registered_then,
            exists (select 1 from events e where e.party_code = p.code and ${live(sql`e`)} and ${inPeriod(sql`e.event_time`, scope)}) as active,
            ${earns('green_food')} as green, (${earns('geographical_indication')} or ${giMember}) as gi,
            ${earns('organic')} as organic
          from parties p
          where p.kind not in ('lab', 'regulator') and ${regionOf(sql`p.region_code`, scope.region)}
        )
        select case when grouping(kind) = 0 then 'kind' when grouping(region_code) = 0 then 'region' else 'all' end as dimension,
          coalesce(kind, region_code) as key, count(*)::int as registered, count(*) filter (where active)::int as active,
          count(*) filter (where green)::int as "greenFood", count(*) filter (where green and active)::int as "greenFoodActive",
          count(*) filter (where gi)::int as "geographicalIndication", count(*) filter (where gi and active)::int as "geographicalIndicationActive",
          count(*) filter (where organic)::int as organic, count(*) filter (where organic and active)::int as "organicActive"
        from enterprises where registered_then or active group by grouping sets ((), (kind), (region_code))
        order by 1, 2`,
      );
    },

    /**
     * Lot lines of events in the period and concerning the region (eventInRegion), in `sort` order with ties broken by
     * time, event, role and lot (unique: an event names a lot once per role). An event declared in
     * error is listed with its correction (`correctedBy`), and the correction on its lines
     * (LINES_OF_EVENT) without quantities. A page starts at an offset (the JSON API's pages) or right
     * after a line already read (a streamed export: each page is a range of the order, however deep,
     * and lines recorded meanwhile neither repeat nor hide lines after it).
     */
    async eventLots(
      scope: Scope,
      sort: KdeSort,
      limit: number,
      start: { offset: number } | { after: EventLotKey | null },
    ): Promise<EventLotRow[]> {
      const startAt =
        'offset' in start
          ? { where: sql`true`, offset: start.offset }
          : { where: start.after ? exportAfter(sort, start.after) : sql`true`, offset: 0 };
      // the page's lines first, then the payload fields of each of its events once: read for every
      // line, a payload listing an event's every lot would be read as often as it has lots
      const rows = await queryRows<EventLotRow>(
        db,
        sql`with page as (
          select e.id as "eventId", e.type, e.event_time as "eventTime", e.party_code as "partyCode",
            e.read_point as "readPoint", e.biz_location as "bizLocation", e.reference_documents as "referenceDocuments",
            el.lot_code as "lotCode", el.role, case when e.type = 'correction' then null else el.quantity::float8 end as quantity,
            l.unit, l.lot_number as "lotNumber", l.product_code as "productCode", pr.name as "productName", l.attributes,
            e.corrects_event_id as "correctsEventId",
            (select min(c.id) from events c where c.corrects_event_id = e.id) as "correctedBy"
          from events e join event_lots el on ${LINES_OF_EVENT}
            join lots l on l.code = el.lot_code left join products pr on pr.code = l.product_code
          where ${inPeriod(sql`e.event_time`, scope)} and ${eventInRegion(scope.region)}
            and ${startAt.where}
          order by ${exportOrder(sort)}
          limit ${limit} offset ${startAt.offset}
        ),
        -- materialized: inlined into the join below, the fields would again be read for every line
        kde as materialized (select e.id, ${KDE_PAYLOAD} as payload from events e where e.id in (select "eventId" from page))
        select page.*, kde.payload from page join kde on kde.id = page."eventId"
        order by ${exportOrder(sort, {
          lotCode: sql`page."lotCode"`,
          productName: sql`page."productName"`,
          type: sql`page.type`,
          eventTime: sql`page."eventTime"`,
          eventId: sql`page."eventId"`,
          role: sql`page.role`,
        })}`,
      );
      return rows.map((row) => ({ ...row, eventTime: toDate(row.eventTime) }));
    },

    /** Names of parties, for the from / to columns of an export. */
    async partyNames(codes: string[]): Promise<Map<string, string>> {
      if (codes.length === 0) return new Map();
      const rows = await queryRows<{ code: string; name: string }>(
        db,
        sql`select code, name from parties where code = any(${sql.param(codes)}::text[])`,
      );
      return new Map(rows.map((row) => [row.code, row.name]));
    },
  };
}

export type FiguresRepository = ReturnType<typeof createFiguresRepository>;
