// Pure trace assembly: no I/O. The repository finds which nodes are reachable; this module
// turns rows into the graph a regulator or consumer reads, ordered in time.

import { inspectionClaimAsRead } from '../access/index.js';
import { eventIdOfKey } from '../gs1/event-id.js';
import type { Direction } from '../lineage/repository.js';

/**
 * A reached lot, read in the shape of its trace node (`TraceNode`, keys in its order), which the
 * assembly completes in place: a recall-sized trace has 40k nodes, and a copy of each cost more
 * than reading it. Until then `certificates` holds the lot's attributes (null when it has none),
 * from which the assembly takes its own certificates and ear tags, and the rest are placeholders.
 */
export type NodeLot = Omit<TraceNode, 'certificates' | 'earTags' | 'inspections' | 'holders'> & {
  certificates: Record<string, unknown> | null;
  earTags: null;
  inspections: null;
  holders: null;
};
/**
 * A lineage edge among the reached lots, read in the shape the trace shows it (`TraceEdge`), which
 * the assembly completes in place: a recall-sized trace has 100k, and a copy of each cost more than
 * reading it.
 */
export type NodeEdge = TraceEdge & { kind: 'transform' | 'aggregate' };
export type NodeShipment = {
  id: string;
  shipEventId: string;
  receiveEventId: string | null;
  fromPartyCode: string;
  toPartyCode: string;
  status: string;
  shippedAt: Date;
  receivedAt: Date | null;
  lines: { lotCode: string; quantity: number; receivedQuantity: number | null; receiveEventId: string | null }[];
};
export type NodeEvent = {
  id: string;
  type: string;
  eventTime: Date;
  partyCode: string;
  lots: { lotCode: string; role: string; quantity: number | null }[];
  payload: Record<string, unknown>;
  referenceDocuments: { type: string; number: string }[];
  declaredInErrorBy: string | null;
  /** An inspection's: the owners of the lots it tested, each once, those beyond the trace included (null for any other event). */
  testedLotOwners: string[] | null;
  /** An inspection's: the kind of party that recorded it, by which its kind and lab read (null for any other event). */
  recorderKind: string | null;
};
export type PartyRef = { code: string; name: string; kind: string; regionCode: string };

export type TraceInput<E extends NodeEvent> = {
  direction: Direction;
  /** Every lot reached, whatever its distance. */
  lots: NodeLot[];
  edges: NodeEdge[];
  shipments: NodeShipment[];
  events: E[];
  holdings: { lotCode: string; partyCode: string; onHand: number }[];
  /** May the caller see this party's private data (quantities, holders, its events)? */
  canSee: (partyCode: string) => boolean;
  /** The lines of a shipment shown to the caller (a line of 0 sent nothing: see shipmentLinesShownTo). */
  shownLines: (lines: NodeShipment['lines']) => NodeShipment['lines'];
};

type Inspection = {
  eventId: string;
  eventTime: Date;
  /** The party that recorded it (eventIDs are each party's own); null where the caller may not learn it (recorderShown). */
  partyCode: string | null;
  kind: string;
  labPartyCode: string | null;
  result: string;
  reportNumber: string | null;
  declaredInError: boolean;
};

export type TraceNode = {
  code: string;
  kind: string;
  depth: number;
  redacted: boolean;
  partyCode: string;
  productCode: string | null;
  lotNumber: string | null;
  sscc: string | null;
  status: string;
  onHold: boolean;
  productionDate: string | null;
  expiryDate: string | null;
  sellByDate: string | null;
  originLocationCode: string | null;
  certificates: { type: string; number: string }[];
  earTags: string[];
  inspections: Inspection[];
  quantity: number | null;
  unit: string | null;
  holders: { partyCode: string; onHand: number }[] | null;
};

export type TraceEdge = {
  kind: 'transform' | 'aggregate' | 'custody';
  from: string;
  to: string;
  quantity: number | null;
  unit: string | null;
  eventId: string;
  fromPartyCode: string | null;
  toPartyCode: string | null;
  shipmentId: string | null;
  status: string | null;
};

export const CERTIFICATE_ATTRIBUTES: Record<string, string> = {
  quarantineCertificate: 'quarantine_certificate',
  meatQualityCertificate: 'meat_quality_certificate',
  commitmentCertificate: 'commitment_certificate',
};

/**
 * The one empty list the nodes of a trace share where they have no certificates, ear tags,
 * inspections or holders: a recall-sized trace has 40k nodes, most with none, and a list each
 * cost a tenth of its assembly. Frozen, so that no node's list can change another's.
 */
const NONE: never[] = Object.freeze([]) as never[];

