// The one writer of events. The native API, EPCIS capture and (later) RFID observations hand it
// requests; it loads what they name in a constant number of queries, checks each event's rules
// against an in-memory view of that world (so each event sees what the ones before it did),
// and stores every accepted event, with its entry in its party's audit chain, in one statement —
// all in the caller's transaction.
import { randomUUID } from 'node:crypto';
import { requireEventSite, requireOwnMasterData, requireOwnSide } from '../../access/index.js';
import { appendToChains, type ChainHead, eventPayloadHash } from '../../audit/chain.js';
import { labelRefusals, makingOf } from '../../brands/standing.js';
import { chinaDay } from '../../codes/timestamp.js';
import type { Db } from '../../db/client.js';
import { mapPausing, pauses } from '../../db/turns.js';
import { bodyField, conflict, Problem, unprocessable, withBodyFieldsMoved } from '../../errors/problem.js';
import { correctiveEventIdsOf, epcisEventId, eventIdOfKey, partyEventKeys } from '../../gs1/event-id.js';
import { circulationProblem, roundQuantity } from '../../lots/ledger.js';
import type { LotsRepository } from '../../lots/repository.js';
import type { EventType, EventView } from '../schemas.js';
import { timeZoneOffsetOf } from '../time.js';
import { EventDraft, type EventRecord, type Pointer } from './draft.js';
import {
  type Batch,
  type EventWriterRepository,
  type HoldingAt,
  type LabelledBrandStanding,
  LOCK_ROUNDS,
  type LockRounds,
} from './repository.js';
import { packingStop } from './rules/aggregate.js';
import { requireBeginningBeforeUse } from './rules/chronology.js';
import { actionAsFound, applyRules, type EventAction, lotsTakenBy, referencesOf } from './rules/index.js';
import { linesBookedIn, lotsBookedIn } from './rules/receive.js';
import {
  gtinOfIdentifier,
  isSerialIdentifier,
  itemCodes,
  judgedBeforeApplied,
  judgedOnceApplied,
  type LotSpec,
  Scope,
  voidsCodes,
} from './scope.js';
import { type Content, type LotView, makes, placeOf, usesLink, WorldState } from './state.js';

/**
 * About as many objects (an event and the lots it names) as one statement stores. A large batch
 * is stored in parts, each part's statement running while the next part's events are checked:
 * the driver builds and sends a statement without letting anything else run, and one statement
 * for 140,000 EPCs held the event loop for seconds.
 */
const OBJECTS_PER_STATEMENT = 5_000;

/**
 * The fewest objects a part is stored with while the database has nothing else of the batch to
 * do: its statement starts once that many are checked instead of waiting for a full part (the
 * first part of a 10,000-event capture took a quarter of a second of checking before the database
 * had any work), and each next part is what was checked while the one before it was stored.
 */
const OBJECTS_TO_START = 1_000;

/** Device clocks drift: an event up to this far ahead of the server's clock is not "in the future". */
export const FUTURE_TOLERANCE_MS = 2 * 60 * 1000;

const DEFAULT_BIZ_STEP: Record<EventType, string> = {
  commission: 'commissioning',
  transform: 'commissioning',
  aggregate: 'packing',
  disaggregate: 'unpacking',
  ship: 'shipping',
  receive: 'receiving',
  inspect: 'inspecting',
  observe: 'storing',
  destroy: 'destroying',
  sell: 'retail_selling',
  correction: 'other',
  hold: 'holding',
  release: 'inspecting',
  recall: 'holding',
};

/** How each native event reads as an EPCIS 2.0 event type. */
const EPCIS_TYPE: Record<EventType, string> = {
  commission: 'ObjectEvent',
  transform: 'TransformationEvent',
  aggregate: 'AggregationEvent',
  disaggregate: 'AggregationEvent',
  ship: 'ObjectEvent',
  receive: 'ObjectEvent',
  inspect: 'ObjectEvent',
  observe: 'ObjectEvent',
  destroy: 'ObjectEvent',
  sell: 'ObjectEvent',
  correction: 'ObjectEvent',
  hold: 'ObjectEvent',
  release: 'ObjectEvent',
  recall: 'ObjectEvent',
};

/** When, where and why, as EPCIS says it. */
export type EventContext = {
  eventTime: string;
  eventTimeZoneOffset?: string;
  bizStep?: string;
  disposition?: string;
  readPoint?: string;
  bizLocation?: string;
  referenceDocuments?: { type: string; number: string }[];
};

export type WriteRequest = {
  actor: string;
  action: EventAction;
  context: EventContext;
  /** Where the event sits in the caller's request body, for error pointers. */
  pointer?: Pointer;
  /**
   * Where a field the writer names by the native event's path (`inputs/0/quantity`) was sent, when
   * the caller's body is not a native event (an EPCIS event names its own members): the pointers of
   * a problem the request meets are moved there.
   */
  sentAt?: SentAt;
  /** A given event id (EPCIS); otherwise one is made. */
  id?: string;
  /** The event type recorded, when it differs from the action's (an EPCIS inspection without a result is recorded as seen). */
  recordType?: EventType;
  /** Read point and business location: native location codes (checked), or URIs as EPCIS names them. */
  places?: 'codes' | 'uris';
  /** EPCIS: where the event names a registered site or party as the acting party's (see Claim). */
  claims?: Claim[];
  /** EPCIS: identifiers named for the first time, created for the acting party before the rules run. */
  creates?: LotSpec[];
  /** EPCIS: lot code → the identifier the event named the lot by (a GTIN and lot number, an SSCC, an EPC), for refusals. */
  namedAs?: ReadonlyMap<string, string>;
  /**
   * Native: lot code → the SSCC or PARTYCODE:LOTNUMBER the event named the lot by, for refusals: a party that may
   * not read the lot is told of it by that name, not its code (see Scope.nameAs).
   */
  lotNames?: ReadonlyMap<string, string>;
  /**
   * EPCIS: why the event is refused before its rules are read (it names an identifier that does not
   * name its lot to the acting party: see identifierNamesLotTo), in its place among the batch's events.
   */
  refused?: Problem;
  /** EPCIS: the event as captured (stored as its payload) and the edges its transformation id adds. */
  captured?: {
    payload: Record<string, unknown>;
    epcisType: string;
    transformationId: string | null;
    edges: TransformationEdge[];
    /** The times its sensor elements give, held to the clock its eventTime is. */
    readingTimes: ReadingTime[];
    /** The lots in the roles the EPCIS event names them (what EPCIS queries match on). */
    links: {
      lotCode: string;
      role: 'subject' | 'input' | 'output' | 'parent' | 'child';
      quantity: number | null;
      namedAsInstance: boolean;
    }[];
  };
  /**
   * A correction's replacement: the event it replaces, the lot codes its lots keep, and when an
   * event first used each of those (the lots made again under a code do not begin after that).
   */
  replaces?: { eventId: string; lotCodes: string[]; firstUses: ReadonlyMap<string, Date> };
};

/** A registered site or party as an EPCIS event may name it: by its code here, or by its GLN. */
export type RegisteredName = { kind: 'location' | 'party' } & ({ code: string } | { gln: string });

/**
 * Where an EPCIS event names what may be a registered site or party (`at`: as sent). `site`: a read
 * point or business location, held to the rule native events' sites are (requireEventSite); `own`:
 * the acting side of a shipment or receipt, the party itself or one of its sites; `from`: a
 * shipment's source site, held as a native `fromLocationCode` is (the shipper's); `to`: a shipment's
 * destination party or site, a site held as a native `toLocationCode` is (a party's it names there).
 * A name of nothing registered is a free URI, and stays one.
 */
export type Claim = { name: RegisteredName; rule: 'site' | 'own' | 'from' | 'to'; at: Pointer };

/**
 * A lineage edge an EPCIS transformationID adds, from an input of one of the transformation's
 * events to an output of another. `joins`: the earlier event of the same capture that named the
 * other end, which may have been rejected (proceed): the edge is added only if that event is stored
 * and not declared in error when this one is checked.
 */
export type TransformationEdge = { from: string; to: string; joins?: string };

/** Where a field the writer names at `path` lies in the body the caller sent. */
export type SentAt = (path: Pointer) => Pointer;

/** The problem as the caller's body names its fields. */
const asSent = (problem: Problem, sentAt: SentAt | undefined) => (sentAt ? withBodyFieldsMoved(problem, sentAt) : problem);

/** A time an event gives for its readings: the value, where it is and the field as a message names it. */
export type ReadingTime = { time: string; pointer: Pointer; field: string };

/** The times of an event's readings: a native observation's, and those an EPCIS event's sensor elements give. */
function readingTimesOf(request: WriteRequest): ReadingTime[] {
  const readings = request.action.type === 'observe' ? (request.action.readings ?? []) : [];
  return [
    ...readings.flatMap((reading, index) => {
      const time = (reading as { time?: unknown } | null)?.time;
      return typeof time === 'string' ? [{ time, pointer: ['readings', index, 'time'], field: `readings[${index}].time` }] : [];
    }),
    ...(request.captured?.readingTimes ?? []),
  ];
}

/** How an event took a container out of its party's hands, by the container's movement. */
const LEFT_BY: Record<string, string> = {
  ship_out: 'shipped',
  sell: 'sold',
  consume: 'used in a transformation',
  destroy: 'destroyed',
};

/**
 * Of an unpacking declared in error, the first time a container it unpacked from left its party's
 * hands (`containersLeft`, earliest first) while the lots it took out would be back in it: from the
 * unpacking's time until its replacement takes them all out of that container again, when it is an
 * unpacking of it (naming each, or none: every content), and for good otherwise. With the lots.
 */
function containerLeftWithContents(
  movements: { lotCode: string; kind: string; containerCode: string | null }[],
  containersLeft: { containerCode: string; eventId: string; kind: string; eventTime: Date; back: boolean }[],
  replacement: WriteRequest | undefined,
) {
  const action = replacement?.action;
  for (const left of containersLeft) {
    const lots = [
      ...new Set(movements.flatMap((row) => (row.kind === 'unpack' && row.containerCode === left.containerCode ? [row.lotCode] : []))),
    ];
    const takenOutAgain =
      action?.type === 'disaggregate' &&
      action.parentCode === left.containerCode &&
      (!action.children || lots.every((code) => action.children?.includes(code)));
    const until = takenOutAgain && replacement ? Date.parse(replacement.context.eventTime) : Number.POSITIVE_INFINITY;
    if (lots.length > 0 && left.eventTime.getTime() <= until) return { ...left, lots };
  }
  return undefined;
}

