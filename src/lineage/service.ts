import type { Principal } from '../auth/principal.js';
import { isValidEarTag } from '../codes/china.js';
import { isValidSscc } from '../codes/gs1.js';
import { normalizeCode, serviceCodeKind } from '../codes/service-codes.js';
import type { EventsRepository } from '../events/repository.js';
import { toEventView } from '../events/service.js';
import { badRequest, forbidden, notFound } from '../http/problem.js';
import type { LocationsRepository } from '../locations/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import type { ShipmentsRepository } from '../shipments/repository.js';
import { assembleTrace, type Direction } from './graph.js';
import type { LineageRepository } from './repository.js';
import type { Trace } from './schemas.js';

export function createTraceService(deps: {
  lineage: Pick<LineageRepository, 'reachable' | 'edgesAmong'>;
  lots: Pick<LotsRepository, 'findByCodes' | 'findBySscc' | 'findByLotNumber' | 'findLotCodeByIdentifier' | 'holdings' | 'involvedParties'>;
  shipments: Pick<ShipmentsRepository, 'forLots'>;
  events: Pick<EventsRepository, 'forLots'>;
  parties: Pick<PartiesRepository, 'findByCodes'>;
  products: Pick<ProductsRepository, 'findByCodes'>;
  locations: Pick<LocationsRepository, 'findByCodes'>;
  /** Lots named by an EPC or GS1 Digital Link URI (captured through EPCIS, or native GTIN + lot). */
  lotForEpc: (uri: string) => Promise<string | undefined>;
}) {
  /**
   * Any identifier the service knows: a lot or container code, an SSCC, a 15-digit ear tag,
   * or a party-scoped lot number written `PARTYCODE:LOTNUMBER`.
   */
  async function resolve(identifier: string): Promise<string> {
    const raw = identifier.trim();
    if (/^(urn:epc:|https?:\/\/)/i.test(raw)) {
      const lotCode = await deps.lotForEpc(raw);
      if (!lotCode) throw notFound(`no lot or container is known by ${raw}`);
      return lotCode;
    }
    const separator = raw.indexOf(':');
    if (separator > 0) {
      const lot = await deps.lots.findByLotNumber(normalizeCode(raw.slice(0, separator)), raw.slice(separator + 1));
      if (!lot) throw notFound(`party ${raw.slice(0, separator)} has no lot numbered ${raw.slice(separator + 1)}`);
      return lot.code;
    }
    const code = normalizeCode(raw);
    if (/^\d{15}$/.test(code)) {
      if (!isValidEarTag(code)) throw badRequest(`${code} is not a valid ear tag`);
      const lotCode = await deps.lots.findLotCodeByIdentifier('ear_tag', code);
      if (!lotCode) throw notFound(`ear tag ${code} is not registered`);
      return lotCode;
    }
    if (/^\d{18}$/.test(code)) {
      if (!isValidSscc(code)) throw badRequest(`${code} is not a valid SSCC (check digit)`);
      const lot = await deps.lots.findBySscc(code);
      if (!lot) throw notFound(`SSCC ${code} is not registered`);
      return lot.code;
    }
    const kind = serviceCodeKind(code);
    if (kind !== 'lot' && kind !== 'container') {
      throw badRequest(`${identifier} is neither a lot or container code (check character), an SSCC, an ear tag nor PARTY:LOTNUMBER`);
    }
    const [lot] = await deps.lots.findByCodes([code]);
    if (!lot || lot.voidedByEventId) throw notFound(`no lot ${code}`);
    return lot.code;
  }

  return {
    resolve,
    async trace(principal: Principal, identifier: string, direction: Direction, depth: number): Promise<Trace> {
      const start = await resolve(identifier);
      const viewer = principal.role === 'operator' ? principal.partyCode : null;
      if (viewer && !(await deps.lots.involvedParties(start)).has(viewer)) {
        throw forbidden(`party ${viewer} has never owned or held ${start}; ask a regulator for this trace`);
      }
      const canSee = (partyCode: string) => viewer === null || viewer === partyCode;

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
            contact: canSee(party.code) || viewer === null ? party.contact : null,
          }))
          .sort((a, b) => a.code.localeCompare(b.code)),
        products: products.map(({ code, name, gtin, category, marks }) => ({ code, name, gtin, category, marks })),
        locations: locations.map(({ code, name, kind, regionCode, partyCode }) => ({ code, name, kind, regionCode, partyCode })),
      };
    },
  };
}

export type TraceService = ReturnType<typeof createTraceService>;
