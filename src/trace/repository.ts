// A whole trace in a constant number of statements, whatever its size: the recursive walk (the
// lineage repository's, UNION with a depth cap), then every part of the graph read by the reached
// codes as one array parameter — lots, edges, holdings, shipments and events side by side on
// the pool's connections — and last (once the service knows what it shows) the parties, products
// and locations the trace names, with (for its CSV) the lots beyond it that its events name.
//
// Plain rows, not one JSON document: PostgreSQL spent more time building the JSON of a large
// trace (json_build_object per row) than walking it, and the client as long again parsing it.
import { type SQL, sql } from 'drizzle-orm';
import { anyOf, textArray } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import type { StoredEvent } from '../events/repository.js';
import { createLineageRepository, type Direction, type ReachedNode } from '../lineage/repository.js';
import { createLotsRepository, type Holding, partyInvolvedIn } from '../lots/repository.js';
import { CERTIFICATE_ATTRIBUTES, type NodeEdge, type NodeEvent, type NodeLot, type NodeShipment, type PartyRef } from './graph.js';
import type { LotBeyond } from './kde.js';

/** An event on a trace, with the owners of the lots it tested and the kind of its recorder where it is an inspection (NodeEvent). */
export type TraceEvent = StoredEvent & Pick<NodeEvent, 'testedLotOwners' | 'recorderKind'>;

type TraceRows = {
  lots: NodeLot[];
  edges: NodeEdge[];
  holdings: Holding[];
  shipments: NodeShipment[];
  events: TraceEvent[];
};

type TraceReferences = {
  parties: (PartyRef & { address: string | null; contact: Record<string, string> | null })[];
  products: { code: string; name: string; gtin: string | null; category: string; marks: string[] }[];
  locations: { code: string; name: string; kind: string; regionCode: string; partyCode: string }[];
  lotsBeyond: LotBeyond[];
};
type EventRow = Omit<TraceEvent, 'eventTime' | 'recordTime' | 'lots'> & {
  eventTime: Date | string;
  recordTime: Date | string;
  lots: [lotCode: string, role: string, quantity: number | string | null][];
};
type ShipmentRow = Omit<NodeShipment, 'shippedAt' | 'receivedAt'> & { shippedAt: Date | string; receivedAt: Date | string | null };

const orNull = (value: number | string | null) => (value === null ? null : Number(value));