/** Declares an earlier event in error (natively, or an EPCIS error declaration), optionally replacing it. */
type CorrectionRequest = {
  actor: string;
  correctsEventId: string;
  eventTime: string;
  /** The correction event's id: made when not given (EPCIS names it after the event it corrects). */
  id?: string;
  payload: Record<string, unknown>;
  replacement?: WriteRequest;
  /**
   * An EPCIS error declaration says the event did not happen as recorded, not that the objects it
   * named do not exist: what it took, moved or packed is booked back, but the lots it brought
   * into being are kept.
   */
  keepsLots?: boolean;
  /** Where the fields a correction names (`correctsEventId`, `eventTime`) were sent, as for a WriteRequest. */
  sentAt?: SentAt;
};

/** A lot a corrected event created, as it stood before the correction (see the repository's lotsFacts), that the replacement makes again. */
type RemadeLot = {
  code: string;
  usedDownstream: boolean;
  productCode: string | null;
  unit: string;
  lotNumber: string | null;
  usedSince: boolean;
  inOtherHands: boolean;
};

export type WriteOutcome =
  | { ok: true; event: EventView; createdLotCodes: string[]; shipmentId: string | null }
  | { ok: false; problem: Problem };

/** A 409 for a write whose containers were packed into (or unpacked from) at every round it took them. */
const containersKeptChanging = () =>
  conflict('what is packed in the containers this names kept changing while it waited for them; send it again');

/** Thrown out of a rollback batch at its first rejected event, so the caller's transaction rolls back. */
export class BatchRejected extends Error {
  /** Every rejected event with its position; the first is `index`/`problem`. */
  readonly rejections: { index: number; problem: Problem }[];
  constructor(
    readonly index: number,
    readonly problem: Problem,
    more: { index: number; problem: Problem }[] = [],
  ) {
    super(problem.message);
    this.rejections = [{ index, problem }, ...more];
  }
}

/** The owners and holders of the lots an inspection tests: where it may have sampled them (see requireEventSite). */
function testedLotParties(scope: Scope, action: EventAction): Set<string> {
  if (action.type !== 'inspect') return new Set();
  return new Set(
    action.lotCodes.flatMap((code) => {
      const owner = scope.lot(code)?.partyCode;
      const holders = [...scope.state.holdersOf(code)].filter(([, quantity]) => quantity > 0).map(([party]) => party);
      return owner ? [owner, ...holders] : holders;
    }),
  );
}

