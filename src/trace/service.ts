import { canReadPartyData, type Principal, privateScope, requireLotReader } from '../access/index.js';
import { badRequest, notFound } from '../errors/problem.js';
import type { EventsRepository } from '../events/repository.js';
import { toEventView } from '../events/view.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { Direction, LineageRepository } from '../lineage/repository.js';
import type { LocationsRepository } from '../locations/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import type { ShipmentsRepository } from '../shipments/repository.js';
import { assembleTrace } from './graph.js';
import type { Trace } from './schemas.js';

export function createTraceService(deps: {
  lineage: Pick<LineageRepository, 'reachable' | 'edgesAmong'>;
  lots: Pick<LotsRepository, 'findByCodes' | 'holdings' | 'involvedParties'>;
  shipments: Pick<ShipmentsRepository, 'forLots'>;
  events: Pick<EventsRepository, 'forLots'>;
  parties: Pick<PartiesRepository, 'findByCodes'>;
  products: Pick<ProductsRepository, 'findByCodes'>;
  locations: Pick<LocationsRepository, 'findByCodes'>;
  identifiers: Pick<IdentifierService, 'resolve'>;
}) {
  /** The lot a trace starts from: any identifier the service knows; a pack starts from its lot. */
  async function startLot(identifier: string): Promise<string> {
    const named = await deps.identifiers.resolve(identifier);
    if (!named) throw notFound(`no lot, container or pack is known by ${identifier.trim()}`);
    if (named.kind === 'product') {
      throw badRequest(`${identifier.trim()} names a product (${named.productName}), not a lot: add its lot (10) or serial (21)`);
    }
    return named.lotCode;
  }

  return {
    async trace(principal: Principal, identifier: string, direction: Direction, depth: number): Promise<Trace> {
      const start = await startLot(identifier);
      const viewer = privateScope(principal);
      if (viewer !== null) requireLotReader(principal, start, await deps.lots.involvedParties(start));
      const canSee = (partyCode: string) => canReadPartyData(principal, partyCode);

      const reached = await deps.lineage.reachable([start], direction, depth);
      const codes = reached.map((node) => node.code);
      const [lots, edges, shipments, events, holdings] = await Promise.all([
        deps.lots.findByCodes(codes),
        deps.lineage.edgesAmong(codes, direction),
        deps.shipments.forLots(codes),
        deps.events.forLots(codes),
        deps.lots.holdings(codes),
      ]);
      const graph = assembleTrace({
        direction,
        reached,
        lots: lots.filter((lot) => !lot.voidedByEventId),
        edges,
        shipments,
        events,
        holdings,
        canSee,
      });

      const partyCodes = new Set(graph.nodes.map((node) => node.partyCode));
      const present = (code: string | null | undefined): code is string => Boolean(code);
      for (const edge of graph.edges) for (const code of [edge.fromPartyCode, edge.toPartyCode].filter(present)) partyCodes.add(code);
      for (const node of graph.nodes) {
        for (const holder of node.holders ?? []) partyCodes.add(holder.partyCode);
        for (const code of node.inspections.map((inspection) => inspection.labPartyCode).filter(present)) partyCodes.add(code);
      }
      const locationCodes = new Set<string>();
      for (const node of graph.nodes) if (node.originLocationCode) locationCodes.add(node.originLocationCode);
      for (const event of graph.events) for (const code of [event.readPoint, event.bizLocation].filter(present)) locationCodes.add(code);
      const [parties, products, locations] = await Promise.all([
        deps.parties.findByCodes([...partyCodes]),
        deps.products.findByCodes(graph.nodes.flatMap((node) => (node.productCode ? [node.productCode] : []))),
        deps.locations.findByCodes([...locationCodes]),
      ]);
      const farms = new Set(parties.filter((party) => party.kind === 'farm').map((party) => party.code));

      return {
        query: { identifier, lotCodes: [start], direction, depth },
        summary: {
          nodes: graph.nodes.length,
          earTags: [...new Set(graph.nodes.flatMap((node) => node.earTags))].sort(),
          farms: [...new Set(graph.nodes.filter((node) => farms.has(node.partyCode)).map((node) => node.partyCode))].sort(),
          currentHolders: graph.nodes.flatMap((node) => (node.holders ?? []).map((holder) => ({ lotCode: node.code, ...holder }))),
        },
        nodes: graph.nodes,
        edges: graph.edges,
        events: graph.events.map(toEventView),
        parties: parties
          .map((party) => ({
            code: party.code,
            name: party.name,
            kind: party.kind,
            regionCode: party.regionCode,
            address: party.address,
            // contacts are for regulators chasing a lot and for direct trading partners
            contact: canSee(party.code) ? party.contact : null,
          }))
          .sort((a, b) => a.code.localeCompare(b.code)),
        products: products.map(({ code, name, gtin, category, marks }) => ({ code, name, gtin, category, marks })),
        locations: locations.map(({ code, name, kind, regionCode, partyCode }) => ({ code, name, kind, regionCode, partyCode })),
      };
    },
  };
}

export type TraceService = ReturnType<typeof createTraceService>;
