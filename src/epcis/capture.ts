// EPCIS 2.0 events into the one event writer: identifiers resolved in bulk, each event mapped to
// the native action it amounts to (commission, transform, pack, unpack, ship, receive, destroy,
// sell, observe) so the same rules, ledger and authorization apply, and idempotency by event id
// (given, or the CBV 2.0 hash).
import { identifierNamesLotOpenly, identifierNamesLotTo } from '../access/index.js';
import { newContainerCode, newLotCode } from '../codes/service-codes.js';
import type { Db } from '../db/client.js';
import { mapPausing } from '../db/turns.js';
import { bodyField, conflict, forbidden, Problem, unprocessable } from '../errors/problem.js';
import type { EventType } from '../events/schemas.js';
import type { Pointer } from '../events/writer/draft.js';
import { BatchRejected, type EventWriter, type TransformationEdge, type WriteOutcome, type WriteRequest } from '../events/writer/index.js';
import type { EventAction } from '../events/writer/rules/index.js';
import type { Line, LotSpec } from '../events/writer/scope.js';
import { canonicalEventId, epcisEventId, eventIdOfKey, partyEventKeys } from '../gs1/event-id.js';
import type { Identifier } from '../identifiers/parse.js';
import type { IdentifierService } from '../identifiers/service.js';
import { CONTAINER_UNIT } from '../lots/ledger.js';
import type { LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { contextPrefixes, type EventHashOptions, eventHasher, eventHashId } from './event-hash.js';
import {
  claimsOf,
  declarationFieldsSentAt,
  type EpcisEvent,
  EpcisFields,
  type EpcisInspection,
  idOf,
  inspectionOf,
  lotDatesOf,
  lotNumberOfClass,
  type Named,
  namedIdentifiers,
  nativeType,
  offsetOf,
  referenceDocumentsOf,
  sensorTimesOf,
  shortVocabulary,
  withIlmdLotNumber,
} from './mapping.js';
import { eventContext } from './render.js';
import { declarationsThatReplan, type Footprint, receiptsThatReplan } from './replanning.js';
import type { EpcisRepository, OpenShipment } from './repository.js';
import { withPlainIdentifiers } from './schemas.js';
import { normaliseTagValues, TAG_ENCODINGS_FIELD, type TagEncoding, withoutTagEncodings } from './tag-values.js';
import { inDocumentUnitReading, type LineQuantity, quantityInUnit, unitLineIsReadIn, unitOfNewLot, unitOfUom } from './uom.js';
import { cited } from './validation/messages.js';

export type CaptureDeps = {
  writer: Pick<EventWriter, 'write' | 'correct' | 'lockAhead'>;
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  epcis: Pick<EpcisRepository, 'storedEvents' | 'transformationMembers' | 'openShipmentsTo'>;
  products: Pick<ProductsRepository, 'findByGtins'>;
  lots: Pick<LotsRepository, 'involvedPartiesOf' | 'findByCodes'>;
  publicBaseUrl: string;
};

/**
 * What became of each event. A new event stored whose error declaration was refused (proceed) stays
 * captured, without its declaration: `declarationRefused` says why.
 */
export type CaptureOutcome =
  | { index: number; eventId: string; status: 'captured'; declarationRefused?: Problem }
  | { index: number; eventId: string; status: 'duplicate' }
  | { index: number; eventId: string; status: 'rejected'; problem: Problem };

/**
 * Thrown out of a rollback capture at its first rejected event (with every clashing eventID), so the
 * caller's transaction rolls back. Each rejection names the event's position in `events` and the id
 * the event was given, its eventID or its hash, as a proceed capture reports it.
 */
export class CaptureRejected extends Error {
  constructor(readonly rejections: { index: number; eventId: string; problem: Problem }[]) {
    super(rejections[0].problem.message);
  }
}

/** A lot a transformation's event named, and that event when it is one of the document's (null: stored before). */
type Member = { code: string; eventId: string | null };

type Declaration = { declarationTime?: string; reason?: string; correctiveEventIDs?: string[]; [extension: string]: unknown };

/**
 * About as many objects (events and the identifiers they name) as one write takes. The writer
 * reads what a write names in a fixed number of statements, whose arrays of codes grow with it:
 * a 140,000-EPC document is read in parts of this size, a 10,000-event one (about 27,000 objects)
 * in one.
 */
const OBJECTS_PER_WRITE = 30_000;

const GTIN = /^https:\/\/id\.gs1\.org\/01\/(\d{14})/;
const SSCC = /^https:\/\/id\.gs1\.org\/00\/(\d{18})$/;

/** The events with the tag and raw URIs of GS1 keys they name as pure identities, and the CBV 2.0 hash of each. */
export type HashedEvents = { normalised: { event: EpcisEvent; encodings: TagEncoding[] }[]; hashes: string[] };

/**
 * What follows from a document's events alone, before anything is read: a capture job has it
 * worked out while its row is stored (10,000 events take a few hundred milliseconds).
 */
export async function hashEvents(events: EpcisEvent[], context: unknown, hashOptions?: EventHashOptions): Promise<HashedEvents> {
  // tag and raw URIs of GS1 keys become pure identities before hashing, so every form of a tag is one object
  const normalised = await mapPausing(events, normaliseTagValues);
  const hashOf = eventHasher(context, hashOptions);
  const hashes = await mapPausing(normalised, ({ event }) => hashOf(event));
  return { normalised, hashes };
}

/**
 * Stores the events inside `tx`. `rollback`: the first rejected event throws CaptureRejected;
 * `proceed`: rejected events are reported, the rest
 * stored. An event the party already stored is a duplicate; a given eventID it already used for
 * different content (or another event of the same document did) is a conflict. Another party's
 * events under the same eventID play no part.
 */
export async function captureEvents(
  tx: Db,
  deps: CaptureDeps,
  input: {
    events: EpcisEvent[];
    context: unknown;
    party: string;
    hashOptions?: EventHashOptions;
    onError: 'rollback' | 'proceed';
    /** hashEvents of these events, when already under way */
    hashed?: Promise<HashedEvents>;
  },
): Promise<CaptureOutcome[]> {
  const { party } = input;
  const { normalised, hashes } = await (input.hashed ?? hashEvents(input.events, input.context, input.hashOptions));
  const events = normalised.map((n) => n.event);
  // an eventID is stored in its canonical form; an event stored before under another keeps that id,
  // and a native event is stored under its bare UUID (re-sent as GET /epcis/events renders it, it
  // is that event). eventIDs are each party's own: one that another party's event is stored under
  // becomes this party's key (partyEventKey), and the other party's event is neither compared nor named
  const forms = events.map((event, index) =>
    event.eventID === undefined ? partyEventKeys(hashes[index], party) : partyEventKeys(String(event.eventID), party),
  );
  const stored = await deps.epcis.storedEvents(tx, [...forms.flat(), ...forms.flat().map((id) => `${id}#error`)]);
  /** The key each event is stored under. */
  const ids = forms.map((candidates) => {
    const own = candidates.find((id) => stored.get(id)?.partyCode === party);
    if (own) return own;
    const plain = canonicalEventId(candidates[0]);
    return stored.has(plain) ? (candidates.at(-1) as string) : plain;
  });
  /** The eventID each event was captured as, under whichever key it is stored. */
  const eventIds = ids.map((id) => epcisEventId(eventIdOfKey(id)));

  const outcomes: (CaptureOutcome | undefined)[] = [];
  const rejected = (rejections: { index: number; problem: Problem }[]) =>
    new CaptureRejected(rejections.map(({ index, problem }) => ({ index, eventId: eventIds[index], problem })));
  const reject = (index: number, problem: Problem) => {
    if (input.onError === 'rollback') throw rejected([{ index, problem }]);
    outcomes[index] = { index, eventId: eventIds[index], status: 'rejected', problem };
  };
  const firstIndexOf = new Map<string, number>();
  const toWrite: number[] = [];
  const declarations: number[] = [];
  /** The events this document declares in error: one re-sent again with its declaration is only a duplicate. */
  const declaredIds = new Set<string>();
  const declaring = (index: number) => {
    if (declaredIds.has(ids[index])) return;
    declaredIds.add(ids[index]);
    declarations.push(index);
  };
  // every clashing eventID is reported, even when the batch rolls back at the first
  const clashes: { index: number; problem: Problem }[] = [];
  for (const [index, event] of events.entries()) {
    const id = ids[index];
    const earlier = firstIndexOf.get(id);
    const previous = stored.get(id);
    // the CBV 2.0 hash leaves out eventID, recordTime and errorDeclaration: equal hashes, same event.
    // An event stored before full-width identifiers were read as ASCII holds them as sent: read so, as this one was
    const previousHash =
      earlier !== undefined
        ? hashes[earlier]
        : previous?.epcis
          ? eventHashId(withPlainIdentifiers(withoutTagEncodings(previous.epcis)) as EpcisEvent, previous.context, input.hashOptions)
          : undefined;
    if (previousHash !== undefined && event.eventID && previousHash !== hashes[index]) {
      const where = earlier !== undefined ? ` (event ${earlier} of this document)` : '';
      clashes.push({
        index,
        problem: conflict(`eventID ${cited(eventIds[index])} is already captured for a different event${where}`, [
          bodyField(['eventID'], 'already used by a different event'),
        ]),
      });
      continue;
    }
    if (earlier !== undefined || previous) {
      outcomes[index] = { index, eventId: eventIds[index], status: 'duplicate' };
      // a re-sent event that now carries an error declaration declares the stored one in error
      if (event.errorDeclaration && !stored.has(`${id}#error`)) declaring(index);
      continue;
    }
    firstIndexOf.set(id, index);
    toWrite.push(index);
    if (event.errorDeclaration) declaring(index);
  }
  if (clashes.length > 0 && input.onError === 'rollback') throw rejected(clashes);
  for (const { index, problem } of clashes) reject(index, problem);

  const toPlan = toWrite.map((index) => ({
    event: events[index],
    id: ids[index],
    eventId: eventIds[index],
    context: input.context,
    encodings: normalised[index].encodings,
  }));
  // planned from the whole document, which the locks are taken ahead by; the events after a
  // declaration that can change their plan are planned again once it took effect (see below)
  const requests = await requestsFor(tx, deps, party, toPlan, input.onError === 'rollback');
  const replanning = await declarationsReplanning(tx, deps, party, {
    declarations,
    toWrite,
    requests,
    // an event declared again later in the document is the one its first occurrence wrote
    firstOccurrence: (index) => firstIndexOf.get(ids[index]) ?? index,
    stored: (index) => ({
      event: events[index],
      id: ids[index],
      eventId: eventIds[index],
      context: input.context,
      encodings: normalised[index].encodings,
    }),
  });
  const declare = async (index: number) => {
    if (outcomes[index]?.status === 'rejected') return;
    const declaration = events[index].errorDeclaration as Declaration;
    try {
      await deps.writer.correct(tx, {
        actor: party,
        correctsEventId: ids[index],
        id: `${ids[index]}#error`,
        eventTime: declaration.declarationTime ?? new Date().toISOString(),
        payload: { ...declaration, declarationTime: declaration.declarationTime ?? null },
        keepsLots: true,
        sentAt: declarationFieldsSentAt(events[index]),
      });
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      // an event written just now is stored, declared or not (proceed): it is not taken back
      const outcome = outcomes[index];
      if (outcome?.status === 'captured' && input.onError === 'proceed') outcomes[index] = { ...outcome, declarationRefused: error };
      else reject(index, error);
    }
  };
  // taken in several calls, the writer's locks are all taken first, in the order one write takes
  // them (shipments, then lots): a later call's shipments taken after an earlier call's lots could
  // deadlock with a receipt or a recall opening taking both the other way round
  const objectCount = requests.reduce((sum, request) => sum + (request.captured?.links.length ?? 0) + 1, 0);
  // under proceed, the receipts of a shipment a later receipt of the plan takes in too: the events
  // after each are planned again once it is stored (see receiptsThatReplan; under rollback each
  // receipt of the plan takes its lines instead, see takeLines)
  const receiptsReplanningIn = (from: number, to: number): number[] =>
    input.onError === 'proceed'
      ? [
          ...receiptsThatReplan(
            toWrite.slice(from, to).map((index, offset) => {
              const { action, refused } = requests[from + offset];
              return { index, receivesIn: action.type === 'receive' && !refused ? action.shipmentId : null };
            }),
          ),
        ]
      : [];
  /** Where the events after are planned again, in the document's order: declarations' and receipts' places. */
  const replanningPoints = [...new Set([...replanning, ...receiptsReplanningIn(0, toWrite.length)])].sort((a, b) => a - b);
  if (declarations.length > 0 || replanningPoints.length > 0 || objectCount >= OBJECTS_PER_WRITE) {
    const storedBefore = declarations.filter((index) => outcomes[index]?.status === 'duplicate');
    await deps.writer.lockAhead(
      tx,
      requests,
      storedBefore.map((index) => ({ actor: party, ids: partyEventKeys(ids[index], party) })),
    );
  }
  /** The new events written so far: toWrite[0, written). */
  let written = 0;
  /** Writes the new events up to toWrite[end] (excluded) in one write. */
  const writeUpTo = async (end: number) => {
    if (end === written) return;
    let results: WriteOutcome[];
    try {
      results = await deps.writer.write(tx, requests.slice(written, end), input.onError);
    } catch (error) {
      throw error instanceof BatchRejected
        ? rejected(error.rejections.map(({ index, problem }) => ({ index: toWrite[written + index], problem })))
        : error;
    }
    for (const [offset, outcome] of results.entries()) {
      const at = toWrite[written + offset];
      outcomes[at] = outcome.ok
        ? { index: at, eventId: eventIds[at], status: 'captured' }
        : { index: at, eventId: eventIds[at], status: 'rejected', problem: outcome.problem };
    }
    written = end;
  };
  // in the document's order: a declaration (of a new event or of one stored before) takes effect at
  // its place, the new events before it written and the writer reading the world again after it, as
  // if the document ended there. A write also ends at about OBJECTS_PER_WRITE objects
  const declared = new Set(declarations);
  const replanningAt = new Set(replanningPoints);
  /** The new events so far in the document: toWrite[0, reached). */
  let reached = 0;
  let objects = 0;
  for (const index of events.keys()) {
    if (toWrite[reached] === index) {
      // the objects an event names, and the event itself
      objects += (requests[reached].captured?.links.length ?? 0) + 1;
      reached++;
    }
    if (!declared.has(index) && !replanningAt.has(index) && objects < OBJECTS_PER_WRITE) continue;
    await writeUpTo(reached);
    objects = 0;
    if (declared.has(index)) await declare(index);
    if (!replanningAt.has(index)) continue;
    // the new events up to the next such declaration or receipt, planned again from what is stored
    // now, as a document of their own would be: a transformation's members and the shipments a
    // receipt takes in are read once per plan, and the declaration or the receipt may have changed them
    const nextReplanning = replanningPoints.find((at) => at > index) ?? events.length;
    let end = reached;
    while (end < toWrite.length && toWrite[end] <= nextReplanning) end++;
    if (end === reached) continue;
    requests.splice(
      reached,
      end - reached,
      ...(await requestsFor(tx, deps, party, toPlan.slice(reached, end), input.onError === 'rollback')),
    );
    // planned again, a receipt may take in another shipment than before, which a later receipt of
    // these events takes in too: the events after it are planned again in turn
    const added = receiptsReplanningIn(reached, end).filter((at) => !replanningAt.has(at));
    for (const at of added) replanningAt.add(at);
    if (added.length > 0) replanningPoints.splice(0, replanningPoints.length, ...[...replanningAt].sort((a, b) => a - b));
  }
  await writeUpTo(reached);
  return outcomes as CaptureOutcome[];
}

/**
 * The declarations, in the document's order, after which the later new events are planned again
 * (see declarationsThatReplan): what a stored event re-sent with its declaration names is read as
 * a plan of it would read it, once for all of them; a new event declared names what its plan does.
 */
async function declarationsReplanning(
  tx: Db,
  deps: CaptureDeps,
  party: string,
  document: {
    declarations: number[];
    toWrite: number[];
    requests: WriteRequest[];
    firstOccurrence: (index: number) => number;
    stored: (index: number) => Parameters<typeof requestsFor>[3][number];
  },
): Promise<number[]> {
  const { declarations, toWrite, requests } = document;
  if (declarations.length === 0 || toWrite.length === 0) return [];
  const footprint = (request: WriteRequest): Footprint => ({
    recordType: request.recordType,
    transformationId: request.captured?.transformationId ?? null,
    lotCodes: request.captured?.links.map((link) => link.lotCode) ?? [],
  });
  const planned = new Map(toWrite.map((index, position) => [index, position]));
  const positionOf = new Map(
    declarations.flatMap((index) => {
      const position = planned.get(document.firstOccurrence(index));
      return position === undefined ? [] : [[index, position] as const];
    }),
  );
  const storedBefore = declarations.filter((index) => !positionOf.has(index));
  const storedPlans = storedBefore.length > 0 ? await requestsFor(tx, deps, party, storedBefore.map(document.stored), false) : [];
  const planOf = new Map(storedBefore.map((index, position) => [index, storedPlans[position]]));
  const replanning = declarationsThatReplan(
    declarations.map((index) => ({
      index,
      declared: footprint(planOf.get(index) ?? requests[positionOf.get(index) as number]),
    })),
    toWrite.map((index, position) => ({ index, planned: footprint(requests[position]) })),
  );
  return declarations.filter((index) => replanning.has(index));
}

/** Each event as the native action it amounts to, with the lots its unknown identifiers become. */
async function requestsFor(
  tx: Db,
  deps: CaptureDeps,
  party: string,
  events: { event: EpcisEvent; id: string; eventId: string; context: unknown; encodings: TagEncoding[] }[],
  /** each receipt's lines are no longer open to the events after it (see below) */
  receiptsTakeLines: boolean,
): Promise<WriteRequest[]> {
  // the namespace prefixes each event's ilmd is read with: its document's @context's, its own adding to them
  const documentPrefixes = new Map<unknown, Map<string, string>>();
  const prefixes = events.map(({ event, context }) => {
    const declared = documentPrefixes.get(context) ?? contextPrefixes(context);
    documentPrefixes.set(context, declared);
    return event['@context'] === undefined ? declared : contextPrefixes(event['@context'], declared);
  });
  // parsing 140,000 identifiers takes seconds: other requests go on meanwhile; a class an event makes
  // without a lot is the lot its ilmd numbers (see withIlmdLotNumber)
  const lotNumbered = await mapPausing(
    events.map(({ event }, position) => ({ event, prefixes: prefixes[position] })),
    ({ event, prefixes: declared }) => withIlmdLotNumber(event, namedIdentifiers(event), declared),
  );
  const named = lotNumbered.map((entry) => entry.named);
  const distinctIds = [...new Set(named.flat().map((item) => item.id))];
  const identifiers = await mapPausing(distinctIds, (id) => parsed(deps, id));
  const referents = await deps.identifiers.findMany(identifiers, tx);
  const othersIdentifiers = await identifiersNamingNoLotTo(tx, deps, party, distinctIds, identifiers, referents);
  // an identifier that names no lot or container becomes one of the capturing party, one code per identifier
  const lotOf = new Map<string, string>();
  const created = new Set<string>();
  /** The parents of the document's packings (AggregationEvent ADD) so far. */
  const packedHere = new Set<string>();
  for (const [position, id] of distinctIds.entries()) {
    const referent = referents[position];
    if (referent?.kind === 'lot' || referent?.kind === 'container') lotOf.set(id, referent.lotCode);
  }
  // the unit of each lot a quantity line names with a uom, which the line's quantity is read in
  const unitOfLot = new Map(
    (
      await deps.lots.findByCodes(
        [...new Set(named.flat().flatMap((item) => (item.isClass && item.uom !== null ? (lotOf.get(item.id) ?? []) : [])))],
        tx,
      )
    ).map((lot) => [lot.code, lot.unit]),
  );
  /** The units the earlier events of the document that make a lot make it in (see unitOfNewLot), by its identifier. */
  const madeIn = new Map<string, Set<string>>();
  const products = new Map(
    (await deps.products.findByGtins([...new Set(distinctIds.flatMap((id) => GTIN.exec(id)?.[1] ?? []))], tx)).map((product) => [
      product.gtin as string,
      product,
    ]),
  );
  const transformationIds = [...new Set(events.flatMap(({ event }) => (event.transformationID ? [String(event.transformationID)] : [])))];
  // the inputs and outputs of each transformation: its stored events', then those of this document's
  // events before, each with that event's id (it joins only if it is stored: it may yet be rejected)
  const members = new Map<string, { inputs: Member[]; outputs: Member[] }>();
  for (const [tid, stored] of await deps.epcis.transformationMembers(tx, party, transformationIds)) {
    const asMembers = (codes: string[]) => codes.map((code) => ({ code, eventId: null }));
    members.set(tid, { inputs: asMembers(stored.inputs), outputs: asMembers(stored.outputs) });
  }
  const receiving = events.some(({ event }) => nativeType(event) === 'receive');
  // read once for the plan, then (under rollback) as each receipt of the plan leaves them: a later
  // event of the document reads the shipments as a document sent after the receipt would (see
  // takeLines). Not under proceed: a receipt the writer refuses there takes nothing, which the plan
  // cannot know, and a later receipt of its lines would be read as a sighting; the capture plans the
  // events after such a receipt again once it is stored instead (see receiptsThatReplan)
  let shipmentsToParty = receiving ? await deps.epcis.openShipmentsTo(tx, party, [...lotOf.values()]) : [];

  return events.map(({ event, id, eventId, context, encodings }, position) => {
    // a TransactionEvent DELETE takes its objects out of a transaction and does nothing to them (EPCIS
    // 2.0): it brings none into being, and names only those that exist (one never seen is not linked)
    const disassociates = event.type === 'TransactionEvent' && event.action === 'DELETE';
    // each quantity line's quantity in the unit of the lot it names (see quantityInUnit): a lot that
    // exists (or an earlier event of the document made), or the product's a new lot is counted in
    let uomRefusal: { item: Named; reading: Extract<LineQuantity, { ok: false }> } | undefined;
    const items = (disassociates ? named[position].filter((item) => lotOf.has(item.id)) : named[position]).map((item) => {
      if (!item.isClass || item.uom === null) return item;
      const stored = lotOf.has(item.id) && !created.has(item.id) ? unitOfLot.get(lotOf.get(item.id) as string) : undefined;
      const planned = stored === undefined ? madeIn.get(item.id) : undefined;
      const productUnit = products.get(GTIN.exec(item.id)?.[1] ?? '')?.unit;
      if (planned && productUnit === undefined) {
        // a lot of no product that earlier events of the document make: which of them makes it is known
        // only as they are written (one may be refused, this line's own event may make it), so a line
        // names it as it is, in a uom each of them counts it in; a conversion waits for a later document
        const reading = inDocumentUnitReading(item.quantity, item.uom, planned);
        if (!reading.ok) uomRefusal ??= { item, reading };
        return item;
      }
      const readIn = unitLineIsReadIn(stored, [...(planned ?? [])][0], productUnit);
      if (readIn === undefined) return item;
      const reading = quantityInUnit(item.quantity, item.uom, readIn.unit);
      if (reading.ok) return { ...item, quantity: reading.quantity };
      // a new lot of a product in another unit is the writer's to refuse, as a native one is (unit-mismatch)
      if (readIn.binding || reading.field === 'quantity') uomRefusal ??= { item, reading };
      return item;
    });
    const creates: LotSpec[] = [];
    // where each native field the writer may name came from in the event
    const fields = new EpcisFields();
    const createdItems: Named[] = [];
    // another party's URI names no lot to this one (see identifierNamesLotTo) and, being taken, can name
    // no new one: the event is refused without a word of the lot
    const foreign = items.find((item) => othersIdentifiers.has(item.id));
    if (foreign) fields.member('foreignIdentifier', foreign.isClass ? [...foreign.at, 'epcClass'] : foreign.at);
    // a class carrying another lot than the ilmd's lotNumber: which lot the event makes, it does not say
    const mismatch = lotNumbered[position].mismatch;
    if (mismatch) fields.member('ilmdLotNumber', ['ilmd', mismatch.member]);
    if (uomRefusal) fields.member('uom', [...uomRefusal.item.at, uomRefusal.reading.field]);
    const refused =
      (foreign &&
        forbidden(`party ${party} may not use ${foreign.written}: the identifier is another party's`, [
          bodyField(['foreignIdentifier'], "another party's identifier"),
        ])) ||
      (mismatch &&
        unprocessable(
          'lot-number-mismatch',
          `${cited(mismatch.item.written)} names lot ${mismatch.lot}, but the ilmd's ${cited(mismatch.member)} gives lot number ${mismatch.lotNumber}: name the class without a lot, or with that one`,
          [bodyField(['ilmdLotNumber'], `not lot ${mismatch.lot}, which ${cited(mismatch.item.written)} names`)],
        )) ||
      (uomRefusal &&
        unprocessable(
          uomRefusal.reading.field === 'uom' ? 'unit-mismatch' : 'unit-precision',
          `${uomRefusal.item.quantity ?? 'a quantity'} ${uomRefusal.item.uom} of ${cited(uomRefusal.item.written)}: ${uomRefusal.reading.detail}`,
          [bodyField(['uom'], uomRefusal.reading.fieldDetail)],
        ));
    const codeOf = (item: Named): string => {
      const known = lotOf.get(item.id);
      if (known) return known;
      const sscc = SSCC.exec(item.id)?.[1] ?? null;
      const container = sscc !== null || item.role === 'parent';
      const code = container ? newContainerCode() : newLotCode();
      lotOf.set(item.id, code);
      return code;
    };
    // the dates its ilmd gives what the event makes (its subjects or outputs; an input it first names is made undated)
    const dates = lotDatesOf(event, prefixes[position]);
    for (const [field, given] of Object.entries(dates)) fields.entryField(field, given.at);
    const specOf = (item: Named): LotSpec => {
      const product = products.get(GTIN.exec(item.id)?.[1] ?? '');
      const sscc = SSCC.exec(item.id)?.[1] ?? null;
      const container = sscc !== null || item.role === 'parent';
      const dated = !container && (item.role === 'subject' || item.role === 'output');
      const unit = container ? CONTAINER_UNIT : unitOfNewLot(item.uom, product?.unit);
      // a line without a uom names a lot an earlier event made in that lot's unit: it adds none of its own
      if (item.uom !== null || !madeIn.has(item.id)) madeIn.set(item.id, new Set(madeIn.get(item.id)).add(unit));
      return {
        code: codeOf(item),
        kind: container ? 'container' : 'lot',
        productCode: product?.code ?? null,
        sscc,
        quantity: item.quantity ?? 1,
        // one of it, whatever it holds, as a packing's new container (validation refuses an SSCC as a class with a uom);
        // a line of a product in another unit than the product's gives that, for the writer to refuse
        unit: item.uom && product && !container ? unitOfUom(item.uom, product.unit) : unit,
        // an LGTIN's lot numbers the lot where the party's lots do not carry it already
        ...(container ? {} : { classLotNumber: lotNumberOfClass(item.id) }),
        ...(dated && dates.productionDate ? { productionDate: dates.productionDate.date } : {}),
        ...(dated && dates.expiryDate ? { expiryDate: dates.expiryDate.date } : {}),
        ...(dated && dates.sellByDate ? { sellByDate: dates.sellByDate.date } : {}),
        epc: item.id,
      };
    };
    /** The lot an identifier names, created for the capturing party (before the event's rules) when new. */
    const existingOrCreated = (item: Named): string => {
      const isNew = !lotOf.has(item.id) || created.has(item.id);
      const code = codeOf(item);
      if (isNew) {
        created.add(item.id);
        creates.push(specOf(item));
        createdItems.push(item);
      }
      return code;
    };
    // GS1's own examples name one object by two identifiers (an SSCC as EPC URN and as Digital
    // Link): a sighting names each lot once (where it is first named), where an event that moves
    // stock refuses the repeat
    const sighting = (seen: Named[], codes = seen.map(existingOrCreated)): Extract<EventAction, { type: 'observe' }> => {
      const first = new Map<string, Named>();
      for (const [index, code] of codes.entries()) if (!first.has(code)) first.set(code, seen[index]);
      fields.list('lotCodes', [...first.values()]);
      return { type: 'observe', lotCodes: [...first.keys()] };
    };
    /** Lines of the identifiers, the native list `name` (what rules report there is theirs). */
    const lines = (name: string, listed: Named[]): Line[] => {
      fields.list(name, listed);
      return listed.map(line);
    };
    const byRole = (role: Named['role']) => items.filter((item) => item.role === role);
    // an object named without a quantity is used as far as it is held (the event does not say how much)
    const line = (item: Named): Line =>
      item.isClass && item.quantity !== null
        ? { lotCode: existingOrCreated(item), quantity: item.quantity }
        : { lotCode: existingOrCreated(item), quantity: null, ifHeld: true };
    /** Whether the event gives a quantity for the identifier (a class with one, not an instance). */
    const quantified = (item: Named): boolean => item.isClass && item.quantity !== null;
    const type = nativeType(event) as EventType;
    let action: EventAction;
    const edges: TransformationEdge[] = [];

    switch (event.type) {
      case 'TransformationEvent': {
        const inputs = lines('inputs', byRole('input'));
        fields.list('outputs', byRole('output'));
        const outputs = byRole('output').map((item) =>
          lotOf.has(item.id) && !created.has(item.id) ? { lotCode: lotOf.get(item.id) as string } : outputSpec(item),
        );
        action = { type: 'transform', inputs, outputs };
        // events sharing a transformationID are one transformation: connect across all of them
        const tid = event.transformationID ? String(event.transformationID) : undefined;
        if (tid) {
          const group = members.get(tid) ?? { inputs: [], outputs: [] };
          const mine = {
            inputs: inputs.map((l) => ({ code: l.lotCode, eventId: id })),
            outputs: outputs.map((o) => ({ code: 'lotCode' in o ? o.lotCode : (o.code as string), eventId: id })),
          };
          const joining = (other: Member) => (other.eventId === null ? {} : { joins: other.eventId });
          for (const from of group.inputs) {
            for (const to of mine.outputs) if (from.code !== to.code) edges.push({ from: from.code, to: to.code, ...joining(from) });
          }
          for (const from of mine.inputs) {
            for (const to of group.outputs) if (from.code !== to.code) edges.push({ from: from.code, to: to.code, ...joining(to) });
          }
          members.set(tid, { inputs: [...group.inputs, ...mine.inputs], outputs: [...group.outputs, ...mine.outputs] });
        }
        break;
      }
      case 'AggregationEvent': {
        const [parent] = byRole('parent');
        const children = byRole('child');
        if (event.action === 'ADD' && parent) {
          packedHere.add(parent.id);
          const known = lotOf.has(parent.id) && !created.has(parent.id);
          const code = codeOf(parent);
          if (!known) created.add(parent.id);
          fields.member('parent', parent.at);
          // a new parent under a GTIN (an SGTIN) is a pack of the product registered under it, as every
          // identifier an event brings into being is: created as one, held to its owner and brands
          action = {
            type: 'aggregate',
            parent: known
              ? { containerCode: code }
              : {
                  newCode: code,
                  sscc: SSCC.exec(parent.id)?.[1],
                  epc: parent.id,
                  productCode: products.get(GTIN.exec(parent.id)?.[1] ?? '')?.code,
                },
            children: lines('children', children),
          };
        } else if (event.action === 'DELETE' && parent && lotOf.has(parent.id) && (!created.has(parent.id) || packedHere.has(parent.id))) {
          // a pallet an earlier packing of the document made is unpacked as it would be in a later
          // document, unless nothing made it after all (rejected, under proceed): the writer, which
          // knows, then records the sighting a pallet never seen gets (its identifiers created first).
          // One the document only sighted (an AggregationEvent OBSERVE packs nothing) is sighted again.
          const orSightingOf = created.has(parent.id) ? sighting(items).lotCodes : undefined;
          fields.member('parentCode', parent.at).list('children', children);
          action = {
            type: 'disaggregate',
            parentCode: lotOf.get(parent.id) as string,
            ...(children.length ? { children: children.map(orSightingOf ? codeOf : existingOrCreated) } : {}),
            ...(children.some(quantified) ? { childQuantities: children.map((item) => (quantified(item) ? item.quantity : null)) } : {}),
            ...(orSightingOf ? { orSightingOf } : {}),
          };
        } else {
          action = sighting(items);
        }
        break;
      }
      default: {
        const destination = type === 'ship' ? destinationOf(event, deps.publicBaseUrl) : null;
        // a transaction's parentID goes too (shipped, sold, destroyed): named alone, it is what the
        // event moves; what the event lists under it goes along with it where it lies packed in it
        const withParent = (): Line[] => {
          const [parent] = byRole('parent');
          const listed = lines('lines', parent ? [parent, ...byRole('subject')] : byRole('subject'));
          return parent ? listed.map((entry, index) => (index === 0 ? entry : { ...entry, packedIn: listed[0].lotCode })) : listed;
        };
        if (type === 'commission') {
          // ADD: the identifiers come into being here (already known ones are simply seen again)
          action = sighting(items);
        } else if (type === 'destroy' || type === 'sell') {
          action = type === 'destroy' ? { type: 'destroy', reason: 'EPCIS', lines: withParent() } : { type: 'sell', lines: withParent() };
        } else if (destination) {
          fields.member('toPartyCode', destination.at);
          action = { type: 'ship', toPartyCode: destination.partyCode, lines: withParent() };
        } else if (type === 'receive') {
          const codes = items.map(existingOrCreated);
          const carries = (shipment: OpenShipment, code: string) => shipment.lines.some((entry) => entry.lotCode === code);
          // the oldest open shipment carrying any of what the event names; what it names of others stays named only
          const shipment = shipmentsToParty.find((candidate) => codes.some((code) => carries(candidate, code)));
          const taken = shipment ? receivedLines(shipment, items, codes) : [];
          if (shipment && taken.length > 0) {
            // a refusal of the shipment is named at the member naming what it carries
            fields.member('shipmentId', items[codes.findIndex((code) => carries(shipment, code))].at);
            fields.list(
              'lines',
              taken.map((entry) => entry.item),
            );
            const received = taken.map(({ lotCode, quantity }) => ({ lotCode, quantity }));
            action = { type: 'receive', shipmentId: shipment.id, partial: true, lines: received };
            // a receipt refused already (a foreign identifier, a unit) takes nothing
            if (!refused && receiptsTakeLines) shipmentsToParty = takeLines(shipmentsToParty, shipment, received);
          } else {
            action = sighting(items, codes);
          }
        } else if (type === 'inspect' && inspectionOf(event)) {
          // a test with its result: the native inspect rule (a lab or regulator may test any party's lot)
          const { inspection, at } = inspectionOf(event) as EpcisInspection;
          fields.member('inspection', at);
          action = { type: 'inspect', lotCodes: sighting(items).lotCodes, inspection };
        } else {
          // an identifier only an earlier event of the document named may not be there: that event
          // may have been rejected (proceed), and the writer, which knows, passes it over then
          action = disassociates ? { ...sighting(items, items.map(codeOf)), ifExisting: true } : sighting(items);
        }
      }
    }
    fields.list('creates', createdItems);
    const storedEvent: EpcisEvent = { ...event, eventID: eventId, ...(encodings.length > 0 ? { [TAG_ENCODINGS_FIELD]: encodings } : {}) };
    delete storedEvent.errorDeclaration;
    const usedContext = eventContext(context, event);
    return {
      actor: party,
      action,
      recordType: type,
      id,
      places: 'uris',
      claims: claimsOf(event, type, deps.publicBaseUrl),
      creates,
      namedAs: namedAs(items, lotOf, encodings),
      ...(refused ? { refused } : {}),
      sentAt: fields.sentAt,
      context: {
        eventTime: String(event.eventTime),
        eventTimeZoneOffset: offsetOf(event),
        bizStep: event.bizStep ? shortVocabulary('bizStep', String(event.bizStep)) : 'other',
        disposition: event.disposition ? shortVocabulary('disposition', String(event.disposition)) : undefined,
        readPoint: idOf(event.readPoint) ?? undefined,
        bizLocation: idOf(event.bizLocation) ?? undefined,
        referenceDocuments: referenceDocumentsOf(event),
      },
      captured: {
        payload: { epcis: storedEvent, ...(usedContext ? { context: usedContext } : {}) },
        epcisType: String(event.type),
        transformationId: (event.transformationID as string | undefined) ?? null,
        edges,
        readingTimes: sensorTimesOf(event),
        links: items.map((item) => ({
          lotCode: lotOf.get(item.id) as string,
          role: item.role,
          quantity: item.quantity,
          namedAsInstance: !item.isClass,
        })),
      },
    } satisfies WriteRequest;

    function outputSpec(item: Named): LotSpec {
      created.add(item.id);
      return specOf(item);
    }
  });
}

/**
 * What an EPCIS receipt books in of the shipment, as the RFID door does: only what it names. A lot
 * the shipment carries loose (or a container shipped itself) is received at the quantity the event
 * gives it by class, else at the quantity shipped; each naming is a line (a lot named twice is
 * refused, as natively). A lot that travels only packed brings in the outermost container it came
 * in (as at an entry gate), whole, once for all the event names of it: the rule takes a container
 * with its contents. Each line keeps the object naming it, for refusals to point at.
 */
function receivedLines(shipment: OpenShipment, items: Named[], codes: string[]): { lotCode: string; quantity: number; item: Named }[] {
  const loose = (code: string) => shipment.lines.find((line) => line.lotCode === code && line.containerCode === null);
  const taken: { lotCode: string; quantity: number; item: Named }[] = [];
  for (const [index, item] of items.entries()) {
    const line = loose(codes[index]);
    if (line) taken.push({ lotCode: line.lotCode, quantity: item.isClass && item.quantity !== null ? item.quantity : line.quantity, item });
  }
  // up through nested containers (a case on a pallet), bounded should the lines ever loop
  const outermost = (line: OpenShipment['lines'][number]) => {
    let at: OpenShipment['lines'][number] | undefined = line;
    for (let depth = 0; at?.containerCode && depth < shipment.lines.length; depth++) {
      const container: string = at.containerCode;
      at = shipment.lines.find((candidate) => candidate.lotCode === container);
    }
    return at?.containerCode === null ? at : undefined;
  };
  for (const [index, item] of items.entries()) {
    if (loose(codes[index])) continue;
    for (const packed of shipment.lines.filter((line) => line.lotCode === codes[index])) {
      const container = outermost(packed);
      if (container && !taken.some((entry) => entry.lotCode === container.lotCode)) {
        taken.push({ lotCode: container.lotCode, quantity: container.quantity, item });
      }
    }
  }
  return taken;
}

/**
 * The open shipments as they stand once a receipt took `received` of `shipment` (each a line shipped
 * loose, or the container it travels in), as the receive rule books it in: those lines and what
 * travels packed in them are no longer waiting, and a shipment with none waiting is received, no
 * longer open (as openShipmentsTo reads them after the receipt is stored).
 */
function takeLines(shipments: OpenShipment[], shipment: OpenShipment, received: { lotCode: string }[]): OpenShipment[] {
  const taken = new Set<OpenShipment['lines'][number]>();
  const take = (containerCode: string | null, lotCode?: string) => {
    for (const line of shipment.lines) {
      if (line.containerCode !== containerCode || (lotCode !== undefined && line.lotCode !== lotCode) || taken.has(line)) continue;
      taken.add(line);
      take(line.lotCode);
    }
  };
  for (const { lotCode } of received) take(null, lotCode);
  const waiting = shipment.lines.filter((line) => !taken.has(line));
  return shipments.flatMap((candidate) =>
    candidate !== shipment ? [candidate] : waiting.length > 0 ? [{ ...candidate, lines: waiting }] : [],
  );
}

/**
 * Each lot the event names → the identifier it first names it by, as the client wrote it (a tag or
 * raw URI too, not the pure identity it is stored as), for refusals to name it so.
 */
function namedAs(items: Named[], lotOf: ReadonlyMap<string, string>, encodings: TagEncoding[]): Map<string, string> {
  const named = new Map<string, string>();
  for (const item of items) {
    const lotCode = lotOf.get(item.id) as string;
    if (!named.has(lotCode)) named.set(lotCode, encodings.find((encoding) => encoding.epc === item.written)?.written ?? item.written);
  }
  return named;
}

/**
 * Of the identifiers (canonical, as parsed and found in the same order), those naming a lot that
 * they do not name to the party (see identifierNamesLotTo): another party's captured URIs.
 */
async function identifiersNamingNoLotTo(
  tx: Db,
  deps: Pick<CaptureDeps, 'lots'>,
  party: string,
  ids: string[],
  identifiers: Identifier[],
  referents: Awaited<ReturnType<IdentifierService['findMany']>>,
): Promise<Set<string>> {
  const privately = ids.flatMap((id, index) => {
    const referent = referents[index];
    return referent && 'lotCode' in referent && !identifierNamesLotOpenly(identifiers[index].kind)
      ? [{ id, kind: identifiers[index].kind, lotCode: referent.lotCode }]
      : [];
  });
  const involved = await deps.lots.involvedPartiesOf([...new Set(privately.map((entry) => entry.lotCode))], tx);
  return new Set(
    privately.flatMap(({ id, kind, lotCode }) => (identifierNamesLotTo(party, kind, involved.get(lotCode) ?? new Set()) ? [] : [id])),
  );
}

/** An identifier as the resolver reads it; one it cannot parse names nothing known (it becomes a new lot). */
function parsed(deps: Pick<CaptureDeps, 'identifiers'>, id: string): Identifier {
  try {
    return deps.identifiers.parse(id);
  } catch (error) {
    if (error instanceof Problem) return { kind: 'uri', uri: id };
    throw error;
  }
}

/** The party a shipment goes to, when the event names it as owning party by this service's party URI, and where it names it. */
function destinationOf(event: EpcisEvent, publicBaseUrl: string): { partyCode: string; at: Pointer } | null {
  const destinations = Array.isArray(event.destinationList) ? (event.destinationList as { type?: string; destination?: string }[]) : [];
  const prefix = `${publicBaseUrl}/parties/`;
  const index = destinations.findIndex((entry) => /owning_party$/.test(String(entry.type)) && entry.destination?.startsWith(prefix));
  if (index < 0) return null;
  return { partyCode: (destinations[index].destination as string).slice(prefix.length), at: ['destinationList', index, 'destination'] };
}