export function createEventWriter(deps: {
  repository: EventWriterRepository;
  lots: Pick<LotsRepository, 'findBySsccs'>;
  now: () => Date;
  /** How many objects one statement stores (tests make it small to store a batch in many parts). */
  objectsPerStatement?: number;
}) {
  const { repository } = deps;
  const objectsPerStatement = deps.objectsPerStatement ?? OBJECTS_PER_STATEMENT;
  const objectsToStart = Math.min(OBJECTS_TO_START, objectsPerStatement);
  /** Ahead of the writer's clock by more than device clocks drift. */
  const inFuture = (time: Date) => time.getTime() > deps.now().getTime() + FUTURE_TOLERANCE_MS;

  /**
   * What the requests name, and the lots they draw on (which load locks): those named by code, by
   * SSCC or by a pack (named, or in a container being unpacked), and codes chosen for new lots.
   */
  async function namedBy(tx: Db, requests: WriteRequest[]) {
    const refs = requests.map((request) => ({ request, ...referencesOf(request.action) }));
    // codes a capture chose for new lots may be taken already, by an earlier part of the same
    // capture: loaded, they are used as the lots they are (not made twice), their lineage known
    const chosenCodes = [
      ...requests.flatMap((request) => (request.creates ?? []).flatMap((spec) => (spec.code ? [spec.code] : []))),
      ...refs.flatMap((ref) => ref.specs.flatMap((spec) => (spec.code ? [spec.code] : []))),
      ...requests.flatMap((request) => (request.captured?.edges ?? []).flatMap((edge) => [edge.from, edge.to])),
    ];
    const named = new Set([...refs.flatMap((ref) => ref.lots), ...chosenCodes]);
    // containers named by SSCC: only a packing names one so, as the container it packs into
    const bySscc = await deps.lots.findBySsccs([...new Set(refs.flatMap((ref) => ref.ssccs))], tx);
    for (const lot of bySscc) named.add(lot.code);
    const items = await repository.items(
      tx,
      refs.flatMap((ref) => ref.items),
      refs.flatMap((ref) => ref.unpacking),
    );
    for (const item of items) named.add(item.lotCode);
    return { refs, chosenCodes, named, items, packedInto: packedInto(refs, bySscc) };
  }

  /** The existing containers the packings among the requests pack into, by code or SSCC (those not yet made are not found). */
  function packedInto(refs: { request: WriteRequest }[], bySscc: { code: string }[]): string[] {
    const codes = refs.flatMap(({ request: { action } }) =>
      action.type === 'aggregate'
        ? [action.parent.containerCode, action.parent.newCode].filter((code): code is string => code !== undefined)
        : [],
    );
    return [...codes, ...bySscc.map((lot) => lot.code)];
  }

  /**
   * The lots locked (see the repository's lockLots), or a conflict when their containers kept being
   * packed into meanwhile. `rounds`: taken in a round that may yet be let go (see LockRounds).
   */
  async function lotsLocked(tx: Db, codes: string[], marked: string[] = [], rounds: LockRounds = 'none') {
    const locked = await repository.lockLots(tx, codes, marked, rounds);
    if (!locked) throw containersKeptChanging();
    return locked;
  }

  /**
   * The lots locked with the containers `readNow` reads (`wanted`: those of them to hold), which are
   * read before the lots are locked, to take them all in one code order, and read again once they are
   * held: the containers a container lies in, which a write this one does not wait for may change
   * meanwhile (a case gone to another party, packed onto a pallet by it, or reported onto a pallet of
   * its own by the maker that no longer holds it, the pallet then held or recalled). A container
   * newly read is not waited for while the rest are held (out of code order, a hold holding it while
   * waiting for the case inside would deadlock with this one): every lock is let go back to a
   * savepoint and all are taken afresh, the new ones named. Once held, what they read no
   * longer changes: packing a container, or one it lies in, or unpacking it, locks it. A 409 when it
   * still changed after LOCK_ROUNDS rounds. `readFrom`: the containers whose chains are read (none:
   * nothing to read again; one that lies in nothing at the first read may be packed meanwhile).
   * `marked`: lots locked with them without being read (see lockLots). `mayLetGo`: the caller may go
   * back from `tx`, a savepoint of its own, and go on (see write).
   */
  async function lockedAsRead<Read>(
    tx: Db,
    codes: string[],
    readFrom: string[],
    readNow: () => Promise<Read>,
    wanted: (read: Read) => string[],
    marked: string[] = [],
    mayLetGo = false,
  ): Promise<{ read: Read; locked: LotView[] }> {
    let read = await readNow();
    if (readFrom.length === 0) return { read, locked: await lotsLocked(tx, codes, marked, mayLetGo ? 'within' : 'none') };
    await repository.beginLockRounds(tx);
    for (let round = 1; ; round++) {
      const locked = await lotsLocked(tx, [...codes, ...wanted(read)], marked, 'these');
      const held = new Set(locked.map((lot) => lot.code));
      read = await readNow();
      if (wanted(read).every((code) => held.has(code))) return { read, locked };
      if (round === LOCK_ROUNDS) throw containersKeptChanging();
      await repository.letGoLockRounds(tx);
    }
  }

  /**
   * The lots a correction of an unpacking packs back into their container (`movements`, the
   * unpacking's: those out of a container), held to what a packing holds what it packs to (see
   * rules/aggregate.ts): none on hold (409) or recalled (422 `recalled-lot`), nor a container with such
   * a lot inside, however deeply. `view`: the lots as locked, what is packed in the containers among
   * them included.
   */
  async function requireTakenOutPackable(
    tx: Db,
    eventId: string,
    draft: EventDraft,
    movements: { lotCode: string; kind: string; containerCode: string | null }[],
    view: ReadonlyMap<string, LotView>,
  ) {
    const takenOut = movements.filter((row) => row.kind === 'unpack' && row.containerCode !== null);
    if (takenOut.length === 0) return;
    const state = new WorldState();
    for (const lot of view.values()) state.addLot(lot);
    const containers = takenOut.flatMap(({ lotCode }) => (view.get(lotCode)?.kind === 'container' ? [lotCode] : []));
    for (const edge of await repository.contents(tx, containers)) {
      state.contentsOf(edge.parentCode).set(edge.childCode, contentOf(edge));
    }
    const scope = new Scope(state, draft, []);
    for (const { lotCode, containerCode } of takenOut) {
      const lot = view.get(lotCode);
      const stopped = lot && scope.circulationStop(lot, 'pack');
      if (!stopped) continue;
      throw circulationProblem(
        {
          by: stopped.refusal.by,
          detail: `cannot correct ${eventId}: what the unpacking took out would be packed back into container ${containerCode}, and ${stopped.refusal.detail}`,
        },
        [bodyField(['correctsEventId'], `took out ${lotCode}, ${stopped.reason}`)],
      );
    }
  }

  /**
   * For a caller that reads what containers hold before it writes (a recall opening stages its scope
   * from what is packed in its roots): `read` names the lots its write will name (`codes`) and mark
   * (`marked`), which are then locked as that write locks them (the actor's audit chain first, then
   * the open shipments carrying the lots named, then the lots with everything packed in the
   * containers among them, in code order). Once they are held, `read` says whether what it read still
   * stands (`unchanged`): a write it waited for (a packing, an unpacking, a transformation) may have
   * changed it. If not, it reads again, holding what it locked, and takes in addition those of the
   * lots it now marks and does not hold yet that no other transaction holds, without waiting: a write
   * that queued behind one it holds is not let in between. It never waits for a lot while holding
   * others taken before it: out of code order, a writer holding that lot while it waits for one held
   * here deadlocked with it. When another transaction holds one of them (or it names a new lot, whose
   * shipments come before every lot), every lock taken after the audit chain is let go, back to a
   * savepoint (which undoes what `read` wrote too), and all it has named and marked is taken afresh as
   * in the first round, waiting, then read again: a write that held one of them goes first. A lot
   * named before it existed (a root made meanwhile) is named anew once it does: taken after the rest,
   * by the write, it was locked out of code order. What is
   * read last is what is written; a lot read before and no longer named stays locked to the end of
   * the transaction, unmarked. `rounds` reads at most, then a 409 (`keptChanging`, the caller's words
   * for what kept changing, given how many rounds it took), and one more after a last round that took
   * everything afresh: holding all it named, that read is stored if it finds nothing new to take.
   */
  async function readLocked<T>(
    tx: Db,
    actor: string,
    read: (tx: Db) => Promise<{ codes: string[]; marked: string[]; value: T; unchanged: () => Promise<boolean> }>,
    keptChanging: (rounds: number) => Problem = containersKeptChanging,
    rounds: number = LOCK_ROUNDS,
  ): Promise<T> {
    await repository.lockAuditHeads(tx, [actor]);
    await repository.beginLockRounds(tx);
    const heldNamed = new Set<string>();
    const heldMarked = new Set<string>();
    // the named lots locked: one named before it existed is not, and is taken as newly named once it does
    let lockedNamed = new Set<string>();
    // the open shipments carrying the lots named before them, as the write locks them: taken after,
    // a receipt holding one while waiting for a lot locked here deadlocked with it
    const lockInOrder = async () => {
      if (heldNamed.size > 0) await repository.lockShipments(tx, [], [...heldNamed]);
      const locked = await lotsLocked(tx, [...heldNamed], [...heldMarked], 'within');
      lockedNamed = new Set(locked.map((lot) => lot.code).filter((code) => heldNamed.has(code)));
    };
    // a read after the last round's start afresh, which may find nothing left to take
    for (let round = 1; round <= rounds + 1; round++) {
      const { codes, marked, value, unchanged } = await read(tx);
      const unlocked = [...new Set(codes)].filter((code) => !lockedNamed.has(code));
      const more = [...new Set(marked)].filter((code) => !lockedNamed.has(code) && !heldMarked.has(code));
      const holdsNone = heldNamed.size === 0 && heldMarked.size === 0;
      for (const code of unlocked) heldNamed.add(code);
      for (const code of more) heldMarked.add(code);
      if (holdsNone) await lockInOrder();
      else if (
        (unlocked.length > 0 && (await repository.lots(tx, unlocked)).length > 0) ||
        (await repository.lockFreeLots(tx, more)).length < more.length
      ) {
        if (round > rounds) break;
        await repository.letGoLockRounds(tx);
        await lockInOrder();
        continue;
      }
      if (await unchanged()) return value;
      if (round >= rounds) break;
    }
    throw keptChanging(rounds);
  }

  /**
   * The audit chains of parties a caller writes for in several calls in one transaction (a gate's read
   * points tried one by one), taken up front as one write takes them: else a later call takes its chain
   * after the lots the calls before it hold, and deadlocks with a writer holding that chain waiting for one.
   */
  async function lockChains(tx: Db, actors: string[]) {
    await repository.lockAuditHeads(tx, actors);
  }

  /**
   * For a caller that writes in several calls in one transaction (an EPCIS capture's parts, and the
   * declarations of error between them): takes up front everything those calls lock, in the order one
   * write takes it — the acting parties' audit chains, then in one statement the shipments the requests
   * receive, those the corrected events opened or closed and the open ones carrying any lot they name,
   * then all those lots (with what is packed in the containers among them) in code order — so that no
   * call waits for a shipment while holding the lots of one before it: a receipt or a recall opening
   * taking both the other way round would deadlock with it. The calls then find them held. `corrected`:
   * events stored before that the caller declares in error, each by the forms its id may be stored in.
   */
  async function lockAhead(tx: Db, requests: WriteRequest[], corrected: { actor: string; ids: string[] }[] = []) {
    if (requests.length === 0 && corrected.length === 0) return;
    await repository.lockAuditHeads(tx, [...requests.map((request) => request.actor), ...corrected.map(({ actor }) => actor)]);
    const { refs, named, packedInto } = await namedBy(tx, requests);
    const reach = await repository.eventsReach(tx, corrected);
    const read = new WorldState();
    const received = [...refs.flatMap((ref) => ref.shipments), ...reach.shipmentIds];
    for (const shipment of await repository.shipments(tx, received, [...named, ...reach.lotCodes]))
      read.shipments.set(shipment.id, shipment);
    const codes = [...named, ...lotsReceivedBy(refs, read), ...reach.lotCodes];
    // the containers a hold's lots, an unpacked container and a packing's container lie in, as load
    // locks them, and those a declared event packed into or unpacked from lie in, as its correction locks them
    const above = refs.flatMap(({ request: { action }, lots }) =>
      action.type === 'hold' ? lots : action.type === 'disaggregate' ? [action.parentCode] : [],
    );
    // read again once locked, as load and the correction read them (see lockedAsRead)
    const readFrom = [...above, ...packedInto, ...reach.containers];
    await lockedAsRead(tx, codes, readFrom, containersAboveOf(tx, readFrom), (parents) => parents);
  }

  /** A read of the containers these lots and containers lie in, at any level, as they stand when it is made. */
  function containersAboveOf(tx: Db, codes: string[]) {
    return async () => (await repository.containersAbove(tx, codes)).map((row) => row.parentCode);
  }

  /** The lots the receipts among these requests book in (see lotsBookedIn), from their shipments as read. */
  function lotsReceivedBy(refs: { request: WriteRequest }[], state: WorldState): string[] {
    return refs.flatMap(({ request: { action } }) => {
      const shipment = action.type === 'receive' ? state.shipments.get(action.shipmentId) : undefined;
      return shipment && action.type === 'receive' ? lotsBookedIn(shipment, action) : [];
    });
  }

  /** Everything the requests name, read once (in a fixed number of queries) into a world state. */
  async function load(tx: Db, requests: WriteRequest[], mayLetGo: boolean): Promise<WorldState> {
    const { refs, chosenCodes, named, items, packedInto } = await namedBy(tx, requests);
    const state = new WorldState();
    for (const request of requests) for (const [code, at] of request.replaces?.firstUses ?? []) state.firstUseOfReplaced.set(code, at);
    // packs named (or in containers being unpacked): their lots are drawn on too
    for (const item of items) state.items.set(item.code, { lotCode: item.lotCode, containerCode: item.containerCode });

    const received = new Set(refs.flatMap((ref) => ref.shipments));
    const shipments = await repository.shipments(tx, [...received], [...named]);
    for (const shipment of shipments) state.shipments.set(shipment.id, shipment);
    // a receipt books in and restates the lots of the lines it takes: locked with the rest (the shipment
    // is already, and the open ones carrying them), or a recall or another party's event on one of them,
    // stored meanwhile, was written over
    for (const code of lotsReceivedBy(refs, state)) named.add(code);
    // a hold also stops the containers its lots lie in, which an event moving one of them locks
    // without the lots inside: the hold locks them too (in the same sorted statement), so such an
    // event waits for it and then finds the lot inside on hold
    const held = refs.flatMap((ref) => (ref.request.action.type === 'hold' ? ref.lots : []));
    // an unpacking is checked against a hold on the containers its container lies in, locked as a hold locks them;
    // a packing against a hold or a recall on the containers the container it packs into lies in, locked as a
    // hold or a recall opening marking them locks them (a recall reaching a pallet marks it, not every case on it).
    // All are read again once the lots are held (see lockedAsRead): what a case lies in may change meanwhile
    // by a write that does not wait for this one (its maker, which no longer holds it, reporting it on a pallet)
    const unpacked = refs.flatMap((ref) => (ref.request.action.type === 'disaggregate' ? [ref.request.action.parentCode] : []));
    const readFrom = [...held, ...unpacked, ...packedInto];
    // a recall opening marks its scope without loading it: locked with the rest, never after them
    const marked = requests.flatMap(({ action }) => (action.type === 'recall' && action.phase === 'open' ? action.lotCodes : []));
    const { locked } = await lockedAsRead(
      tx,
      [...named],
      readFrom,
      containersAboveOf(tx, readFrom),
      (parents) => parents,
      marked,
      mayLetGo,
    );
    const containers = locked.filter((lot) => lot.kind === 'container').map((lot) => lot.code);
    const contents = await repository.contents(tx, containers);
    for (const edge of contents) {
      state.contentsOf(edge.parentCode).set(edge.childCode, contentOf(edge));
    }
    const lockedCodes = new Set(locked.map((lot) => lot.code));
    const others = new Set([...contents.map((edge) => edge.childCode), ...shipments.flatMap((s) => s.lines.map((line) => line.lotCode))]);
    const more = await repository.lots(
      tx,
      [...others].filter((code) => !lockedCodes.has(code)),
    );
    for (const lot of [...locked, ...more]) state.addLot(lot);
    for (const lot of state.lots.values()) if (lot.kind === 'container') state.contentsOf(lot.code);
    for (const [container, children] of state.contents) {
      for (const child of children.keys()) if (state.lots.get(child)?.kind === 'container') state.containerOf.set(child, container);
    }
    // what the containers held at each event's time and no longer hold (see Scope.takeContents): the
    // unpackings since the batch's earliest event
    let earliest = Number.POSITIVE_INFINITY;
    for (const request of requests) {
      const time = Date.parse(request.context.eventTime);
      if (time < earliest) earliest = time;
    }
    if (state.contents.size > 0 && Number.isFinite(earliest)) {
      const loaded = [...state.contents.keys()];
      for (const { containerCode, packedAt, unpackedAt, ...unpacked } of await repository.unpackingsSince(tx, loaded, new Date(earliest))) {
        state.addUnpacking(containerCode, { ...unpacked, packedAt: new Date(packedAt), unpackedAt: new Date(unpackedAt) });
      }
    }
    const specs = refs.flatMap((ref) =>
      [...ref.specs, ...(ref.request.creates ?? [])].map((spec) => ({
        spec,
        actor: ref.request.actor,
        replaces: Boolean(ref.request.replaces),
      })),
    );
    const claimed = requests.flatMap((request) => (request.claims ?? []).map((claim) => claim.name));
    const codesClaimed = (kind: RegisteredName['kind']) =>
      claimed.flatMap((name) => (name.kind === kind && 'code' in name ? [name.code] : []));
    const glnsClaimed = (kind: RegisteredName['kind']) =>
      claimed.flatMap((name) => (name.kind === kind && 'gln' in name ? [name.gln] : []));
    const { ledgers, references, holdings } = await repository.ledgersAndReferences(
      tx,
      [...state.lots.keys()],
      {
        parties: [
          ...new Set([...requests.map((request) => request.actor), ...refs.flatMap((ref) => ref.parties), ...codesClaimed('party')]),
        ],
        partyGlns: [...new Set(glnsClaimed('party'))],
        locationGlns: [...new Set(glnsClaimed('location'))],
        locations: [
          ...new Set([
            ...refs.flatMap((ref) => [
              ...ref.locations,
              ...(ref.request.places === 'uris'
                ? []
                : [ref.request.context.readPoint, ref.request.context.bizLocation].filter((c): c is string => Boolean(c))),
            ]),
            ...codesClaimed('location'),
          ]),
        ],
        products: [...new Set(specs.flatMap(({ spec }) => (spec.productCode ? [spec.productCode] : [])))],
        lotNumbers: specs.flatMap(({ spec, actor }) =>
          [spec.lotNumber, spec.classLotNumber].flatMap((lotNumber) => (lotNumber ? [{ partyCode: actor, lotNumber }] : [])),
        ),
        earTags: specs.flatMap(({ spec }) => (spec.attributes?.earTags as string[] | undefined) ?? []),
        gtins: [...new Set(specs.flatMap(({ spec }) => gtinOfIdentifier(spec.epc) ?? []))],
        // a serial labels a pack; a lot a replacement makes again may have coded packs already
        labelledProducts: [
          ...new Map(
            specs.flatMap(({ spec, actor, replaces }) =>
              spec.productCode && (isSerialIdentifier(spec.epc) || replaces)
                ? [[`${actor}|${spec.productCode}`, { partyCode: actor, productCode: spec.productCode }] as const]
                : [],
            ),
          ).values(),
        ],
        replacedLots: requests.flatMap((request) => request.replaces?.lotCodes ?? []),
      },
      holdingsJudged(state, requests),
    );
    addLedgers(state, ledgers);
    for (const { time, ...held } of holdings)
      state.watchHoldings(held.lotCode, held.partyCode, [{ at: time, ...held }], held.containerCode);
    for (const { gln, ...party } of references.parties) {
      state.parties.set(party.code, party);
      if (gln) state.partyGlns.set(gln, party.code);
    }
    for (const { gln, ...location } of references.locations) {
      state.locations.set(location.code, location);
      if (gln) state.locationGlns.set(gln, location.code);
    }
    for (const product of references.products) state.products.set(product.code, product);
    for (const { gtin, partyCode } of references.gtinOwners) if (partyCode) state.gtinOwners.set(gtin, partyCode);
    const standings = new Map<string, LabelledBrandStanding[]>();
    for (const standing of references.brandStandings) {
      const key = `${standing.partyCode}|${standing.productCode}`;
      standings.set(key, [...(standings.get(key) ?? []), standing]);
    }
    // judged as of now; a lot this write makes is recorded at its record time, taken just after
    const now = deps.now();
    for (const [key, brands] of standings) {
      state.labelRefusals.set(key, (lot) =>
        labelRefusals(brands, makingOf({ productionDate: lot.productionDate, createdAt: lot.recordedAt ?? now }), chinaDay(now)),
      );
    }
    for (const { code, ...lot } of references.replacedLots) state.replacedLots.set(code, lot);
    for (const key of references.takenLotNumbers) state.takenLotNumbers.add(key);
    for (const tag of references.takenEarTags) state.takenEarTags.add(tag);
    const outputs = [
      ...requests.flatMap((request) =>
        request.action.type === 'transform'
          ? request.action.outputs.flatMap((output) => ('lotCode' in output ? [output.lotCode] : []))
          : [],
      ),
      ...chosenCodes,
    ];
    const joined = requests.flatMap((request) => (request.captured?.edges ?? []).flatMap((edge) => (edge.joins ? [edge.joins] : [])));
    for (const id of await repository.liveEvents(tx, [...new Set(joined)])) state.liveEvents.add(id);
    const existingOutputs = [...new Set(outputs)].filter((code) => state.lots.has(code));
    for (const [code, downstream] of await repository.downstreamOf(tx, existingOutputs)) state.downstreamOf.set(code, downstream);
    return state;
  }

  /**
   * The holdings the batch is judged by, each watched (see WorldState.watchHoldings), for the
   * ledgers' statement to read: what the party of each observation and inspection held of the lots
   * it names (loose and packed together) at the times it is judged at (see the observe rule), as it
   * observes or inspects only what it owns or held then; and what the party of each event taking
   * lots (see lotsTakenBy) held of each loose, and of each lot packed in the containers it takes
   * (stored, or packed by the batch) in the container it lies in, and of what each unpacking takes
   * out of its container there, at the event's time, as it takes only what it held there then too
   * (see heldThenProblem, Scope.requirePackedHeldThen and Scope.unpackedLater).
   * And, after the first time a party takes a lot from a place, what it held there at the later times
   * the batch may move the lot there for it at besides (its receipts of the lot, its packings and
   * unpackings of it, its takes of containers the lot lies or is packed in), so that the least it
   * holds there from each time on is exact (see WorldState.leastOnward).
   */
  function holdingsJudged(state: WorldState, requests: WriteRequest[]): HoldingAt[] {
    type Place = { lotCode: string; containerCode: string | null };
    const judged = new Map<string, HoldingAt>();
    const judge = (at: HoldingAt) => {
      const key = `${at.lotCode}|${at.partyCode}|${placeOf(at.containerCode)}|${at.time.getTime()}`;
      if (judged.has(key)) return;
      judged.set(key, at);
      // none held until the statement says otherwise: a lot the party never moved (one this batch makes, say)
      const none = { least: 0, from: at.time };
      state.watchHoldings(at.lotCode, at.partyCode, [{ at: at.time, before: 0, arriving: 0, through: 0, window: none }], at.containerCode);
    };
    // `${lot}|${party}|${place}` → the earliest time the party takes the lot from there
    const firstTaken = new Map<string, number>();
    const takenKey = (place: Place, partyCode: string) => `${place.lotCode}|${partyCode}|${placeOf(place.containerCode)}`;
    const timed = requests.flatMap((request) => {
      const eventTime = new Date(request.context.eventTime);
      return Number.isNaN(eventTime.getTime()) ? [] : [{ request, eventTime }];
    });
    const parentOf = (action: Extract<EventAction, { type: 'aggregate' }>) =>
      action.parent.containerCode ?? action.parent.newCode ?? (action.parent.sscc && state.lots.withSscc(action.parent.sscc)?.code);
    // what the batch packs into each container, which goes with it
    const packedBy = new Map<string, string[]>();
    for (const { action } of requests) {
      if (action.type !== 'aggregate') continue;
      const parent = parentOf(action);
      if (parent) packedBy.set(parent, [...(packedBy.get(parent) ?? []), ...lotsTakenBy(action, state.items)]);
    }
    const childrenOf = (containerCode: string) => [
      ...(state.contents.get(containerCode)?.keys() ?? []),
      ...(packedBy.get(containerCode) ?? []),
    ];
    // each lot or container packed in a container, at every level, with the container it lies in
    const inside = (containerCode: string, found = new Map<string, Place>()): Place[] => {
      for (const child of childrenOf(containerCode)) {
        const key = `${child}|${containerCode}`;
        if (found.has(key)) continue;
        found.set(key, { lotCode: child, containerCode });
        inside(child, found);
      }
      return [...found.values()];
    };
    const loose = (codes: string[]): Place[] => codes.map((lotCode) => ({ lotCode, containerCode: null }));
    // the lots an event takes loose, and those packed in the containers it takes (see Scope.requirePackedHeldThen);
    // those an unpacking takes out of its container (see Scope.unpackedLater)
    const takenWithContents = (action: EventAction): Place[] => {
      if (action.type === 'disaggregate') {
        return (action.children ?? childrenOf(action.parentCode)).map((lotCode) => ({ lotCode, containerCode: action.parentCode }));
      }
      const taken = lotsTakenBy(action, state.items);
      const packed = taken.flatMap((code) => (state.contents.has(code) || packedBy.has(code) ? inside(code) : []));
      return [...loose(taken), ...packed];
    };
    for (const { request, eventTime } of timed) {
      for (const place of takenWithContents(request.action)) {
        judge({ ...place, partyCode: request.actor, time: eventTime });
        const key = takenKey(place, request.actor);
        firstTaken.set(key, Math.min(firstTaken.get(key) ?? Number.POSITIVE_INFINITY, eventTime.getTime()));
      }
    }
    for (const { action, actor, context } of requests) {
      if (action.type !== 'observe' && action.type !== 'inspect') continue;
      const eventTime = new Date(context.eventTime);
      const times = [eventTime, ...(action.type === 'observe' && action.readsReceivedAt ? [action.readsReceivedAt] : [])];
      for (const lotCode of action.lotCodes) {
        state.watchHoldings(lotCode, actor);
        // the owner may always: its ledger is not read
        const lot = state.lots.get(lotCode);
        if (lot === undefined || lot.partyCode === actor) continue;
        for (const time of times) if (!Number.isNaN(time.getTime())) judge({ lotCode, partyCode: actor, time });
      }
    }
    if (firstTaken.size === 0) return [...judged.values()];
    // where each event may move lots for its party: what it receives, loose or packed; what it packs
    // or unpacks, out of the loose stock into the container or back; what it takes
    const movedBy = (action: EventAction): Place[] => {
      if (action.type === 'receive') {
        const shipment = state.shipments.get(action.shipmentId);
        return shipment ? linesBookedIn(shipment, action).map(({ lotCode, containerCode }) => ({ lotCode, containerCode })) : [];
      }
      if (action.type === 'aggregate') {
        const parent = parentOf(action);
        const children = lotsTakenBy(action, state.items);
        return [...loose(children), ...(parent ? children.map((lotCode) => ({ lotCode, containerCode: parent })) : [])];
      }
      if (action.type === 'disaggregate') {
        const children = action.children ?? childrenOf(action.parentCode);
        return [...loose(children), ...children.map((lotCode) => ({ lotCode, containerCode: action.parentCode }))];
      }
      return takenWithContents(action);
    };
    for (const { request, eventTime } of timed) {
      for (const place of movedBy(request.action)) {
        const first = firstTaken.get(takenKey(place, request.actor));
        if (first !== undefined && first < eventTime.getTime()) judge({ ...place, partyCode: request.actor, time: eventTime });
      }
    }
    return [...judged.values()];
  }

  function check(
    state: WorldState,
    request: WriteRequest,
    recordTime: Date,
  ): { record: EventRecord; draft: EventDraft; shipmentId: string | null } {
    if (request.refused) throw request.refused;
    const base = request.pointer ?? [];
    const eventTime = new Date(request.context.eventTime);
    if (inFuture(eventTime)) {
      throw unprocessable('future-event-time', `eventTime ${request.context.eventTime} is in the future`, [
        bodyField([...base, 'eventTime'], 'must not be in the future'),
      ]);
    }
    // a sensor reading's own time is held to the same clock and tolerance as the event's
    for (const { time, pointer, field } of readingTimesOf(request)) {
      if (inFuture(new Date(time))) {
        throw unprocessable('future-reading-time', `${field} ${time} is in the future`, [
          bodyField([...base, ...pointer], 'must not be in the future'),
        ]);
      }
    }
    // a recall needs its level, scope, holders and due times, which only a recall records
    if (request.context.disposition === 'recalled' && request.action.type !== 'recall') {
      throw unprocessable(
        'recall-through-recalls',
        'lots are recalled by opening a recall: POST /recalls with lotCodes, level, reason and hazard records its scope, holders and due times and marks every affected lot recalled',
        [bodyField([...base, 'disposition'], 'recalled is set by POST /recalls only')],
      );
    }
    const draft = new EventDraft(request.id ?? randomUUID(), request.actor);
    const scope = new Scope(state, draft, base, request.namedAs, chinaDay(eventTime));
    for (const [code, name] of request.lotNames ?? []) scope.nameAs(code, name);
    const actor = { code: request.actor, kind: scope.state.parties.get(request.actor)?.kind };
    const tested = testedLotParties(scope, request.action);
    if (request.places !== 'uris') {
      for (const field of ['readPoint', 'bizLocation'] as const) {
        const code = request.context[field];
        if (code) requireEventSite(actor, scope.requireLocation(code, scope.at(field)), tested, scope.at(field));
      }
    }
    // an EPCIS event's sites and sides, where they name a registered site or party (else free URIs)
    const addressees: string[] = [];
    const addressedSites: { code: string; partyCode: string; at: Pointer }[] = [];
    for (const { name, rule, at } of request.claims ?? []) {
      const code = 'code' in name ? name.code : (name.kind === 'location' ? state.locationGlns : state.partyGlns).get(name.gln);
      if (name.kind === 'party') {
        if (!code || !state.parties.has(code)) continue;
        if (rule === 'to') addressees.push(code);
        else requireOwnSide(actor.code, code, scope.at(...at));
        continue;
      }
      const location = code ? state.locations.get(code) : undefined;
      if (!location) continue;
      if (rule === 'site') requireEventSite(actor, location, tested, scope.at(...at));
      // as the native ship rule holds fromLocationCode and toLocationCode (scope.requireLocation)
      else if (rule === 'from') scope.requireLocation(location.code, scope.at(...at), actor.code);
      else if (rule === 'to') addressedSites.push({ ...location, at });
      else requireOwnMasterData(actor.code, 'location', location, scope.at(...at));
    }
    // a destination site is one of an addressee the shipment names, where it names one registered
    for (const site of addressees.length ? addressedSites : []) {
      if (!addressees.includes(site.partyCode)) scope.requireLocation(site.code, scope.at(...site.at), addressees[0]);
    }
    // judged before its identifiers are created: those of a sighting would otherwise be found there
    const action = actionAsFound(scope, request.action);
    // an identifier several events name is created by the first of them that is accepted (and
    // once, however often its event names it); a problem names its first place in `creates`
    const chosen = new Set<string>();
    const creates = (request.creates ?? []).flatMap((spec, index) => {
      if (spec.code && (chosen.has(spec.code) || scope.lot(spec.code))) return [];
      if (spec.code) chosen.add(spec.code);
      return [{ spec, index }];
    });
    if (creates.length) {
      scope.createLots(
        creates.map(({ spec }) => spec),
        (position) => [...base, 'creates', creates[position].index],
      );
    }
    const result = applyRules(scope, action, eventTime, request.replaces?.lotCodes);
    for (const edge of request.captured?.edges ?? []) {
      if (edge.joins && !state.liveEvents.has(edge.joins)) continue;
      if (state.reaches(edge.to, edge.from)) {
        throw conflict(
          `using ${scope.identifierOfCode(edge.from)} to make ${scope.identifierOfCode(edge.to)} would create a lineage cycle`,
          [bodyField([...base, 'transformationID'], 'joins an output already upstream of an input')],
        );
      }
      const upstream = scope.lot(edge.from);
      draft.edges.push({
        upstreamCode: edge.from,
        downstreamCode: edge.to,
        kind: 'transform',
        quantity: null,
        unit: upstream?.unit ?? null,
        eventId: draft.id,
        partyCode: request.actor,
      });
    }
    if (request.captured) {
      draft.links.clear();
      // a sighting of only the lots there are links no other (see the observe action's ifExisting)
      const seesAll = request.action.type !== 'observe' || !request.action.ifExisting;
      for (const link of request.captured.links) {
        if (seesAll || scope.exists(link.lotCode)) draft.links.set(`${link.lotCode}:${link.role}`, link);
      }
    }
    const type = request.recordType ?? request.action.type;
    // held to the links as stored: those `madeAt` reads (an EPCIS commission is a sighting by its action)
    requireBeginningBeforeUse(scope, type, eventTime);
    const record: EventRecord = {
      id: draft.id,
      type,
      eventTime,
      eventTimeZoneOffset: request.context.eventTimeZoneOffset ?? timeZoneOffsetOf(request.context.eventTime),
      partyCode: request.actor,
      bizStep: request.context.bizStep ?? DEFAULT_BIZ_STEP[type],
      disposition: request.context.disposition ?? result.disposition ?? null,
      readPoint: request.context.readPoint ?? null,
      bizLocation: request.context.bizLocation ?? result.bizLocation ?? null,
      referenceDocuments: request.context.referenceDocuments ?? [],
      payload: request.captured
        ? { ...request.captured.payload, ...packsTakenOut(result.payload), ...inspectionOf(result.payload) }
        : request.replaces
          ? { ...result.payload, replacesEventId: request.replaces.eventId }
          : result.payload,
      correctsEventId: null,
      epcisType: request.captured?.epcisType ?? EPCIS_TYPE[type],
      transformationId: request.captured?.transformationId ?? null,
      correctiveEventIds: null,
      recordTime,
    };
    return { record, draft, shipmentId: result.shipmentId ?? null };
  }

  return { write, correct, readLocked, lockAhead, lockChains };

  /**
   * Checks and stores the requests inside `tx`, in order. With `rollback` the first rejected
   * event throws BatchRejected (the caller's transaction then stores nothing); with `proceed`
   * rejected events are reported and the others stored. Under `rollback` the received-by and
   * held-then rules are judged once the whole batch is applied (see judgedOnceApplied), so that the
   * order of its events does not change their verdict. Under `proceed` they judge each event as it
   * comes, in the batch's order, against what is stored and the events accepted before it (see
   * judgedBeforeApplied): an event is refused exactly when it would be had the events come one after
   * the other, whatever else the batch holds; one refused only for an event before it that is refused
   * itself is stored, and a receipt placed after an event does not count for it (a sale placed before
   * a backdated receipt covering it is refused, though `rollback` stores that batch whole).
   * `mayLetGo`: `tx` is a savepoint the caller may go back from and go on (a gate's chunk), so a
   * writer waiting for one of the lots then gets it (see the repository's lockWithContents).
   */
  async function write(
    tx: Db,
    requests: WriteRequest[],
    onError: 'rollback' | 'proceed',
    { mayLetGo = false }: { mayLetGo?: boolean } = {},
  ): Promise<WriteOutcome[]> {
    if (requests.length === 0) return [];
    // the acting parties' audit chains before any lot: every writer locks in this order, so none waits crosswise
    const heads = await repository.lockAuditHeads(
      tx,
      requests.map((request) => request.actor),
    );
    return checkAndStore(tx, requests, await load(tx, requests, mayLetGo), heads, onError);
  }

  /**
   * Checks the requests against the batch's state and stores those accepted, in parts (see write):
   * under `rollback` the received-by and held-then rules are judged once every event is applied,
   * under `proceed` each event as it comes ('in-order').
   */
  async function checkAndStore(
    tx: Db,
    requests: WriteRequest[],
    state: WorldState,
    lockedHeads: ChainHead[],
    onError: 'rollback' | 'proceed',
  ): Promise<WriteOutcome[]> {
    const judged = onError === 'proceed' ? 'in-order' : 'once-applied';
    let heads = lockedHeads;
    // after the heads' upsert: the transaction has an xid by now, which is what stream
    // subscriptions and GET /events sync pages wait on while it is in flight (see settledBefore in src/db/settled.ts)
    const recordTime = deps.now();
    let accepted: { record: EventRecord; draft: EventDraft }[] = [];
    let objects = 0;
    // the accepted events, for the received-by and held-then rules once all are applied
    const judgedLater: { index: number; eventTime: Date; draft: EventDraft }[] = [];
    // a capture job checks up to 10,000 events here: other requests go on meanwhile
    const pause = pauses();
    // the statement storing the last part, while the next part's events are checked
    let storing: Promise<void> | undefined;
    /** Whether that statement still runs. */
    let databaseBusy = false;
    const databaseDone = () => {
      databaseBusy = false;
    };
    // checking, hashing and building a statement each take tens of milliseconds for an event of 10,000 EPCs
    const store = async () => {
      await pause();
      const audit = await chained(heads, accepted);
      heads = [...new Map([...heads, ...audit.heads].map((head) => [head.chain, head])).values()];
      await pause();
      const batch = { ...batchOf(state, accepted), audit };
      state.stored();
      accepted = [];
      objects = 0;
      await pause();
      // built while the part before is stored: once that is done, the database waits for nothing but the sending
      const statement = repository.persistStatement(batch);
      await storing;
      storing = repository.persist(tx, statement);
      databaseBusy = true;
      // a failure is taken where the statement is awaited (next part, or the end)
      storing.then(databaseDone, databaseDone);
    };
    const outcomes: WriteOutcome[] = [];
    try {
      for (const [index, request] of requests.entries()) {
        await pause();
        try {
          const { record, draft, shipmentId } = check(state, request, recordTime);
          if (judged === 'in-order') {
            const refused = judgedBeforeApplied(state, record.eventTime, draft);
            if (refused) throw refused;
          } else judgedLater.push({ index, eventTime: record.eventTime, draft });
          state.apply(draft, record);
          accepted.push({ record, draft });
          objects += draft.links.size + 1;
          outcomes.push({ ok: true, event: viewOf(record, draft), createdLotCodes: draft.newLots.map((lot) => lot.code), shipmentId });
        } catch (error) {
          if (!(error instanceof Problem)) throw error;
          const problem = asSent(error, request.sentAt);
          if (onError === 'rollback') throw new BatchRejected(index, problem);
          outcomes.push({ ok: false, problem });
        }
        if (objects >= objectsPerStatement || (objects >= objectsToStart && !databaseBusy)) await store();
      }
      const refused = judgedOnceApplied(state, judgedLater);
      if (refused.length > 0) {
        const rejections = refused.map(({ index, problem }) => ({ index, problem: asSent(problem, requests[index].sentAt) }));
        throw new BatchRejected(rejections[0].index, rejections[0].problem, rejections.slice(1));
      }
      if (accepted.length > 0) await store();
    } catch (error) {
      // nothing is left running on the transaction when this throws, and a statement that failed
      // meanwhile is the cause to report, not the event checked after it
      const failed = await storing?.then(
        () => undefined,
        (statementError: unknown) => statementError,
      );
      throw failed ?? error;
    }
    await storing;
    return outcomes;
  }

  /**
   * Reverses an event the acting party recorded: its movements are booked back (nobody may be
   * left with less than nothing), the lots it made are voided unless already used downstream,
   * its edges leave every trace and its shipment is cancelled or reopened. A replacement is
   * then recorded in its place; lots it creates keep the codes of the voided ones. A problem
   * names its fields as the caller sent them.
   */
  async function correct(tx: Db, request: CorrectionRequest): Promise<{ correction: EventView; replacement: WriteOutcome | null }> {
    try {
      return await correctEvent(tx, request);
    } catch (error) {
      throw error instanceof Problem ? asSent(error, request.sentAt) : error;
    }
  }

  async function correctEvent(tx: Db, request: CorrectionRequest): Promise<{ correction: EventView; replacement: WriteOutcome | null }> {
    const eventTime = new Date(request.eventTime);
    if (inFuture(eventTime)) {
      throw unprocessable('future-event-time', `eventTime ${request.eventTime} is in the future`, [
        bodyField(['eventTime'], 'must not be in the future'),
      ]);
    }
    // the acting party's chain before reading the event: only its party corrects an event, so two
    // corrections of one event sent together wait here, and the second reads the first as made
    const heads = await repository.lockAuditHeads(tx, [request.actor]);
    // a captured event's urn:uuid in any case, under the form or the party's key it was stored under, and a native event's.
    // Only its party corrects an event, and another party's reads as an unknown id, as GET /events/{id}
    // answers it: a 403 would confirm that the id was recorded (an EPCIS event hash follows from
    // content a party may guess) and by whom
    // the lots the replacement draws on, locked with the lots booked back (and the shipments carrying
    // either before them): locked only once the reversal is stored, one another writer took meanwhile,
    // waiting for one of these, would deadlock with it
    const replacing = request.replacement ? await namedBy(tx, [request.replacement]) : undefined;
    const facts = await repository.correctionFacts(tx, request.actor, partyEventKeys(request.correctsEventId, request.actor), {
      lotCodes: [...(replacing?.named ?? [])],
      shipmentIds: replacing?.refs.flatMap((ref) => ref.shipments) ?? [],
    });
    if (!facts) {
      throw unprocessable('unknown-reference', `no event ${request.correctsEventId}`, [bodyField(['correctsEventId'], 'unknown event')]);
    }
    const { target } = facts;
    if (REGULATORY_TYPES.has(target.type)) {
      throw conflict(`a ${target.type} is not corrected: a hold is ended by a release, a recall by closing it`, [
        bodyField(['correctsEventId'], `is a ${target.type}`),
      ]);
    }
    // what a holder reported to a recall stays as reported: the recall's reports are kept as made
    // (append-only), and its progress and final report count them, so the ledger may not take them back
    if (target.recallId) {
      throw conflict(
        `event ${eventIdOfKey(target.id)} is a ${target.type === 'ship' ? 'return' : 'destruction'} reported to recall ${target.recallId}: a recall's reports are not corrected`,
        [bodyField(['correctsEventId'], 'reported to a recall')],
      );
    }
    if (target.type === 'correction') {
      throw conflict('a correction cannot itself be corrected; correct the replacement event instead', [
        bodyField(['correctsEventId'], 'is a correction'),
      ]);
    }
    if (target.correctedBy) {
      // its own type: a retried correction tells "mine landed" from any other conflict
      throw new Problem(
        409,
        'already-corrected',
        'Already corrected',
        `event ${eventIdOfKey(target.id)} was already declared in error by ${eventIdOfKey(target.correctedBy)}`,
        [bodyField(['correctsEventId'], 'already corrected')],
      );
    }
    const usedDownstream = [bodyField(['correctsEventId'], 'its effects are already used downstream')];
    const moved = [...new Set(facts.movements.map((row) => row.lotCode))];
    // with the lots the event named, whose statuses are refreshed after the reversal, and which the
    // reversal of an unpacking puts back in its container, where the replacement finds them: a lot it
    // listed but took nothing of out of it is booked back by no movement, and taken only then, out of
    // code order, while another writer held it waiting for a lot locked here, they deadlocked.
    // Reversed, a packing takes what it packed back out of its container: not out of one on hold, which
    // binds what is in it (as an unpacking is refused), nor out of the containers that one lies in, so
    // the containers are locked with the lots against a hold. Reversed, an unpacking packs what it took
    // out back into its container: not into one on hold or recalled, nor into one lying in such a
    // container, as a packing is refused (rules/aggregate.ts requirePackable), and those containers are
    // locked as a packing locks them, and read again once locked (see lockedAsRead); nor does it pack
    // back what is on hold or recalled (see requireTakenOutPackable)
    const containersOf = (kind: 'pack' | 'unpack') => [
      ...new Set(facts.movements.flatMap((row) => (row.kind === kind && row.containerCode ? [row.containerCode] : []))),
    ];
    /** Each container packed into and unpacked from with the containers it lies in, innermost first, as they stand now. */
    const chainsNow = async () => {
      const lyingIn = new Map<string, string>();
      for (const { childCode, parentCode } of await repository.containersAbove(tx, [...containersOf('pack'), ...containersOf('unpack')]))
        lyingIn.set(childCode, parentCode);
      const withContainersAbove = (code: string) => {
        const chain = [code];
        for (let parent = lyingIn.get(code); parent !== undefined && !chain.includes(parent); parent = lyingIn.get(parent))
          chain.push(parent);
        return chain;
      };
      return {
        packedInto: new Set(containersOf('pack').flatMap(withContainersAbove)),
        packedBackInto: containersOf('unpack').map(withContainersAbove),
      };
    };
    // and the lots a replacement receipt books in, which it locks (held since correctionFacts, the
    // shipment is read as it stands, not locked again: a shipment committed meanwhile would be locked
    // out of id order), with those of the lines the reversal puts back on their way
    const receiving = replacing?.refs.flatMap((ref) => ref.shipments) ?? [];
    const read = new WorldState();
    for (const shipment of await repository.heldShipments(tx, receiving)) read.shipments.set(shipment.id, shipment);
    const carried = lotsReceivedBy(replacing?.refs ?? [], read);
    // and the containers a replacement packing's container lies in, which it is checked against (see load)
    const above = (await repository.containersAbove(tx, replacing?.packedInto ?? [])).map((row) => row.parentCode);
    const {
      read: { packedInto, packedBackInto },
      locked,
    } = await lockedAsRead(
      tx,
      [...moved, ...facts.linkedLots, ...(replacing?.named ?? []), ...carried, ...facts.reopenedLots, ...above],
      [...containersOf('pack'), ...containersOf('unpack')],
      chainsNow,
      (chains) => [...chains.packedInto, ...chains.packedBackInto.flat()],
    );
    const heldContainer = locked.find((lot) => packedInto.has(lot.code) && lot.hold);
    if (heldContainer?.hold) {
      throw conflict(
        `cannot correct ${eventIdOfKey(target.id)}: container ${heldContainer.code} is on hold (${heldContainer.hold.reason}); what it packed would come out free of the hold until it is released`,
        [bodyField(['correctsEventId'], 'packed a container on hold')],
      );
    }
    const view = new Map(locked.map((lot) => [lot.code, lot]));
    requireRepackable(
      eventIdOfKey(target.id),
      packedBackInto.map((chain) => chain.flatMap((code) => view.get(code) ?? [])),
    );
    const draft = new EventDraft(request.id ?? randomUUID(), request.actor);
    await requireTakenOutPackable(tx, eventIdOfKey(target.id), draft, facts.movements, view);
    // what the lots it created or made are used and made by, read now that they are held: a write it
    // waited for (a use, a making) is seen, as a batch sees it (see the repository's LOCKED_NEWER)
    const { created, made, laterUnpacking, containersLeft } = await repository.lotsFacts(tx, target.id);
    // a lot it created that the replacement is to make again under its code is judged by what the two
    // change together, once the replacement is booked (see requireRemadeCovers): packed, shipped or used
    // since, it stays so, and only a replacement making less than was taken of it is refused
    const remade = new Set(request.replacement && !request.keepsLots ? created.map((lot) => lot.code) : []);
    const state = new WorldState();
    for (const row of await repository.balances(tx, moved))
      state.addBalance(row.lotCode, row.partyCode, row.containerCode, Number(row.quantity));
    for (const row of facts.movements) {
      if (request.keepsLots && row.kind === 'produce') continue;
      draft.move(row.lotCode, row.kind as EventDraft['movements'][number]['kind'], -row.quantity, row.containerCode, row.partyCode);
      state.addBalance(row.lotCode, row.partyCode, row.containerCode, -row.quantity);
      const left = state.balance(row.lotCode, row.partyCode, row.containerCode);
      if (left < 0 && !remade.has(row.lotCode)) {
        // what the party's own events took since: another party's are neither named nor corrected by this one
        const remedy = row.partyCode === request.actor ? '; correct those events first' : '';
        throw conflict(
          `cannot correct ${eventIdOfKey(target.id)}: ${roundQuantity(-left)} of the ${row.quantity} of lot ${row.lotCode} it booked for ${row.partyCode} have since been used by ${row.partyCode}, who holds ${roundQuantity(row.quantity + left)} of it there${remedy}`,
          usedDownstream,
        );
      }
    }
    // an unpacking declared in error puts the packings it ended back in force: not while a later
    // unpacking took the lot out of the container again (after a repacking), which would leave the
    // lot in the container that unpacking emptied of it. Undone latest first, the ledger stays true
    if (laterUnpacking) {
      const { lotCode, containerCode } = laterUnpacking;
      // another party's unpacking (the container handed on) is not named: the party may neither read nor correct it
      const own = laterUnpacking.partyCode === request.actor;
      const laterId = eventIdOfKey(laterUnpacking.eventId);
      const later = own ? `unpacking ${laterId}` : 'another party’s unpacking';
      const remedy = own ? `; declare ${laterId} in error first` : '';
      throw conflict(
        `cannot correct ${eventIdOfKey(target.id)}: ${later} took lot ${lotCode} out of container ${containerCode} again after it${remedy}`,
        [bodyField(['correctsEventId'], `a later unpacking, ${own ? laterId : 'another party’s'}, took ${lotCode} out again`)],
      );
    }
    // nor while its container left the party's hands after it (shipped, sold, used, destroyed): put
    // back from the unpacking's time until the replacement takes them out again (never, if it does
    // not), what it took out would have left in the container, which the party no longer holds, or
    // which came back with what it held having travelled with it. The event that took it goes first
    const left = containerLeftWithContents(facts.movements, containersLeft, request.replacement);
    if (left) {
      const leftId = eventIdOfKey(left.eventId);
      const came = left.back ? `; it came back since, but ${left.lots.join(', ')} would have travelled with it` : '';
      throw conflict(
        `cannot correct ${eventIdOfKey(target.id)}: it would put lot ${left.lots.join(', ')} back into container ${left.containerCode}, which ${leftId} ${LEFT_BY[left.kind] ?? 'took out of hand'} at ${left.eventTime.toISOString()}, after it${came}; correct ${leftId} first`,
        [bodyField(['correctsEventId'], `container ${left.containerCode} left by ${leftId} after it`)],
      );
    }
    if (!request.keepsLots && created.some((lot) => lot.usedDownstream && !remade.has(lot.code))) {
      throw conflict(`cannot correct ${target.id}: lots it created are already inputs or contents downstream`, usedDownstream);
    }
    // a lot it made that stays begins with its next making then: not after a use this one came before
    const voided = request.keepsLots ? [] : created.map((lot) => lot.code);
    // voided with nothing in its place, a coded lot's printed packs would scan as copies (a replacement
    // is held to making it again by its rules: see requireCodedMadeAgain)
    const coded = request.replacement ? undefined : created.find((lot) => voided.includes(lot.code) && lot.codesClaimed > 0);
    if (coded) {
      throw voidsCodes(
        coded.code,
        coded.codesClaimed,
        ['correctsEventId'],
        'declared in error with nothing in its place',
        `would void lot ${coded.code}, which has ${itemCodes(coded.codesClaimed)}`,
      );
    }
    for (const lot of made) {
      const { madeOtherwiseAt: next, firstUsedAt: used } = lot;
      if (voided.includes(lot.code) || !next || !used || target.eventTime > used || next <= used) continue;
      throw conflict(
        `cannot correct ${target.id}: lot ${lot.code} was used at ${used.toISOString()} and the next event making it is dated ${next.toISOString()}; it would come into being after it was used`,
        [bodyField(['correctsEventId'], 'made a lot that no other event made before it was used')],
      );
    }
    const shipping = facts.shipments.find((shipment) => shipment.byShipping);
    if (shipping && (shipping.status !== 'open' || shipping.partlyReceived)) {
      throw conflict(
        `cannot correct ${target.id}: shipment ${shipping.id} was already received; correct the receipt first`,
        usedDownstream,
      );
    }
    // the replacement is the declaration's corrective event (EPCIS errorDeclaration.correctiveEventIDs),
    // named by the eventID EPCIS renders it under, whichever door asked for it
    const replacementId = request.replacement ? (request.replacement.id ?? randomUUID()) : null;
    const named = Array.isArray(request.payload.correctiveEventIDs) ? request.payload.correctiveEventIDs : [];
    const payload = replacementId ? { ...request.payload, correctiveEventIDs: [...named, epcisEventId(replacementId)] } : request.payload;
    const record: EventRecord = {
      id: draft.id,
      type: 'correction',
      eventTime,
      eventTimeZoneOffset: timeZoneOffsetOf(request.eventTime),
      partyCode: request.actor,
      bizStep: DEFAULT_BIZ_STEP.correction,
      disposition: null,
      readPoint: null,
      bizLocation: null,
      referenceDocuments: [],
      payload,
      correctsEventId: target.id,
      epcisType: null,
      transformationId: null,
      correctiveEventIds: correctiveEventIdsOf(payload),
      // after the heads' upsert, as in write
      recordTime: deps.now(),
    };
    // the uses of a voided lot stay with its code, which the replacement's lots keep
    const firstUses = new Map<string, Date>();
    for (const lot of created) if (voided.includes(lot.code) && lot.firstUsedAt) firstUses.set(lot.code, lot.firstUsedAt);
    // what it brought to a party (a receipt, say), undone or dated later, is judged against what the
    // party's stored events took of the lot since, once the replacement is booked (see requireHeldSince)
    const brought = inflowsOf(facts.movements, target.eventTime);
    const heldBefore = await repository.leastHeldFrom(tx, brought);
    const events = [{ record, draft }];
    await repository.persist(tx, repository.persistStatement({ ...emptyBatch(), events, audit: await chained(heads, events) }));
    await repository.reverse(tx, {
      correctionId: draft.id,
      targetId: target.id,
      voidedLots: voided,
      cancelled: shipping ? [shipping.id] : [],
      reopened: facts.shipments.filter((shipment) => !shipment.byShipping).map((shipment) => shipment.id),
    });
    await refreshStatuses(
      tx,
      [...new Set([...moved, ...facts.linkedLots])].filter((code) => !voided.includes(code)),
    );
    const replacement =
      request.replacement && replacementId
        ? (
            await write(
              tx,
              [{ ...request.replacement, id: replacementId, replaces: { eventId: target.id, lotCodes: voided, firstUses } }],
              'rollback',
            )
          )[0]
        : null;
    if (!replacement || replacement.ok) {
      await requireHeldSince(tx, eventIdOfKey(target.id), brought, heldBefore, view, Boolean(request.replacement));
    }
    if (replacement?.ok) {
      await requireRemadeCovers(
        tx,
        eventIdOfKey(target.id),
        created.filter((lot) => remade.has(lot.code)),
        facts.movements.filter((row) => row.kind === 'produce'),
        request.replacement?.action.type,
      );
    }
    return { correction: viewOf(record, draft), replacement };
  }

  /**
   * A lot a corrected event created, made again by its replacement under its code, covers what was
   * taken of it since: what its maker packed, shipped or used, by the live events as stored (the
   * reversal and the replacement booked). Refused (409 at the replacement's quantity of the lot)
   * when a stored movement would take more than there is: a balance of the lot left below nothing
   * (loose, or in a container), or its maker left holding less than nothing at some time (what it
   * shipped before some came back), unless the replacement makes no less than the corrected event
   * did (`madeBefore`, its `produce` movements), which leaves the ledger over time as it stood. A lot
   * used since that the replacement does not make again is refused at `correctsEventId`: its uses
   * would be left with no lot. Made again, a lot used since keeps its product and unit, which every
   * use of it and every holding of it are counted in (409 at the replacement lot's `productCode`),
   * and, once any of it left its maker's hands, its lot number, printed on what others hold (409 at
   * its `lotNumber`); its dates and other fields are corrected.
   */
  async function requireRemadeCovers(
    tx: Db,
    eventId: string,
    remade: RemadeLot[],
    madeBefore: { lotCode: string; quantity: number }[],
    replacementType: string | undefined,
  ) {
    if (remade.length === 0) return;
    const codes = remade.map((lot) => lot.code);
    const lots = new Map((await repository.lots(tx, codes)).map((lot) => [lot.code, lot]));
    const balances = await repository.balances(tx, codes);
    const least = new Map(
      (await repository.leastHeldByMakers(tx, codes)).map((row) => [row.lotCode, { made: Number(row.made), taken: Number(row.taken) }]),
    );
    const list = replacementType === 'commission' ? 'lots' : replacementType === 'transform' ? 'outputs' : undefined;
    for (const [index, was] of remade.entries()) {
      const { code, usedDownstream } = was;
      const lot = lots.get(code);
      const below = balances.filter((row) => row.lotCode === code && Number(row.quantity) < 0);
      if (!lot || lot.voided) {
        if (!usedDownstream && below.length === 0) continue;
        throw conflict(
          `cannot correct ${eventId}: lot ${code} it created has since been packed, shipped or used, and the replacement does not make it again; make it again in the replacement, at its place in the list`,
          [bodyField(['correctsEventId'], 'its effects are already used downstream')],
        );
      }
      const at = (field: string, detail: string) => bodyField(list ? ['replacement', list, index, field] : ['replacement'], detail);
      if ((was.usedSince || usedDownstream) && (lot.productCode !== was.productCode || lot.unit !== was.unit)) {
        const kept = `${was.productCode ? `product ${was.productCode}` : 'no product'} in ${was.unit}`;
        const field = lot.productCode !== was.productCode ? 'productCode' : 'unit';
        throw conflict(
          `cannot correct ${eventId}: lot ${code} it created has since been packed, shipped or used, each use and holding of it counted as ${kept}; the replacement may correct its quantity, dates and other fields, not make it as ${lot.productCode ? `product ${lot.productCode}` : 'no product'} in ${lot.unit}`,
          [at(field, `${kept}: the lot was used since`)],
        );
      }
      if (was.inOtherHands && lot.lotNumber !== was.lotNumber) {
        const kept = was.lotNumber === null ? 'no lot number' : `lot number ${was.lotNumber}`;
        throw conflict(
          `cannot correct ${eventId}: some of lot ${code} it created has left its maker's hands carrying ${kept}; the replacement may not ${was.lotNumber === null ? 'give it one' : 'change it'}`,
          [at('lotNumber', `${kept}: printed on what others hold`)],
        );
      }
      const { made, taken } = least.get(code) ?? { made: lot.quantity, taken: 0 };
      // the most its maker had taken of it at one time, and what a balance below nothing says was taken there
      const used = Math.max(taken, ...below.map((row) => roundQuantity(made - Number(row.quantity))));
      const before = madeBefore.filter((row) => row.lotCode === code).reduce((sum, row) => sum + row.quantity, 0);
      if (used <= made || (below.length === 0 && made >= before)) continue;
      throw conflict(
        `cannot correct ${eventId}: ${used} ${lot.unit} of lot ${code} have since been packed, shipped or used by ${lot.partyCode}, its maker, and the replacement makes ${made}; make it again with no less than ${used} ${lot.unit}`,
        [bodyField(list ? ['replacement', list, index, 'quantity'] : ['replacement'], `at least ${used} ${lot.unit}: used since`)],
      );
    }
  }

  /**
   * What a corrected event brought to a party undone, or dated later by its replacement, leaves no
   * stored event of the party taking of the lot what it no longer held then: from the corrected
   * event's time on, the party's holding of the lot over time (the reversal and the replacement
   * booked, see the repository's leastHeldFrom) may not go below nothing, unless it already went as
   * low before (`before`, read before the reversal). Refused (409 at the replacement's eventTime, or
   * at correctsEventId when there is none) naming the lot, when it goes short and by how much.
   */
  async function requireHeldSince(
    tx: Db,
    eventId: string,
    brought: HoldingAt[],
    before: { n: number; least: string }[],
    lots: ReadonlyMap<string, LotView>,
    replaced: boolean,
  ) {
    if (brought.length === 0) return;
    const leastBefore = new Map(before.map((row) => [row.n, Number(row.least)]));
    for (const { n, least, at } of await repository.leastHeldFrom(tx, brought)) {
      const held = roundQuantity(Number(least));
      if (held >= 0 || held >= (leastBefore.get(n) ?? 0)) continue;
      const { lotCode, partyCode, containerCode, time } = brought[n - 1];
      const unit = lots.get(lotCode)?.unit ?? '';
      const short = `${roundQuantity(-held)} ${unit}`.trim();
      const when = at ?? time.toISOString();
      const where = containerCode ? `packed in container ${containerCode}` : 'loose';
      throw conflict(
        `cannot correct ${eventId}: by the events dated from ${time.toISOString()} on, ${partyCode} would hold lot ${lotCode} ${where} ${short} short at ${when}; what its events took of it then was not held; correct those events first`,
        [bodyField(replaced ? ['replacement', 'eventTime'] : ['correctsEventId'], `lot ${lotCode} ${where} ${short} short at ${when}`)],
      );
    }
  }

  /** Recomputes lots' statuses from their ledger as stored now (after a correction rewrote it). */
  async function refreshStatuses(tx: Db, codes: string[]) {
    if (codes.length === 0) return;
    const state = new WorldState();
    for (const lot of await repository.lots(tx, codes)) state.addLot(lot);
    addLedgers(state, await repository.ledgers(tx, codes));
    for (const shipment of await repository.shipments(tx, [], codes)) state.shipments.set(shipment.id, shipment);
    const statuses = [...state.lots.values()]
      .filter((lot) => !lot.voided && state.statusOf(lot.code) !== lot.status)
      .map((lot) => ({ code: lot.code, status: state.statusOf(lot.code) }));
    if (statuses.length) await repository.persist(tx, repository.persistStatement({ ...emptyBatch(), statuses }));
  }
}

