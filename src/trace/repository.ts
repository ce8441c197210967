// A whole trace in one statement: the recursive walk (UNION, depth cap, the edge index on the side
// the walk comes from) is computed once and every part of the graph — lots, edges, holdings,
// shipments, the events or just the facts nodes show, and the parties, products and locations
// named — is read against it and returned as JSON in one row.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.js';
import type { StoredEvent } from '../events/repository.js';
import type { Direction, ReachedNode } from '../lineage/repository.js';
import type { NodeEdge, NodeLot, NodeShipment, PartyRef } from './graph.js';

export type TraceRows = {
  reached: ReachedNode[];
  lots: (NodeLot & { voided: boolean })[];
  edges: NodeEdge[];
  holdings: { lotCode: string; partyCode: string; onHand: number }[];
  shipments: NodeShipment[];
  events: StoredEvent[];
  parties: (PartyRef & { address: string | null; contact: Record<string, string> | null })[];
  products: { code: string; name: string; gtin: string | null; category: string; marks: string[] }[];
  locations: { code: string; name: string; kind: string; regionCode: string; partyCode: string }[];
};

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export function createTraceRepository(db: Db) {
  return {
    /**
     * The graph reachable from `start` within `depth` steps. `withEvents`: every event on the
     * reached lots (and corrections of them); otherwise only the inspections and documents the
     * nodes show.
     */
    async graph(start: string, direction: Direction, depth: number, withEvents: boolean): Promise<TraceRows> {
      const [next, current] =
        direction === 'backward'
          ? [sql.raw('upstream_code'), sql.raw('downstream_code')]
          : [sql.raw('downstream_code'), sql.raw('upstream_code')];
      const [row] = await queryRows<{
        graph: Json<TraceRows> & { events: (Omit<StoredEvent, 'eventTime' | 'recordTime'> & { eventTime: string; recordTime: string })[] };
      }>(
        db,
        sql`with recursive walk(code, depth) as (
          select code, 0 from lots where code = ${start}
          union
          select e.${next}, w.depth + 1 from walk w join lineage_edges e on e.${current} = w.code
          where w.depth < ${depth} and e.retracted_by_event_id is null
        ),
        reached as (select code, min(depth)::int as depth from walk group by code),
        node_lots as (
          select l.* from lots l join reached r on r.code = l.code
        ),
        node_events as (
          select e.* from events e
          where e.id in (select el.event_id from event_lots el join reached r on r.code = el.lot_code)
            and (${withEvents}::boolean or e.type = 'inspect' or e.reference_documents <> '[]'::jsonb)
        ),
        corrections as (
          select c.* from events c where c.corrects_event_id in (select id from node_events)
        ),
        -- corrections name no lots of their own: they are in a trace with the events they correct
        shown_events as (
          select * from node_events
          union all
          select * from corrections where ${withEvents}::boolean
        ),
        shown_links as (
          select el.event_id, json_agg(json_build_object('lotCode', el.lot_code, 'role', el.role, 'quantity', el.quantity)) as lots
          from event_lots el where el.event_id in (select id from shown_events) group by el.event_id
        ),
        trace_shipments as (
          select s.* from shipments s where s.status in ('open', 'received')
            and s.id in (select sl.shipment_id from shipment_lines sl join reached r on r.code = sl.lot_code)
        ),
        holdings as (
          select m.lot_code, m.party_code, sum(m.quantity) as on_hand from lot_movements m join reached r on r.code = m.lot_code
          group by m.lot_code, m.party_code
        )
        select json_build_object(
          'reached', (select coalesce(json_agg(json_build_object('code', code, 'depth', depth)), '[]') from reached),
          'lots', (select coalesce(json_agg(json_build_object('code', code, 'kind', kind, 'partyCode', party_code, 'productCode', product_code,
              'lotNumber', lot_number, 'sscc', sscc, 'quantity', quantity, 'unit', unit, 'productionDate', production_date,
              'expiryDate', expiry_date, 'originLocationCode', origin_location_code, 'attributes', attributes, 'status', status, 'onHold', hold is not null,
              'voided', voided_by_event_id is not null)), '[]') from node_lots),
          'edges', (select coalesce(json_agg(json_build_object('upstreamCode', e.upstream_code, 'downstreamCode', e.downstream_code,
              'kind', e.kind, 'quantity', e.quantity, 'unit', e.unit, 'eventId', e.event_id, 'endedByEventId', e.ended_by_event_id)), '[]')
            from lineage_edges e join reached r on r.code = e.${current} join reached o on o.code = e.${next}
            where e.retracted_by_event_id is null),
          'holdings', (select coalesce(json_agg(json_build_object('lotCode', lot_code, 'partyCode', party_code, 'onHand', on_hand)), '[]') from holdings),
          'shipments', (select coalesce(json_agg(json_build_object('id', s.id, 'shipEventId', s.ship_event_id, 'receiveEventId', s.receive_event_id,
              'fromPartyCode', s.from_party_code, 'toPartyCode', s.to_party_code, 'status', s.status, 'shippedAt', s.shipped_at,
              'receivedAt', s.received_at, 'lines', (select coalesce(json_agg(json_build_object('lotCode', l.lot_code, 'quantity', l.quantity,
                'receivedQuantity', l.received_quantity)), '[]') from shipment_lines l where l.shipment_id = s.id))), '[]') from trace_shipments s),
          'events', (select coalesce(json_agg(json_build_object('id', e.id, 'type', e.type, 'eventTime', e.event_time,
              'eventTimeZoneOffset', e.event_time_zone_offset, 'recordTime', e.record_time, 'partyCode', e.party_code, 'bizStep', e.biz_step,
              'disposition', e.disposition, 'readPoint', e.read_point, 'bizLocation', e.biz_location,
              'referenceDocuments', e.reference_documents, 'payload', case when ${withEvents}::boolean then e.payload else jsonb_build_object('inspection', e.payload->'inspection') end,
              'correctsEventId', e.corrects_event_id, 'epcisType', e.epcis_type, 'transformationId', e.transformation_id,
              'declaredInErrorBy', c.id, 'lots', coalesce(l.lots, '[]'))), '[]')
            from shown_events e left join shown_links l on l.event_id = e.id left join corrections c on c.corrects_event_id = e.id),
          'parties', (select coalesce(json_agg(json_build_object('code', p.code, 'name', p.name, 'kind', p.kind, 'regionCode', p.region_code,
              'address', p.address, 'contact', p.contact)), '[]') from parties p where p.code in (
              select party_code from node_lots union select party_code from holdings
              union select from_party_code from trace_shipments union select to_party_code from trace_shipments
              union select payload->'inspection'->>'labPartyCode' from node_events where type = 'inspect')),
          'products', (select coalesce(json_agg(json_build_object('code', p.code, 'name', p.name, 'gtin', p.gtin, 'category', p.category,
              'marks', p.marks)), '[]') from products p where p.code in (select product_code from node_lots)),
          'locations', (select coalesce(json_agg(json_build_object('code', l.code, 'name', l.name, 'kind', l.kind, 'regionCode', l.region_code,
              'partyCode', l.party_code)), '[]') from locations l where l.code in (
              select origin_location_code from node_lots union select read_point from shown_events union select biz_location from shown_events))
        ) as graph`,
      );
      const graph = row.graph;
      return {
        ...graph,
        lots: graph.lots.map((lot) => ({ ...lot, quantity: Number(lot.quantity) })),
        edges: graph.edges.map((edge) => ({ ...edge, quantity: edge.quantity === null ? null : Number(edge.quantity) })),
        holdings: graph.holdings.map((holding) => ({ ...holding, onHand: Number(holding.onHand) })),
        shipments: graph.shipments.map((shipment) => ({
          ...shipment,
          shippedAt: new Date(shipment.shippedAt),
          receivedAt: shipment.receivedAt === null ? null : new Date(shipment.receivedAt),
          lines: shipment.lines.map((line) => ({
            ...line,
            quantity: Number(line.quantity),
            receivedQuantity: line.receivedQuantity === null ? null : Number(line.receivedQuantity),
          })),
        })),
        events: graph.events.map((event) => ({
          ...event,
          eventTime: new Date(event.eventTime),
          recordTime: new Date(event.recordTime),
          lots: event.lots.map((lot) => ({ ...lot, quantity: lot.quantity === null ? null : Number(lot.quantity) })),
        })) as StoredEvent[],
      };
    },
  };
}

export type TraceRepository = ReturnType<typeof createTraceRepository>;
