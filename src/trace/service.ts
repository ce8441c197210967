import {
  canReadPartyData,
  canSeePrivateDetails,
  identifierNamesLotTo,
  type Principal,
  privateScope,
  requireLotReader,
  shipmentLinesShownTo,
} from '../access/index.js';
import { badRequest, notFound } from '../errors/problem.js';
import { toEventView } from '../events/view.js';
import { atCodeParam } from '../identifiers/parse.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { Direction } from '../lineage/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import { assembleTrace, type NodeShipment } from './graph.js';
import { type KdeSort, type LotBeyond, lotsBeyond, traceKdeRows } from './kde.js';
import type { TraceEvent, TraceRepository } from './repository.js';
import type { Trace } from './schemas.js';

type Assembled = ReturnType<typeof assembleTrace<TraceEvent>>;

/**
 * The parties, products and sites the assembled trace names: its reference lists describe only
 * these, so they do not name who holds a redacted lot or where a hidden event took place.
 */
function namedIn(graph: Assembled): { parties: string[]; products: string[]; locations: string[] } {
  const parties = new Set<string>();
  const products = new Set<string>();
  const locations = new Set<string>();
  for (const node of graph.nodes) {
    parties.add(node.partyCode);
    for (const holder of node.holders ?? []) parties.add(holder.partyCode);
    for (const inspection of node.inspections) {
      if (inspection.partyCode) parties.add(inspection.partyCode);
      if (inspection.labPartyCode) parties.add(inspection.labPartyCode);
    }
    if (node.productCode) products.add(node.productCode);
    if (node.originLocationCode) locations.add(node.originLocationCode);
  }
  for (const edge of graph.edges) {
    if (edge.fromPartyCode) parties.add(edge.fromPartyCode);
    if (edge.toPartyCode) parties.add(edge.toPartyCode);
  }
  for (const event of graph.events) {
    parties.add(event.partyCode);
    const lab = (event.payload.inspection as { labPartyCode?: string } | undefined)?.labPartyCode;
    if (lab) parties.add(lab);
    if (event.readPoint) locations.add(event.readPoint);
    if (event.bizLocation) locations.add(event.bizLocation);
  }
  return { parties: [...parties], products: [...products], locations: [...locations] };
}

/** The contact fields the schema names, in its order (stored jsonb sorts keys by length). */
function contactOf(stored: Record<string, string>): { person?: string; phone?: string; email?: string } {
  return { person: stored.person, phone: stored.phone, email: stored.email };
}

export function createTraceService(deps: {
  traces: Pick<TraceRepository, 'graph' | 'references'>;
  lots: Pick<LotsRepository, 'involvedParties'>;
  identifiers: Pick<IdentifierService, 'parse' | 'find'>;
  tradingPartners: (partyCode: string) => Promise<Set<string>>;
}) {
  const unknown = (identifier: string) => notFound(`no lot, container or pack is known by ${identifier.trim()}`);

  /**
   * The lot a trace starts from: any identifier the service knows; a pack starts from its lot. An
   * operator outside the lot's circle is refused a lot it named openly, and is answered for one it
   * named by an identifier that is not (an ear tag, another party's lot number) as for an unknown one.
   */
  async function startLot(principal: Principal, identifier: string): Promise<string> {
    const id = deps.identifiers.parse(identifier, atCodeParam);
    const named = await deps.identifiers.find(id);
    if (!named) throw unknown(identifier);
    if (named.kind === 'product') {
      const detail = `${identifier.trim()} names a product (${named.productName}), not a lot: add its lot (10) or serial (21)`;
      throw badRequest(detail, [atCodeParam(detail)]);
    }
    const scope = privateScope(principal);
    if (scope !== null) {
      const involved = await deps.lots.involvedParties(named.lotCode);
      if (!identifierNamesLotTo(scope, id.kind, involved)) throw unknown(identifier);
      requireLotReader(principal, named.lotCode, involved);
    }
    return named.lotCode;
  }

  /**
   * The trace (see `trace` below); and for its CSV (`describeBeyond`) the lots beyond it that its
   * events name, those the principal may read (canReadLot's rule, asked of the database with them).
   */
  async function traceOf(
    principal: Principal,
    identifier: string,
    direction: Direction,
    depth: number,
    include: 'events' | 'graph',
    describeBeyond: boolean,
  ): Promise<{ trace: Trace; lotsBeyond: LotBeyond[] }> {
    const start = await startLot(principal, identifier);
    const scope = privateScope(principal);
    const canSee = (partyCode: string) => canReadPartyData(principal, partyCode);
    const rows = await deps.traces.graph(start, direction, depth, include === 'events');
    const shownLines = (lines: NodeShipment['lines']) => shipmentLinesShownTo(principal, lines);
    const graph = assembleTrace({ direction, ...rows, canSee, shownLines });
    const beyond = { codes: describeBeyond ? lotsBeyond(graph) : [], reader: scope };
    const { parties, products, locations, lotsBeyond: described } = await deps.traces.references({ ...namedIn(graph), lotsBeyond: beyond });
    const partners = scope === null ? new Set<string>() : await deps.tradingPartners(scope);
    // addresses and contacts as the party directory shows them: to regulators, the party itself and its trading partners
    const seesDetails = (partyCode: string) => canSeePrivateDetails(principal, partyCode, partners);
    const farms = new Set(parties.filter((party) => party.kind === 'farm').map((party) => party.code));

    const trace: Trace = {
      query: { identifier, lotCodes: [start], direction, depth, include },
      summary: {
        nodes: graph.nodes.length,
        earTags: [...new Set(graph.nodes.flatMap((node) => node.earTags))].sort(),
        farms: [...new Set(graph.nodes.filter((node) => farms.has(node.partyCode)).map((node) => node.partyCode))].sort(),
        currentHolders: graph.nodes.flatMap((node) =>
          (node.holders ?? []).map((holder) => ({ lotCode: node.code, partyCode: holder.partyCode, onHand: holder.onHand })),
        ),
      },
      nodes: graph.nodes,
      edges: graph.edges,
      events: include === 'events' ? graph.events.map(toEventView) : [],
      parties: parties
        .map((party) => ({
          code: party.code,
          name: party.name,
          kind: party.kind,
          regionCode: party.regionCode,
          address: seesDetails(party.code) ? party.address : null,
          contact: seesDetails(party.code) && party.contact ? contactOf(party.contact) : null,
        }))
        .sort((a, b) => a.code.localeCompare(b.code)),
      products,
      locations,
    };
    return { trace, lotsBeyond: described };
  }

  return {
    /** The graph from any identifier, and (include 'events') every event on it; what the principal may not see is withheld. */
    async trace(
      principal: Principal,
      identifier: string,
      direction: Direction,
      depth: number,
      include: 'events' | 'graph' = 'events',
    ): Promise<Trace> {
      return (await traceOf(principal, identifier, direction, depth, include, false)).trace;
    },

    /**
     * The key data elements of the trace's events, a row per lot line (traceKdeRows): a lot beyond the
     * trace is described to whoever may read it, and is otherwise named by its code alone, as the
     * trace's events name it. `start`: the lot the trace started from.
     */
    async kde(principal: Principal, identifier: string, direction: Direction, depth: number, sort: KdeSort) {
      const { trace, lotsBeyond } = await traceOf(principal, identifier, direction, depth, 'events', true);
      return { start: trace.query.lotCodes[0], rows: traceKdeRows(trace, sort, lotsBeyond) };
    },
  };
}

export type TraceService = ReturnType<typeof createTraceService>;