/**
 * Each party a corrected event's movements brought more of a lot than they took from it at a place
 * (loose, as a receipt or an unpacking does, or packed in a container, as a packing does), with the
 * event's time: what its correction is judged on (see requireHeldSince). A making undone is judged
 * as the lots it made are.
 */
function inflowsOf(
  movements: { lotCode: string; partyCode: string; containerCode: string | null; kind: string; quantity: number }[],
  at: Date,
): HoldingAt[] {
  const net = new Map<string, { lotCode: string; partyCode: string; containerCode: string | null; quantity: number }>();
  for (const row of movements) {
    if (row.kind === 'produce') continue;
    const key = `${row.lotCode}|${row.partyCode}|${placeOf(row.containerCode)}`;
    const sum = net.get(key) ?? { lotCode: row.lotCode, partyCode: row.partyCode, containerCode: row.containerCode, quantity: 0 };
    sum.quantity += Number(row.quantity);
    net.set(key, sum);
  }
  return [...net.values()]
    .filter((row) => roundQuantity(row.quantity) > 0)
    .map(({ lotCode, partyCode, containerCode }) => ({ lotCode, partyCode, containerCode, time: at }));
}

/** A stored packing link in force as the batch's state keeps it (see WorldState.contents); a timestamp comes as a Date or a string, by driver. */
const contentOf = (edge: {
  quantity: string | null;
  unit: string | null;
  packedAt: Date | string;
  firstPackedAt: Date | string;
}): Content => ({
  quantity: edge.quantity === null ? null : Number(edge.quantity),
  unit: edge.unit,
  packedAt: new Date(edge.packedAt),
  firstPackedAt: new Date(edge.firstPackedAt),
});