const CERTIFICATE_ENTRIES = Object.entries(CERTIFICATE_ATTRIBUTES);

/** The certificates a lot's attributes carry (quarantine, meat quality, commitment); a blank number is none. */
export function attributeCertificates(attributes: Record<string, unknown>): { type: string; number: string }[] {
  let onLot: { type: string; number: string }[] = NONE;
  for (const [attribute, type] of CERTIFICATE_ENTRIES) {
    const number = attributes[attribute];
    if (typeof number === 'string' && number !== '') onLot = [...onLot, { type, number }];
  }
  return onLot;
}

/** Certificates carried on the lot itself and on the reference documents of events about it. */
function certificatesOf(onLot: { type: string; number: string }[], events: NodeEvent[]): { type: string; number: string }[] {
  // most lots of a large trace have no events shown: their certificates (one per type) are all
  if (events.length === 0) return onLot;
  const found = new Map(onLot.map((certificate) => [`${certificate.type}:${certificate.number}`, certificate]));
  for (const event of events) {
    if (event.declaredInErrorBy) continue;
    for (const document of event.referenceDocuments) found.set(`${document.type}:${document.number}`, document);
  }
  return [...found.values()];
}

/** What an inspection found, as a trace shows it: of a trace node's inspections, and of the consumer's tests. */
type InspectionFindings = Pick<Inspection, 'kind' | 'labPartyCode' | 'result' | 'reportNumber'>;

/**
 * The findings an event records: an inspect event's, its kind and lab as its recorder (code and kind
 * of party) could have said them (inspectionClaimAsRead: a processor's third-party test stored before
 * that rule reads as its self-test, naming no lab); none for any other event, nor for an EPCIS
 * `inspecting` event recorded as an inspection that was seen, with no kind or result.
 */
export function inspectionFindings(
  type: string,
  payload: Record<string, unknown>,
  recorder: { code: string; kind: string | undefined },
): InspectionFindings | null {
  const inspection = payload.inspection;
  if (type !== 'inspect' || typeof inspection !== 'object' || inspection === null) return null;
  const { kind, labPartyCode, result, reportNumber } = inspection as Record<string, unknown>;
  return {
    ...inspectionClaimAsRead(recorder, { kind: String(kind), labPartyCode: (labPartyCode as string | undefined) ?? null }),
    result: String(result),
    reportNumber: (reportNumber as string | undefined) ?? null,
  };
}

/**
 * Whether a trace names who recorded an inspection: the lab the inspection names, a party the caller
 * may read, or the owner of every lot it tested; else another holder's test would name a holder of
 * the lot, which the trace withholds. Decided for the event, alike on each of its nodes: an
 * inspection of several lots shows one eventID and report on each, so its recorder named on its own
 * lot would name it on another's lot where it is withheld. Every lot it tested counts, reached or
 * not, so that a shorter trace (a lower depth, the other direction) does not name it where a longer
 * one withholds it. Where the recorder is withheld its report number is too: a report recorded by
 * several events (a correction's replacement, one event per lot) would name it where another of them
 * is shown.
 */
function recorderShown(event: NodeEvent, labPartyCode: string | null, canSee: (partyCode: string) => boolean): boolean {
  const recorder = event.partyCode;
  return recorder === labPartyCode || canSee(recorder) || (event.testedLotOwners?.every((owner) => owner === recorder) ?? false);
}

/** The inspections among a lot's events, each with its recorder where the trace names it (recorderShown). */
function inspectionsOf(events: NodeEvent[], canSee: (partyCode: string) => boolean): Inspection[] {
  // most lots of a large trace have none: no filtering and mapping of an empty list for each
  if (events.length === 0) return NONE;
  return events.flatMap((event) => {
    const findings = inspectionFindings(event.type, event.payload, { code: event.partyCode, kind: event.recorderKind ?? undefined });
    if (!findings) return NONE;
    const shown = recorderShown(event, findings.labPartyCode, canSee);
    return [
      {
        eventId: eventIdOfKey(event.id),
        eventTime: event.eventTime,
        partyCode: shown ? event.partyCode : null,
        ...findings,
        reportNumber: shown ? findings.reportNumber : null,
        declaredInError: event.declaredInErrorBy !== null,
      },
    ];
  });
}

/** Code point order: the same on every server, whatever its locale (codes and event ids are ASCII). */
const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const byTime = (a: { eventTime: Date; id: string }, b: { eventTime: Date; id: string }) =>
  a.eventTime.getTime() - b.eventTime.getTime() || ordinal(a.id, b.id);