/** `largeGraph`: from this many lots a graph's reads are planned without parallel workers (see `planned`). */
export function createTraceRepository(db: Db, { largeGraph = 10_000 } = {}) {
  const lineage = createLineageRepository(db);

  /**
   * A read of a large graph planned without parallel workers: the five reads run side by side on
   * the pool's connections, and the workers PostgreSQL gave some of them (a parallel scan of every
   * lot to join 40k of them) took the cores the other reads and Node's parsing of their rows
   * needed: a recall-sized trace took a tenth longer with them. A small graph gets no parallel plan,
   * and its reads no transaction's extra round trips.
   */
  function planned<T>(large: boolean, read: (tx: Db) => Promise<T>): Promise<T> {
    if (!large) return read(db);
    return db.transaction(async (tx) => {
      await queryRows(tx, sql`set local max_parallel_workers_per_gather = 0`);
      return read(tx);
    });
  }

  /**
   * The reached lots, voided ones left out, with their distance, in the order the trace lists them
   * (nearest first, then by code) and in the shape of their trace node: the columns in the node's
   * order, with what the lot itself says (its own certificates and ear tags), which the assembly
   * completes in place. A recall-sized trace reads 40k lots, and a copy of each, or of each lot's
   * attributes, cost more than reading it. One index probe per reached lot, in the order shown
   * (offset 0 keeps the planner from joining every lot instead): a join sorted whole 37k wide rows
   * at the end, and took PostgreSQL nearly three times as long.
   */
  function lotsOf(tx: Db, reached: readonly ReachedNode[], codes: readonly string[]): Promise<NodeLot[]> {
    const depths = `{${reached.map((node) => node.depth).join(',')}}`;
    return queryRows<NodeLot>(
      tx,
      sql`select l.code, l.kind, r.depth, false as redacted, l.party_code as "partyCode", l.product_code as "productCode",
          l.lot_number as "lotNumber", l.sscc, l.status, l.hold is not null as "onHold", l.production_date::text as "productionDate",
          l.expiry_date::text as "expiryDate", l.sell_by_date::text as "sellByDate", l.origin_location_code as "originLocationCode",
          nullif(l.attributes, '{}') as certificates, null as "earTags",
          null as inspections, l.quantity::float8 as quantity, l.unit, null as holders
        from (select * from unnest(${sql.param(textArray(codes))}::text[], ${depths}::int[]) r(code, depth) order by depth, code collate "C") r
          cross join lateral (select * from lots l where l.code = r.code and l.voided_by_event_id is null offset 0) l
        order by r.depth, r.code collate "C"`,
    );
  }

  /**
   * Live edges with both ends among the reached lots, in the shape the trace shows them. Looked up
   * from the side the walk came from, so a forward trace does not fetch every other input of the
   * lots it reached. Read as they are shown: a recall-sized trace has 100k edges, and a copy of
   * each cost more than reading it.
   */
  async function edgesAmong(tx: Db, codes: readonly string[], direction: Direction): Promise<NodeEdge[]> {
    const from = direction === 'backward' ? sql`downstream_code` : sql`upstream_code`;
    const rows = await queryRows<NodeEdge>(
      tx,
      sql`select kind, upstream_code as "from", downstream_code as "to", quantity::float8 as quantity, unit, event_id as "eventId",
          null as "fromPartyCode", null as "toPartyCode", null as "shipmentId",
          case when ended_by_event_id is not null then 'unpacked' end as status
        from lineage_edges where ${anyOf(from, codes)} and retracted_by_event_id is null`,
    );
    const members = new Set(codes);
    return direction === 'backward' ? rows.filter((edge) => members.has(edge.from)) : rows.filter((edge) => members.has(edge.to));
  }

  /** Open and received shipments carrying any of the lots, each with all of its lines. */
  async function shipmentsOf(tx: Db, codes: readonly string[]): Promise<NodeShipment[]> {
    const rows = await queryRows<ShipmentRow>(
      tx,
      sql`select s.id, s.ship_event_id as "shipEventId", s.receive_event_id as "receiveEventId", s.from_party_code as "fromPartyCode",
          s.to_party_code as "toPartyCode", s.status, s.shipped_at as "shippedAt", s.received_at as "receivedAt",
          (select coalesce(json_agg(json_build_object('lotCode', l.lot_code, 'quantity', l.quantity,
            'receivedQuantity', l.received_quantity, 'receiveEventId', l.receive_event_id) order by l.position), '[]')
            from shipment_lines l where l.shipment_id = s.id) as lines
        from shipments s where s.status in ('open', 'received')
          and s.id in (select sl.shipment_id from shipment_lines sl where ${anyOf(sql`sl.lot_code`, codes)})`,
    );
    return rows.map((shipment) => ({
      ...shipment,
      shippedAt: new Date(shipment.shippedAt),
      receivedAt: shipment.receivedAt === null ? null : new Date(shipment.receivedAt),
      lines: shipment.lines.map((line) => ({
        lotCode: line.lotCode,
        quantity: Number(line.quantity),
        receivedQuantity: orNull(line.receivedQuantity),
        receiveEventId: line.receiveEventId,
      })),
    }));
  }

  /**
   * `withEvents`: every event on the chain's lots (and corrections of them); otherwise only the
   * inspections and documents the nodes show, with nothing of the payload but the inspection.
   * Backward, an event that only took chain lots as inputs made lots outside the chain: it belongs
   * to those lots' forward trace, not to this one (a farm lot's other slaughters are not part of
   * one pack's story). An EPCIS transformation may come as separate events of inputs and of
   * outputs under one transformationID, so an event that took chain lots as inputs is kept when
   * another event of its transformation made a chain lot.
   */
  async function eventsOn(tx: Db, codes: readonly string[], direction: Direction, withEvents: boolean): Promise<TraceEvent[]> {
    const onChain = (column: SQL) => anyOf(column, codes);
    // The links of the chain's lots to the events shown: the full trace shows every event; the
    // graph alone inspections and documents, found by their links' evidence mark. For those, one
    // probe of the small partial index per lot (offset 0 keeps the planner from turning the probes
    // into a scan of every link: it cannot tell how few of 40k lots have evidence) took 60 ms where
    // reading every link of a recall-sized chain took 240.
    const links = withEvents
      ? sql`(select el.event_id, el.role from event_lots el where ${onChain(sql`el.lot_code`)})`
      : sql`(select el.event_id, el.role from unnest(${sql.param(textArray(codes))}::text[]) chain(code)
          cross join lateral (select el.event_id, el.role from event_lots el where el.lot_code = chain.code and el.evidence offset 0) el)`;
    const linked =
      direction === 'forward'
        ? sql`select e.* from events e where e.id in (select l.event_id from ${links} l)`
        : sql`select e.* from events e where e.id in (select l.event_id from ${links} l where l.role <> 'input')
          union all
          -- the inputs half of a transformation whose outputs half made a chain lot
          select e.* from events e
          where e.id in (select l.event_id from ${links} l where l.role = 'input')
            and e.transformation_id in (
              select o.transformation_id from events o join event_lots ol on ol.event_id = o.id
              where ${onChain(sql`ol.lot_code`)} and ol.role <> 'input' and o.transformation_id is not null)
            and not exists (select 1 from event_lots el where el.event_id = e.id and el.role <> 'input' and ${onChain(sql`el.lot_code`)})`;
    const rows = await queryRows<EventRow>(
      tx,
      sql`with node_events as (${linked}),
        corrections as (
          select c.* from events c where c.corrects_event_id in (select id from node_events)
        ),
        -- corrections name no lots of their own: they are in a trace with the events they correct
        shown_events as (
          select * from node_events
          union all
          select * from corrections where ${withEvents}::boolean
        )
        select e.id, e.type, e.event_time as "eventTime", e.event_time_zone_offset as "eventTimeZoneOffset", e.record_time as "recordTime",
          e.party_code as "partyCode", e.biz_step as "bizStep", e.disposition, e.read_point as "readPoint", e.biz_location as "bizLocation",
          e.reference_documents as "referenceDocuments",
          case when ${withEvents}::boolean then e.payload else jsonb_build_object('inspection', e.payload->'inspection') end as payload,
          e.corrects_event_id as "correctsEventId", e.epcis_type as "epcisType", e.transformation_id as "transformationId",
          c.id as "declaredInErrorBy", links.lots, links.owners as "testedLotOwners",
          case when e.type = 'inspect' then (select p.kind from parties p where p.code = e.party_code) end as "recorderKind"
        from shown_events e left join corrections c on c.corrects_event_id = e.id
        cross join lateral (
          -- each link as [lot, role, quantity]: an object per link cost PostgreSQL a fifth of the read
          select coalesce(json_agg(json_build_array(el.lot_code, el.role, el.quantity)), '[]') as lots,
            -- whose lots an inspection tested, the chain's or not: whether the trace names its recorder. Read
            -- with the links, not by probing them again; the filter keeps the lots from being probed for other events
            json_agg(distinct (select l.party_code from lots l where l.code = el.lot_code)) filter (where e.type = 'inspect') as owners
          from event_lots el where el.event_id = e.id
        ) links`,
    );
    return rows.map((event) => ({
      ...event,
      eventTime: new Date(event.eventTime),
      recordTime: new Date(event.recordTime),
      // only the link columns a trace shows
      lots: event.lots.map(([lotCode, role, quantity]) => ({ lotCode, role, quantity: orNull(quantity) })) as StoredEvent['lots'],
    }));
  }

  async function references(codes: {
    parties: string[];
    products: string[];
    locations: string[];
    lotsBeyond: { codes: string[]; reader: string | null };
  }): Promise<TraceReferences> {
    const { reader } = codes.lotsBeyond;
    // only the certificates among the attributes: a farm lot's may list a thousand ear tags
    const certificates = sql.join(
      Object.keys(CERTIFICATE_ATTRIBUTES).map((attribute) => sql`${attribute}::text, l.attributes->${attribute}::text`),
      sql`, `,
    );
    const [row] = await queryRows<TraceReferences>(
      db,
      sql`select
        (select coalesce(json_agg(json_build_object('code', p.code, 'name', p.name, 'kind', p.kind, 'regionCode', p.region_code,
            'address', p.address, 'contact', p.contact)), '[]') from parties p where ${anyOf(sql`p.code`, codes.parties)}) as parties,
        (select coalesce(json_agg(json_build_object('code', p.code, 'name', p.name, 'gtin', p.gtin, 'category', p.category,
            'marks', p.marks)), '[]') from products p where ${anyOf(sql`p.code`, codes.products)}) as products,
        (select coalesce(json_agg(json_build_object('code', l.code, 'name', l.name, 'kind', l.kind, 'regionCode', l.region_code,
            'partyCode', l.party_code)), '[]') from locations l where ${anyOf(sql`l.code`, codes.locations)}) as locations,
        (select coalesce(json_agg(json_build_object('code', l.code, 'lotNumber', l.lot_number, 'productCode', l.product_code,
            'productName', pr.name, 'unit', l.unit, 'certificates', jsonb_build_object(${certificates}))), '[]')
          from lots l left join products pr on pr.code = l.product_code
          where ${anyOf(sql`l.code`, codes.lotsBeyond.codes)} and ${reader === null ? sql`true` : partyInvolvedIn(sql`l.code`, reader)}) as "lotsBeyond"`,
    );
    return row;
  }

  return {
    /**
     * The parties (with address and contact), products and locations a trace names; and the lots
     * beyond it that its events name, those the reader (a party, or null for every lot) owned, held
     * or was sent (partyInvolvedIn, the rule of GET /lots).
     */
    references,
    /** The graph reachable from `start` within `depth` steps, with its events (see eventsOn). */
    async graph(start: string, direction: Direction, depth: number, withEvents: boolean): Promise<TraceRows> {
      const reached = await lineage.reachable([start], direction, depth);
      // frozen: each read below sends the same list, joined once (textArray)
      const codes = Object.freeze(reached.map((node) => node.code));
      const large = codes.length >= largeGraph;
      const [nodeLots, edges, holdings, shipments, events] = await Promise.all([
        planned(large, (tx) => lotsOf(tx, reached, codes)),
        planned(large, (tx) => edgesAmong(tx, codes, direction)),
        planned(large, (tx) => createLotsRepository(tx).holdings(codes)),
        planned(large, (tx) => shipmentsOf(tx, codes)),
        planned(large, (tx) => eventsOn(tx, codes, direction, withEvents)),
      ]);
      return { lots: nodeLots, edges, holdings, shipments, events };
    },
  };
}

export type TraceRepository = ReturnType<typeof createTraceRepository>;