function addLedgers(state: WorldState, ledgers: Awaited<ReturnType<EventWriterRepository['ledgers']>>) {
  for (const { code, balances, facts, receipts } of ledgers) {
    for (const balance of balances) state.addBalance(code, balance.partyCode, balance.containerCode, balance.quantity);
    for (const receipt of receipts) state.addReceipt(code, receipt.partyCode, receipt.at);
    state.statusFacts.set(code, facts);
  }
}
/** An inspection's kind and result, kept beside a captured EPCIS document: traces, figures and credit read them there. */
function inspectionOf(payload: Record<string, unknown>): { inspection?: unknown } {
  return payload.inspection ? { inspection: payload.inspection } : {};
}

/**
 * The serialized packs an unpacking took out and their container (its payload's itemCodes and
 * parentCode), kept beside a captured EPCIS document too: a correction, whichever door declares
 * the event in error, reads them there to put the packs back (see the writer repository's reverse).
 */
function packsTakenOut(payload: Record<string, unknown>): { parentCode?: unknown; itemCodes?: unknown } {
  return Array.isArray(payload.itemCodes) ? { parentCode: payload.parentCode, itemCodes: payload.itemCodes } : {};
}

/**
 * A correction of an unpacking packs what it took out back into the container, which is refused
 * as a packing into it is (see rules/aggregate.ts packingStop), with the same problems: 409 while
 * the container or one it lies in is on hold, 422 `recalled-lot` when one is recalled. `chains`
 * holds each container unpacked from and the containers it lies in, innermost first, as locked.
 */