/** Adds to the list under a key (traces group thousands of rows; rebuilding the list each time would be quadratic). */
function append<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The trace of the rows. The lots and edges given are completed into its nodes and edges in place
 * (see NodeLot, NodeEdge): the repository reads the rows afresh for each trace, so a set of rows is
 * assembled once, and not again (for another caller) from rows already completed.
 */
export function assembleTrace<E extends NodeEvent>(input: TraceInput<E>) {
  const eventsByLot = new Map<string, E[]>();
  for (const event of input.events) for (const { lotCode } of event.lots) append(eventsByLot, lotCode, event);
  const holdingsByLot = new Map<string, TraceInput<E>['holdings']>();
  for (const holding of input.holdings) append(holdingsByLot, holding.lotCode, holding);
  // another party's stock level is its own business
  const holdersOf = (holdings: TraceInput<E>['holdings']) => {
    let holders: { partyCode: string; onHand: number }[] = NONE;
    for (const { partyCode, onHand } of holdings) if (onHand > 0 && input.canSee(partyCode)) holders = [...holders, { partyCode, onHand }];
    return holders;
  };

  // A node is open to its owner and to whoever has held it; others see identity, status and certificates.
  const visible = (lot: NodeLot, holdings: TraceInput<E>['holdings']) =>
    input.canSee(lot.partyCode) || holdings.some((holding) => input.canSee(holding.partyCode));

  // completed in place, in order already as the repository reads them: then sorting costs one comparison per node
  for (const node of input.lots) {
    const lotEvents = eventsByLot.get(node.code) ?? NONE;
    const holdings = holdingsByLot.get(node.code) ?? NONE;
    const open = visible(node, holdings);
    node.redacted = !open;
    const attributes = node.certificates;
    const completed = node as unknown as TraceNode;
    completed.certificates = certificatesOf(attributes ? attributeCertificates(attributes) : NONE, lotEvents);
    // an ear tag or lot number names its lot only to a party that may read the lot (GET /trace/<ear tag> is 404 to others)
    completed.earTags = open && attributes && Array.isArray(attributes.earTags) ? (attributes.earTags as string[]) : NONE;
    completed.inspections = inspectionsOf(lotEvents, input.canSee);
    if (!open) {
      completed.quantity = null;
      completed.unit = null;
      completed.lotNumber = null;
    }
    completed.holders = open ? holdersOf(holdings) : null;
  }
  const nodes = (input.lots as unknown as TraceNode[]).sort((a, b) => a.depth - b.depth || ordinal(a.code, b.code));

  // how much went into a lot is its maker's business, as the lot's own quantity is
  const openLots = new Set(nodes.filter((node) => !node.redacted).map((node) => node.code));
  // completed in place, as the nodes are (see NodeEdge): an event is named by its eventID, not the
  // key that kept it apart from another party's (partyEventKey)
  const edges: TraceEdge[] = input.edges;
  for (const edge of edges) {
    edge.eventId = eventIdOfKey(edge.eventId);
    if (!openLots.has(edge.to)) {
      edge.quantity = null;
      edge.unit = null;
    }
  }
  // Custody hand-overs keep the lot's identity: an edge from the lot to itself between two parties
  // (of the lots shown: a voided lot is no node, so its hand-overs are no edges either).
  const reached = new Set(input.lots.map((lot) => lot.code));
  const custodyEdges: TraceEdge[] = input.shipments.flatMap((shipment) =>
    input
      .shownLines(shipment.lines)
      .filter((line) => reached.has(line.lotCode))
      .filter(() => input.canSee(shipment.fromPartyCode) || input.canSee(shipment.toPartyCode))
      .map((line) => ({
        kind: 'custody' as const,
        from: line.lotCode,
        to: line.lotCode,
        quantity: line.receivedQuantity ?? line.quantity,
        unit: null,
        // a shipment received in parts: each line by the receipt that took it; a line of 0 (shown to
        // regulators and admins) by the ship event that named it, as no receipt takes it
        eventId: eventIdOfKey(
          line.quantity === 0 ? shipment.shipEventId : (line.receiveEventId ?? shipment.receiveEventId ?? shipment.shipEventId),
        ),
        fromPartyCode: shipment.fromPartyCode,
        toPartyCode: shipment.toPartyCode,
        shipmentId: shipment.id,
        status: line.quantity === 0 ? 'nothing-shipped' : line.receivedQuantity === null ? shipment.status : 'received',
      })),
  );

  const events = input.events.filter((event) => input.canSee(event.partyCode)).sort(byTime);
  for (const edge of custodyEdges) edges.push(edge);
  return { nodes, edges, events };
}