function requireRepackable(eventId: string, chains: LotView[][]) {
  for (const chain of chains) {
    const stop = packingStop(chain);
    if (!stop) continue;
    const [container] = chain;
    const inner = stop.lot === container;
    const where = inner ? `container ${container.code}` : `container ${container.code} lies in container ${stop.lot.code}, which`;
    const until = stop.by === 'hold' ? ' until the hold is released' : '';
    const field = inner
      ? `unpacked ${stop.by === 'hold' ? 'a container on hold' : 'a recalled container'}`
      : `unpacked a container that lies in ${stop.lot.code}, ${stop.label}`;
    throw circulationProblem(
      {
        by: stop.by,
        detail: `cannot correct ${eventId}: ${where} ${stop.state}; what the unpacking took out would be packed back into it, which nobody may do${until}`,
      },
      [bodyField(['correctsEventId'], field)],
    );
  }
}

/** Holds, releases and recalls stay in the log as made; their effects are undone by the next act, not by a correction. */
const REGULATORY_TYPES: ReadonlySet<string> = new Set(['hold', 'release', 'recall']);

function emptyBatch(): Batch {
  return {
    events: [],
    lots: [],
    shipments: [],
    shipmentLines: [],
    endedContainment: [],
    receivedShipments: [],
    receivedLines: [],
    statuses: [],
    itemContainers: [],
    holds: [],
    recalledLots: [],
    touchedLots: [],
    audit: { entries: [], heads: [] },
  };
}

/** The events' audit entries, each chained onto its party's head. */
async function chained(heads: ChainHead[], events: { record: EventRecord; draft: EventDraft }[]): Promise<Batch['audit']> {
  // hashing 10,000 events' canonical JSON takes over a second: other requests go on meanwhile
  const acts = await mapPausing(events, ({ record, draft }) => ({
    chain: record.partyCode,
    kind: 'event' as const,
    subjectId: record.id,
    keyId: null,
    payloadHash: eventPayloadHash({
      ...record,
      eventTime: record.eventTime.toISOString(),
      recordTime: record.recordTime.toISOString(),
      movements: draft.movements,
      lots: [...draft.links.values()],
    }),
    recordedAt: record.recordTime,
  }));
  return appendToChains(heads, acts);
}

export type EventWriter = ReturnType<typeof createEventWriter>;

/** The stored event as the API shows it, from what was just written (no read back). */
function viewOf(record: EventRecord, draft: EventDraft): EventView {
  return {
    id: record.id,
    type: record.type as EventType,
    eventTime: record.eventTime,
    eventTimeZoneOffset: record.eventTimeZoneOffset,
    recordTime: record.recordTime,
    partyCode: record.partyCode,
    bizStep: record.bizStep,
    disposition: record.disposition,
    readPoint: record.readPoint,
    bizLocation: record.bizLocation,
    referenceDocuments: record.referenceDocuments,
    lots: [...draft.links.values()],
    details: record.payload,
    correctsEventId: record.correctsEventId,
    declaredInErrorBy: null,
  };
}

function batchOf(state: WorldState, events: { record: EventRecord; draft: EventDraft }[]): Omit<Batch, 'audit'> {
  const statuses = [...state.changed.statuses].map(([code, status]) => ({ code, status }));
  const holds = [...state.changed.holds].map(([code, hold]) => ({ code, hold }));
  const recalledLots = events.flatMap(({ draft }) => draft.recalledUnloaded);
  // a row the statement updates once only: those it changes anyway are not touched again
  const changedOtherwise = new Set([...statuses, ...holds].map((lot) => lot.code).concat(recalledLots));
  const shipments = [...state.created.shipments.values()].map((shipment) => {
    const received = state.changed.receivedShipments.get(shipment.id);
    return {
      ...shipment,
      status: state.shipments.get(shipment.id)?.status ?? 'open',
      receiveEventId: received?.receiveEventId ?? null,
      receivedAt: received?.receivedAt ?? null,
    };
  });
  const createdShipments = new Set(shipments.map((shipment) => shipment.id));
  return {
    events,
    lots: [...state.created.lots.values()],
    shipments,
    shipmentLines: shipments.flatMap((shipment) =>
      (state.shipments.get(shipment.id)?.lines ?? []).map((line, position) => ({
        ...line,
        shipmentId: shipment.id,
        partyCode: shipment.fromPartyCode,
        position,
      })),
    ),
    endedContainment: [...state.changed.endedContainment].map(([key, eventId]) => {
      const [parentCode, childCode] = key.split('|');
      return { parentCode, childCode, eventId };
    }),
    receivedShipments: [...state.changed.receivedShipments]
      .filter(([id]) => !createdShipments.has(id))
      .map(([id, receipt]) => ({ id, ...receipt })),
    receivedLines: [...state.changed.receivedLines.values()].filter((line) => !createdShipments.has(line.shipmentId)),
    statuses,
    itemContainers: [...state.changed.itemContainers].map(([code, containerCode]) => ({ code, containerCode })),
    holds,
    recalledLots,
    touchedLots: lotsWhoseFactsChange(state, events).filter((code) => !changedOtherwise.has(code)),
  };
}

/**
 * The lots stored before the batch whose facts read from their events (see the repository's
 * LOT_COLUMNS) its events change: those a recall opening links (its id, and whether it named the lot
 * a root), those an event made first (when it came into being) and those an event used first while
 * nothing made them (the first use a later making is held to; a lot made keeps its beginning, see
 * requireBeginningBeforeUse). Their rows are changed with them, so that a write whose lock waited
 * for this one reads them again (see LOCKED_NEWER); a lot used or made again later than before is not.
 */
function lotsWhoseFactsChange(state: WorldState, events: { record: EventRecord; draft: EventDraft }[]): string[] {
  const codes = new Set<string>();
  for (const { record, draft } of events) {
    const opensRecall = record.type === 'recall' && record.disposition === 'recalled';
    const at = record.eventTime.getTime();
    for (const link of draft.links.values()) {
      if (state.created.lots.has(link.lotCode)) continue;
      // as the batch left them: an event that set them set them to its own time
      const lot = state.lots.get(link.lotCode);
      if (
        opensRecall ||
        (makes(record.type, link, draft) && lot?.madeAt?.getTime() === at) ||
        (usesLink(record.type, link, draft) && lot && !lot.madeAt && lot.firstUsedAt?.getTime() === at)
      ) {
        codes.add(link.lotCode);
      }
    }
  }
  return [...codes];
}
