// What a rule sees while it checks one event: the batch's world state with the event's own draft
// laid over it (lots it just created, quantities it already took), and the checks every event
// type shares — a lot must exist, be held by the acting party, in quantities the unit allows.
import { partyReadsLot, requireLocationOf, requireOwnGtin, requireOwnMasterData } from '../../access/index.js';
import { toGtin14 } from '../../codes/gs1.js';
import { isMistypedCode, newLotCode } from '../../codes/service-codes.js';
import { isStorableTime } from '../../codes/timestamp.js';
import { badRequest, bodyField, conflict, forbidden, Problem, unprocessable } from '../../errors/problem.js';
import { restrictedGtinProblem } from '../../gs1/trade-gtin.js';
import {
  type CirculationAct,
  type CirculationStop,
  circulationProblem,
  circulationRefusal,
  decimalsAllowed,
  quantityProblem,
  roundQuantity,
} from '../../lots/ledger.js';
import type { EventDraft, HeldThenTake, NewLot, Pointer, ReceivedByUse } from './draft.js';
import type { LotView, ProductView, ReplacedLot, ShipmentView, WorldState } from './state.js';

/** The GTIN-14 of a GS1 Digital Link's (01) key (as capture stores identifiers), if it has one. */
export const gtinOfIdentifier = (identifier: string | undefined): string | undefined =>
  identifier ? /^https:\/\/id\.gs1\.org\/01\/(\d{14})/.exec(identifier)?.[1] : undefined;

/** A serial (one pack, an SGTIN) as captured identifiers are stored: a Digital Link with a GTIN and a serial. */
export const isSerialIdentifier = (identifier: string | undefined): boolean =>
  identifier !== undefined && /^https:\/\/id\.gs1\.org\/01\/\d{14}\/21\//.test(identifier);

/** A lot a rule creates: the native NewLot input, or an identifier an EPCIS event named for the first time. */
export type LotSpec = {
  code?: string;
  kind?: 'lot' | 'container';
  productCode: string | null;
  lotNumber?: string | null;
  sscc?: string | null;
  quantity: number;
  unit?: string;
  productionDate?: string | null;
  expiryDate?: string | null;
  /** The last day of sale (EPCIS ilmd `sellByDate`): no expiry. */
  sellByDate?: string | null;
  originLocationCode?: string | null;
  attributes?: Record<string, unknown>;
  /** The EPC (or other URI) it was captured under, kept as a lookup identifier. */
  epc?: string;
  /**
   * EPCIS: the lot of the LGTIN it was captured under, its number unless the party's lots carry it
   * already (a GS1 lot is unique only within its GTIN, so the same lot of another GTIN is no clash).
   */
  classLotNumber?: string | null;
};

/**
 * A lot an event uses, and how much: a quantity, or (none given) everything the acting party
 * holds. `ifHeld` (an EPCIS event naming an object without a quantity) asks for no more than
 * is there: the party's own lot that it no longer holds is then taken at 0, not refused (the rule
 * decides what an event that takes nothing means).
 */
export type Line = {
  lotCode: string;
  quantity?: number | null;
  index?: number;
  ifHeld?: boolean;
  /** EPCIS: the container the event names the lot under (a TransactionEvent's parentID). */
  packedIn?: string;
  /** Where the request named the lot when not as an entry of the list (by a serialized pack: `itemCodes/2`). */
  at?: Pointer;
};

/**
 * The held-then rule, judged once the whole batch is applied (under `proceed` each event as it comes,
 * see judgedBeforeApplied), with every movement of the batch at its own time and the stored ones: a party takes only what it held at the event's time as well as
 * what it holds now, where it takes it from (`take.containerCode`): loose, by its loose stock over
 * time (what lay packed then was not loose, though unpacked since), or out of a container, by what
 * was packed in it then. Refused (422) when what it held of the lot there then (once every movement
 * dated up to then was booked) does not cover what the event takes (`take`) — it sent all of it away
 * and got it back later, say — naming the lot, where, the time and what it held then; and when the
 * least it holds there from then on does not, as a backdated outflow would leave a later event taking
 * what the party no longer held, naming what it holds from the time it would go short on. What it
 * held is read without the event's own movements there (`ownBooked`: all it booked of the lot there),
 * with what it had booked there when it took the lot (`take.booked`). The writer reads both for every
 * lot an event takes (see lotsTakenBy); one it did not read is judged by what the party holds now alone (null).
 */
export function heldThenProblem(state: WorldState, actor: string, eventTime: Date, take: HeldThenTake, ownBooked: number): Problem | null {
  const through = state.heldThrough(take.lotCode, actor, eventTime, take.containerCode);
  if (through === undefined) return null;
  const onward = state.leastOnward(take.lotCode, actor, eventTime, take.containerCode);
  const without = take.booked - ownBooked;
  const { quantity, unit, name, done, where } = take;
  const at = eventTime.toISOString();
  const heldThen = roundQuantity(through + without);
  if (heldThen < quantity) {
    // below 0 when later events took what a backdated one took too: none held, all the same
    const then = Math.max(heldThen, 0);
    return unprocessable(
      'not-held-at-event-time',
      `party ${actor} held ${then} ${unit} of ${name} ${where} at ${at}, by the events dated up to then: ${quantity} ${unit} cannot be ${done} at that time`,
      [bodyField(take.at, `${then} ${unit} of ${name} held ${where} at ${at}`)],
    );
  }
  if (onward === undefined || roundQuantity(onward.least + without) >= quantity) return null;
  const least = Math.max(roundQuantity(onward.least + without), 0);
  const from = onward.from.toISOString();
  return unprocessable(
    'not-held-at-event-time',
    `party ${actor} holds ${least} ${unit} of ${name} ${where} from ${from} on, by the events dated from ${at} on: ${quantity} ${unit} cannot be ${done} at that time`,
    [bodyField(take.at, `${least} ${unit} of ${name} held ${where} from ${from} on`)],
  );
}

/**
 * The received-by rule, judged once the whole batch is applied (under `proceed` each event as it
 * comes, see judgedBeforeApplied), with its receipts and the stored ones: a party uses what it received no earlier than it received it. Refused (422) when the event
 * does something to a lot (`uses`: shipping, using, packing, selling or destroying it; packing into
 * a container, or unpacking it) dated before the party first received any of it, naming the lot
 * received latest, that time and the event's.
 */
export function receivedByProblem(
  state: WorldState,
  actor: string,
  eventTime: Date,
  uses: readonly ReceivedByUse[],
): { lotCode: string; problem: Problem } | null {
  let latest: { use: ReceivedByUse; receivedAt: Date } | undefined;
  for (const use of uses) {
    const receivedAt = state.firstReceiptOf(use.lotCode, actor);
    if (receivedAt && receivedAt > eventTime && (!latest || receivedAt > latest.receivedAt)) latest = { use, receivedAt };
  }
  if (!latest) return null;
  const earliest = latest.receivedAt.toISOString();
  const problem = unprocessable(
    'event-time-before-receipt',
    `${latest.use.name} was received by ${actor} at ${earliest}; it cannot be ${latest.use.done} before that (the event is dated ${eventTime.toISOString()})`,
    [bodyField(latest.use.at, `at the earliest ${earliest}`)],
  );
  return { lotCode: latest.use.lotCode, problem };
}

/**
 * Why the received-by rule (see receivedByProblem), else the held-then rule (see heldThenProblem, on
 * each lot the event takes, in turn) refuses an event of a batch, or null. `applied`: whether `state`
 * holds the event's own movements. An event not applied yet is judged as it would be once applied:
 * what the party held lacks only its own movements, all at its own time, which is what heldThenProblem
 * takes away (an `ownBooked` of 0); and no event both receives a lot and does something to it.
 */
function refusalOf(state: WorldState, eventTime: Date, draft: EventDraft, applied: boolean): Problem | null {
  const late = receivedByProblem(state, draft.actor, eventTime, draft.receivedBy);
  if (late) return late.problem;
  for (const take of draft.heldThen.values()) {
    const problem = heldThenProblem(
      state,
      draft.actor,
      eventTime,
      take,
      applied ? draft.booked(take.lotCode, draft.actor, take.containerCode) : 0,
    );
    if (problem) return problem;
  }
  return null;
}

/**
 * Judges the accepted events of a batch (`index`: each one's place in it) by the received-by and the
 * held-then rules once the whole batch is applied to `state`: each refused event, in the order of
 * the batch, with its first refusal (see refusalOf).
 */
export function judgedOnceApplied(
  state: WorldState,
  events: readonly { index: number; eventTime: Date; draft: EventDraft }[],
): { index: number; problem: Problem }[] {
  return events.flatMap(({ index, eventTime, draft }) => {
    const problem = refusalOf(state, eventTime, draft, true);
    return problem ? [{ index, problem }] : [];
  });
}

/**
 * Judges one event of a batch by the received-by and the held-then rules as it comes, before it is
 * applied to `state`, which holds the events accepted before it alone (see refusalOf). An event
 * judged so stays accepted whatever is accepted after it: a later event makes no receipt later, what
 * it brings in only adds to what was held, and what it takes out leaves its party holding no less than
 * nothing of the lot from its own time on, by its own judgement, so an earlier event still took no more
 * than was held from its time on (the batch's whole judgement, see judgedOnceApplied, refuses none).
 */
export function judgedBeforeApplied(state: WorldState, eventTime: Date, draft: EventDraft): Problem | null {
  return refusalOf(state, eventTime, draft, false);
}

/** What a container held when it was taken: a lot (or a container) packed in `containerCode`. */
export type PackedLine = { lotCode: string; containerCode: string; quantity: number };

export class Scope {
  /** Lots a rule found named otherwise than by their code (see nameAs). */
  private readonly namedInRules = new Map<string, string>();

  constructor(
    readonly state: WorldState,
    readonly draft: EventDraft,
    readonly base: Pointer,
    /** Lots the request named otherwise than by their code: lot code → the identifier it named them by. */
    private readonly namedAs: ReadonlyMap<string, string> = new Map(),
    /** The day, China time, of the event: a lot it makes is produced no later. */
    private readonly eventDay?: string,
  ) {}

  get actor() {
    return this.draft.actor;
  }

  at(...path: (string | number)[]): Pointer {
    return [...this.base, ...path];
  }

  lot(code: string): LotView | undefined {
    const created = this.draft.newLot(code);
    return created ? this.state.viewOfNew(created) : this.state.lots.get(code);
  }

  /** Is there a live lot (or container) of this code, this event's new ones included? */
  exists(code: string): boolean {
    const lot = this.lot(code);
    return lot !== undefined && !lot.voided;
  }

  /**
   * Refused when a hold (409) or a recall (422) stops the lot from being used for `act` — or, for a
   * container, any lot inside it, through the containers nested in it. `to`: the party a shipment
   * goes to (a recalled lot goes back where its recall sends it; see circulationRefusal).
   */
  requireCirculating(lot: LotView, act: CirculationAct, pointer: Pointer, to?: string) {
    const stopped = this.circulationStop(lot, act, to);
    if (stopped) throw circulationProblem(stopped.refusal, [bodyField(pointer, stopped.reason)]);
  }

  /** Why a hold or a recall stops the lot (or a lot inside the container) from being used for `act`; null when nothing does. */
  circulationStop(lot: LotView, act: CirculationAct, to?: string): { refusal: CirculationStop; reason: string } | null {
    const refusal = circulationRefusal(lot, act, { name: this.identifierOf(lot), to, contents: this.contentLots });
    if (refusal) return { refusal, reason: refusal.by === 'hold' ? 'on hold' : 'recalled' };
    if (lot.kind !== 'container') return null;
    const inside = this.stoppedInside(lot.code, act, to, goesBack(lot, act));
    return inside && { refusal: inside.refusal, reason: inside.refusal.by === 'hold' ? 'holds a lot on hold' : 'holds a recalled lot' };
  }

  /**
   * The first lot inside a container (or in containers inside it) that a hold or a recall stops
   * from being used for `act`, with the refusal naming it and the container it lies in.
   * `returning`: the container goes back where its recall sends it, and what it holds with it.
   * Reads only the batch's state: the writer loads the contents of every container a batch names,
   * all levels down, in one query up front.
   */
  stoppedInside(
    containerCode: string,
    act: CirculationAct,
    to?: string,
    returning = false,
  ): { lot: LotView; refusal: CirculationStop } | null {
    const seen = new Set([containerCode]);
    const queue = [{ code: containerCode, returning }];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const childCode of this.contents(next.code).keys()) {
        const child = this.lot(childCode);
        if (!child || seen.has(childCode)) continue;
        seen.add(childCode);
        const refusal = circulationRefusal(child, act, {
          name: this.identifierOf(child),
          packedIn: this.identifierOfCode(next.code),
          to,
          contents: this.contentLots,
          returning: next.returning,
        });
        if (refusal) return { lot: child, refusal };
        if (child.kind === 'container') queue.push({ code: childCode, returning: next.returning || goesBack(child, act) });
      }
    }
    return null;
  }

  /** The lots and containers a container holds now (see contents), as circulationRefusal reads them. */
  readonly contentLots = (containerCode: string): LotView[] =>
    [...this.contents(containerCode).keys()].flatMap((code) => this.lot(code) ?? []);

  /** Everything packed in a container now, at every level (none in a lot): what a hold or a recall of it reaches. */
  packedLots(containerCode: string): LotView[] {
    const packed = new Map<string, LotView>();
    const queue = [containerCode];
    for (let code = queue.shift(); code !== undefined; code = queue.shift()) {
      for (const child of this.contentLots(code)) {
        if (packed.has(child.code) || child.code === containerCode) continue;
        packed.set(child.code, child);
        if (child.kind === 'container') queue.push(child.code);
      }
    }
    return [...packed.values()];
  }

  /** Records that the event named a lot by `identifier` (a pack code, an SSCC), unless it named the lot already. */
  nameAs(lotCode: string, identifier: string) {
    if (!this.namedAs.has(lotCode) && !this.namedInRules.has(lotCode)) this.namedInRules.set(lotCode, identifier);
  }

  /** The lot (or container) as a refusal names it: `container …` or `lot …`, then as identifierOf names it. */
  nameOf(lot: LotView): string {
    return `${lot.kind === 'container' ? 'container' : 'lot'} ${this.identifierOf(lot)}`;
  }

  /**
   * The lot as a refusal names it. An EPCIS event's objects as the client wrote them (an SSCC, an
   * EPC, a GTIN and lot number): its client knows them by those, never by the codes they map to
   * here. Otherwise by its code, unless the acting party may not read the lot and named it
   * otherwise (a pack code, an SSCC): then as it named it, so that a refusal does not turn the
   * identifier into the lot's code.
   */
  identifierOf(lot: LotView): string {
    const written = this.namedAs.get(lot.code);
    if (written !== undefined) return written;
    const named = this.namedInRules.get(lot.code);
    const hidden = named !== undefined && !partyReadsLot(this.actor, this.state.involvedParties(lot));
    return hidden ? named : lot.code;
  }

  /** A lot or container by its code as identifierOf names it (by the code itself when it is no lot). */
  identifierOfCode(code: string): string {
    const lot = this.lot(code);
    return lot ? this.identifierOf(lot) : code;
  }

  /** The live lot or container carrying this SSCC, this event's new ones included. */
  lotWithSscc(sscc: string): LotView | undefined {
    const created = this.draft.newLotWithSscc(sscc);
    return created ? this.state.viewOfNew(created) : this.state.lots.withSscc(sscc);
  }

  /** The live lots named, in order; an unknown or voided one is reported at `pointerOf(index)`. */
  requireLots(codes: string[], pointerOf: (index: number) => Pointer): LotView[] {
    return codes.map((code, index) => {
      const lot = this.lot(code);
      if (!lot || lot.voided) {
        // a code of this service's shape whose check character fails was mistyped: say so rather than "unknown"
        if (isMistypedCode(code, ['lot', 'container'])) {
          throw badRequest(`${code}: its check character is wrong — probably a typo`, [
            bodyField(pointerOf(index), 'check character wrong'),
          ]);
        }
        throw unprocessable('unknown-lot', `no lot ${code}`, [bodyField(pointerOf(index), 'unknown lot')]);
      }
      return lot;
    });
  }

  /** Refused (422) when a lot is named twice: one event says once what it does to a lot. */
  requireDistinct(codes: string[], pointerOf: (index: number) => Pointer) {
    const seen = new Set<string>();
    for (const [index, code] of codes.entries()) {
      if (seen.has(code)) {
        const lot = this.lot(code);
        throw unprocessable('duplicate-lot', `${lot ? this.identifierOf(lot) : code} is listed twice`, [
          bodyField(pointerOf(index), 'listed twice'),
        ]);
      }
      seen.add(code);
    }
  }

  /** What a party holds of a lot (loose, or packed in one container), this event's own movements included. */
  balance(lotCode: string, containerCode: string | null = null, partyCode = this.actor): number {
    let total = this.state.balance(lotCode, partyCode, containerCode);
    for (const movement of this.draft.movements) {
      if (movement.lotCode === lotCode && movement.partyCode === partyCode && movement.containerCode === containerCode) {
        total += movement.quantity;
      }
    }
    return roundQuantity(total);
  }

  /** Does the acting party hold any of the lot, loose or packed? */
  holds(lotCode: string): boolean {
    let total = this.state.holdersOf(lotCode).get(this.actor) ?? 0;
    for (const movement of this.draft.movements) {
      if (movement.lotCode === lotCode && movement.partyCode === this.actor) total += movement.quantity;
    }
    return roundQuantity(total) > 0;
  }

  /**
   * How much of the lot the acting party holds packed, and where, for a refusal: `100 piece packed in
   * container C1, C2`, naming at most a few containers.
   */
  packedAway(lot: LotView): { quantity: number; where: string } | null {
    const containers = new Set(this.state.packedIn(lot.code, this.actor));
    for (const movement of this.draft.movements) {
      if (movement.lotCode === lot.code && movement.partyCode === this.actor && movement.containerCode)
        containers.add(movement.containerCode);
    }
    const held = [...containers].map((code) => ({ code, quantity: this.balance(lot.code, code) })).filter(({ quantity }) => quantity > 0);
    if (held.length === 0) return null;
    const quantity = roundQuantity(held.reduce((sum, { quantity }) => sum + quantity, 0));
    const named = held.flatMap(({ code }) => this.containerName(code) ?? []).slice(0, NAMED_CONTAINERS);
    if (named.length === 0) return { quantity, where: held.length === 1 ? 'a container' : `${held.length} containers` };
    const more = held.length > named.length ? ` and ${held.length - named.length} more` : '';
    return { quantity, where: `container${held.length === 1 ? '' : 's'} ${named.join(', ')}${more}` };
  }

  /**
   * A container the acting party holds as a refusal names it: as identifierOfCode does, but to an
   * EPCIS client (which knows no container codes) one its event did not name by its SSCC, or (none,
   * or not read for the batch) not at all.
   */
  private containerName(code: string): string | null {
    if (this.namedAs.size === 0 || this.namedAs.has(code)) return this.identifierOfCode(code);
    const sscc = this.lot(code)?.sscc;
    return sscc ? `https://id.gs1.org/00/${sscc}` : null;
  }

  /**
   * Refused unless the acting party holds the lot loose (usable: not packed away in a container).
   * `packing`: the lot is the container an event packs into; when the acting party shipped it away
   * (a shipment sent before its packing), the refusal names that shipment and how to send it again.
   */
  requireHolder(lot: LotView, pointer: Pointer, packing = false) {
    if (this.balance(lot.code) > 0) return;
    if (this.holds(lot.code)) {
      const where = this.packedAway(lot)?.where ?? 'a container';
      throw conflict(`${this.identifierOf(lot)} is packed in ${where}; unpack it first`, [bodyField(pointer, `packed in ${where}`)]);
    }
    const shipped = packing ? this.shippedAway(lot) : undefined;
    const cause = shipped
      ? `: it was shipped by event ${shipped.shipEventId} at ${shipped.shippedAt.toISOString()}, before this packing. To pack it, declare that shipment in error (an EPCIS errorDeclaration, or POST /events with type correction and correctsEventId ${shipped.shipEventId}) and ship it again after the packing`
      : '';
    if (lot.partyCode === this.actor) {
      throw conflict(`party ${this.actor} no longer holds any of ${this.identifierOf(lot)}${cause}`, [
        bodyField(pointer, shipped ? `shipped by event ${shipped.shipEventId}` : 'nothing on hand'),
      ]);
    }
    // who holds another party's lot is that party's business: a refusal names no holder
    throw forbidden(`party ${this.actor} does not hold ${this.nameOf(lot)}; only its holder may use it${cause}`, [
      bodyField(pointer, shipped ? `shipped by event ${shipped.shipEventId}` : `not held by ${this.actor}`),
    ]);
  }

  /** The acting party's latest shipment carrying the lot that is not cancelled, of those the batch read (the open ones). */
  private shippedAway(lot: LotView): ShipmentView | undefined {
    return this.state.shipments
      .carrying(lot.code)
      .filter((shipment) => shipment.fromPartyCode === this.actor && shipment.status !== 'cancelled')
      .sort((a, b) => b.shippedAt.getTime() - a.shippedAt.getTime())[0];
  }

  /**
   * The owner, or a party that held some of the lot at each of these times (the event's, by the
   * ledger of the events dated up to it), may record what happened to it without moving it
   * (observations, inspections): a party that has shipped a lot on may still record what it saw of
   * it before, and none records what it saw of a lot before it came to it.
   */
  requireOwnerOrHolder(lot: LotView, pointer: Pointer, times: Date[], what = '') {
    if (lot.partyCode === this.actor) return;
    const notHeld = times.find((time) => !this.state.heldAt(lot.code, this.actor, time));
    if (notHeld === undefined) return;
    const at = notHeld.toISOString();
    throw forbidden(`party ${this.actor} neither owns nor holds ${this.nameOf(lot)}: it held none of it at ${at}${what}`, [
      bodyField(pointer, `neither owned nor held by ${this.actor} at ${at}`),
    ]);
  }

  /**
   * Refused (400) unless `unit` takes the quantity (see quantityProblem); the quantity as it is
   * stored, at three decimals, so that binary noise (0.1 + 0.2) is neither compared nor booked.
   */
  requireQuantity(quantity: number, unit: string, pointer: Pointer): number {
    const problem = quantityProblem(quantity, unit);
    if (problem) throw badRequest(`${quantity} ${unit}: ${problem}`, [bodyField(pointer, problem)]);
    return roundQuantity(quantity);
  }

  /**
   * Checks the actor holds enough (loose) of every line, notes each line for the received-by rule
   * (see receivedByLater) and the held-then rule (see heldThenLater), and books the
   * outflow when `kind` is given (null: a packing, which books its own); a line without a quantity
   * takes everything held. `to`: the party a shipment goes to.
   */
  take(
    lines: Line[],
    pointer: Pointer,
    kind: 'consume' | 'ship_out' | 'destroy' | 'sell' | null,
    to?: string,
  ): { lot: LotView; quantity: number }[] {
    const codes = lines.map((line) => line.lotCode);
    const at = (position: number, ...field: string[]) => lines[position].at ?? [...pointer, lines[position].index ?? position, ...field];
    const lots = this.requireLots(codes, (position) => at(position, 'lotCode'));
    this.requireDistinct(codes, (position) => at(position, 'lotCode'));
    const done = TAKEN_AS[kind ?? 'pack'];
    const taken = lines.map((line, position) => {
      const lot = lots[position];
      if (line.ifHeld && lot.partyCode === this.actor && this.balance(lot.code) <= 0) return { lot, quantity: 0 };
      this.requireHolder(lot, at(position, 'lotCode'));
      const act = kind ? CIRCULATION_ACTS[kind] : undefined;
      if (act) this.requireCirculating(lot, act, at(position, 'lotCode'), to);
      const onHand = this.balance(lot.code);
      const quantity = this.requireQuantity(line.quantity ?? onHand, lot.unit, at(position, 'quantity'));
      if (quantity > onHand) {
        const packed = this.packedAway(lot);
        const rest = packed ? ` (${packed.quantity} more are packed in ${packed.where}: unpack them first)` : '';
        throw conflict(
          `only ${onHand} ${lot.unit} of ${this.identifierOf(lot)} remain${packed ? ' loose' : ''} with ${this.actor}${rest}; ${quantity} requested`,
          [bodyField(at(position, 'quantity'), `at most ${onHand}`)],
        );
      }
      if (quantity > 0) this.heldThenLater(lot, null, quantity, this.draft.booked(lot.code, this.actor, null), done);
      if (kind) this.draft.move(lot.code, kind, -quantity);
      return { lot, quantity };
    });
    this.receivedByLater(
      taken.flatMap(({ lot, quantity }) => (quantity > 0 ? [lot] : [])),
      done,
    );
    return taken;
  }

  /**
   * Notes what the event takes of a lot, loose (`containerCode` null) or out of a container, for the
   * held-then rule, judged once the whole batch is applied (see heldThenProblem), so that the order of
   * a batch's events does not change the verdict (but see the writer's write, under `proceed`): what it
   * takes again of the same lot there adds to it.
   */
  private heldThenLater(lot: LotView, containerCode: string | null, quantity: number, booked: number, done: string) {
    const key = `${lot.code}|${containerCode ?? ''}`;
    const noted = this.draft.heldThen.get(key);
    if (noted) noted.quantity = roundQuantity(noted.quantity + quantity);
    else {
      this.draft.heldThen.set(key, {
        lotCode: lot.code,
        containerCode,
        quantity,
        booked,
        done,
        name: this.nameOf(lot),
        where: containerCode === null ? 'loose' : `packed in container ${this.containerName(containerCode) ?? containerCode}`,
        unit: lot.unit,
        at: this.at('eventTime'),
      });
    }
  }

  /**
   * Notes the lots an event does something to (`done`) for the received-by rule, judged once the
   * whole batch is applied (see receivedByProblem), so that a receipt the batch places after the
   * event counts as one placed before it (but see the writer's write, under `proceed`). The lot's maker held it from its making on (the
   * chronology rule holds every use to that), whatever came back to it later. Called once the party
   * was found to hold the lots.
   */
  receivedByLater(lots: LotView[], done: string) {
    for (const lot of lots) {
      if (lot.partyCode === this.actor) continue;
      this.draft.receivedBy.push({ lotCode: lot.code, done, name: this.nameOf(lot), at: this.at('eventTime') });
    }
  }

  /**
   * Books everything packed in a container the acting party just took (and in containers inside
   * it) out of its packed stock as `kind`: what is inside goes wherever the container goes (a
   * container transformed has its contents consumed in full, as a loose input is). Taking
   * the container already refused it when a hold or a recall stops anything inside. Its contents now
   * are what lay in it at `eventTime` only when nothing was unpacked from it since (see requireUnpackedNotLater).
   */
  takeContents(
    containerCode: string,
    kind: 'consume' | 'ship_out' | 'destroy' | 'sell',
    pointer: Pointer,
    eventTime: Date,
    judged = true,
  ): PackedLine[] {
    if (judged) this.requireUnpackedNotLater(containerCode, eventTime, pointer);
    const lines: PackedLine[] = [];
    for (const childCode of this.contents(containerCode).keys()) {
      const quantity = this.balance(childCode, containerCode);
      if (quantity <= 0) {
        throw conflict(
          `container ${this.identifierOfCode(containerCode)} lists ${this.identifierOfCode(childCode)}, but ${this.actor} holds none of it packed there`,
          [bodyField(pointer, 'contents not held')],
        );
      }
      this.draft.move(childCode, kind, -quantity, containerCode);
      lines.push({ lotCode: childCode, containerCode, quantity });
      if (this.lot(childCode)?.kind === 'container') {
        // one packed in after the event's time is the held-then rule's (see requirePackedHeldThen), not judged here
        const packedBefore = (this.state.contents.get(containerCode)?.get(childCode)?.firstPackedAt ?? eventTime) <= eventTime;
        for (const line of this.takeContents(childCode, kind, pointer, eventTime, packedBefore)) lines.push(line);
      }
    }
    return lines;
  }

  /**
   * A container goes with what lay packed in it at the event's time, which its contents now are
   * only when the party unpacked nothing of it since: refused (409 at `pointer`) when it unpacked a
   * lot from it later (stored, or earlier in the batch), naming the latest such unpacking, as the lot
   * would stay with the party though the ledger has it in the container that left. What was packed
   * into it later is refused by the held-then rule (nothing of it lay there then; see
   * requirePackedHeldThen); what another party unpacked, by the held-then rule on the container itself.
   */
  private requireUnpackedNotLater(containerCode: string, eventTime: Date, pointer: Pointer) {
    const unpacking = this.state.unpackedAfter(containerCode, this.actor, eventTime);
    if (!unpacking) return;
    const child = this.lot(unpacking.childCode);
    // a lot the batch did not load (no longer in any container it names) is named by its code
    const name = child ? this.nameOf(child) : `${unpacking.childKind === 'container' ? 'container' : 'lot'} ${unpacking.childCode}`;
    const container = this.identifierOfCode(containerCode);
    const [at, packedAt, unpackedAt] = [eventTime, unpacking.packedAt, unpacking.unpackedAt].map((time) => time.toISOString());
    if (unpacking.packedAt <= eventTime) {
      throw conflict(
        `${name} was packed in container ${container} at ${at} and unpacked from it later, at ${unpackedAt} (event ${unpacking.eventId}): correct the unpackings after ${at} first, the latest first`,
        [bodyField(pointer, `${name} unpacked from it later, at ${unpackedAt}`)],
      );
    }
    // packed and unpacked again since: it was not in the container then, yet went in and out after it left
    throw conflict(
      `${name} was packed into container ${container} at ${packedAt} and unpacked from it at ${unpackedAt} (event ${unpacking.eventId}), after ${at}: correct that packing and unpacking first`,
      [bodyField(pointer, `${name} packed into it at ${packedAt}, after the event`)],
    );
  }

  /**
   * A party takes what is packed in the containers an event takes only as far as it held each lot
   * in each container at the event's time, as it does a loose line by its loose stock (see
   * heldThenProblem), and only from when it received it (see receivedByLater): each lot packed in
   * them (`packed`, see takeContents: nested containers included) is judged in each container it lies
   * in, by what was packed there then. Called once every outflow of the event is booked.
   */
  requirePackedHeldThen(packed: PackedLine[], kind: 'consume' | 'ship_out' | 'destroy' | 'sell') {
    const lots = [...new Set(packed.map((line) => line.lotCode))].flatMap((code) => this.lot(code) ?? []);
    this.receivedByLater(lots, TAKEN_AS[kind]);
    for (const { lotCode, containerCode, quantity } of packed) {
      const lot = this.lot(lotCode);
      if (!lot) continue;
      // what the event booked of the lot there counts, all it takes of it there given back to judge by
      const booked = roundQuantity(this.draft.booked(lotCode, this.actor, containerCode) + quantity);
      this.heldThenLater(lot, containerCode, quantity, booked, TAKEN_AS[kind]);
    }
  }

  /**
   * Notes what an unpacking takes out of a container for the held-then rule: no more of the lot than
   * was packed there at the event's time and from then on (see heldThenProblem), so that one dated
   * while the container was away (shipped, and received back since) is refused. Called once the
   * unpacking of the lot is booked.
   */
  unpackedLater(lot: LotView, containerCode: string, quantity: number) {
    const booked = roundQuantity(this.draft.booked(lot.code, this.actor, containerCode) + quantity);
    this.heldThenLater(lot, containerCode, quantity, booked, 'unpacked');
  }

  requireLocation(code: string, pointer: Pointer, ownerCode?: string) {
    const location = this.state.locations.get(code);
    if (!location) throw unprocessable('unknown-reference', `no location ${code}`, [bodyField(pointer, 'unknown location')]);
    if (ownerCode) requireLocationOf(location, ownerCode, pointer);
    return location;
  }

  /**
   * Creates lots of the acting party with their `produce` movement; lot numbers and ear tags stay
   * unique. A problem with a spec is reported under `pointerOf(index)`.
   */
  createLots(specs: LotSpec[], pointerOf: (index: number) => Pointer, reuseCodes: string[] = []): NewLot[] {
    const earTags = new Set<string>();
    return specs.map((spec, index) => {
      const at = pointerOf(index);
      const gtin = gtinOfIdentifier(spec.epc);
      // a GTIN no product is registered under names a new product class: only one that can name a
      // trade item outside its issuer does (a product registered under another before keeps its lots coming)
      const restricted = gtin && !spec.productCode ? restrictedGtinProblem(gtin) : null;
      if (spec.epc && restricted) {
        throw unprocessable('restricted-gtin', `${spec.epc}: ${restricted}`, [bodyField([...at, 'epc'], restricted)]);
      }
      const gtinOwner = gtin ? this.state.gtinOwners.get(gtin) : undefined;
      if (spec.epc && gtin && gtinOwner) requireOwnGtin(this.actor, spec.epc, gtin, gtinOwner, [...at, 'epc']);
      const product = spec.productCode ? this.state.products.get(spec.productCode) : undefined;
      if (spec.productCode && !product) {
        throw unprocessable('unknown-reference', `no product ${spec.productCode}`, [bodyField([...at, 'productCode'], 'unknown product')]);
      }
      if (product) requireOwnMasterData(this.actor, 'product', product, [...at, 'productCode']);
      // a serial is a pack's own code, as an item code is: of a branded product, only a member labels it
      const refused =
        product && isSerialIdentifier(spec.epc)
          ? this.state.labelRefusals.get(`${this.actor}|${product.code}`)?.({ productionDate: spec.productionDate ?? null })
          : undefined;
      if (product && refused?.length) {
        throw new Problem(
          403,
          'brand-not-admitted',
          'Not admitted to the brand',
          `party ${this.actor} may not commission serials of product ${product.code}: it is not admitted to the brand covering it, today or when the lot is made — ${refused.join('; ')}`,
          [bodyField([...at, 'epc'], `a serial of a branded product: ${refused.join('; ')}`)],
        );
      }
      // a replacement changing what a lot's badge is judged by (its product, its production date; see
      // brands' badgesOf) changes it for its coded packs, which are in circulation: of a branded
      // product, only a member may, as if it labelled them now
      const replaced = spec.code ? undefined : this.state.replacedLots.get(reuseCodes[index]);
      const rejudged = product && replaced?.coded ? rejudgedField(replaced, product.code, spec.productionDate ?? null) : null;
      // judged as the lot would be made again: its new product and production date, recorded when it was
      const relabelRefused =
        replaced && rejudged
          ? this.state.labelRefusals.get(`${this.actor}|${product?.code}`)?.({
              productionDate: spec.productionDate ?? null,
              recordedAt: new Date(replaced.createdAt),
            })
          : undefined;
      if (product && rejudged && relabelRefused?.length) {
        const lot = `lot ${reuseCodes[index]}, whose packs are coded,`;
        const change = rejudged === 'productCode' ? `move ${lot} to it` : `change the production date of ${lot}`;
        throw new Problem(
          403,
          'brand-not-admitted',
          'Not admitted to the brand',
          `party ${this.actor} may not ${change}: it is not admitted to the brand covering product ${product.code}, today or when the lot was made — ${relabelRefused.join('; ')}`,
          [bodyField([...at, rejudged], `a branded product, and the lot's packs are coded: ${relabelRefused.join('; ')}`)],
        );
      }
      if (spec.originLocationCode) {
        const origin = this.requireLocation(spec.originLocationCode, [...at, 'originLocationCode']);
        requireOwnMasterData(this.actor, 'location', origin, [...at, 'originLocationCode']);
      }
      const numberTaken = (lotNumber: string) =>
        this.state.takenLotNumbers.has(`${this.actor}|${lotNumber}`) || this.draft.createsLotNumber(lotNumber);
      const lotNumber = spec.lotNumber ?? (spec.classLotNumber && !numberTaken(spec.classLotNumber) ? spec.classLotNumber : null);
      if (spec.lotNumber) {
        if (numberTaken(spec.lotNumber)) {
          throw conflict(`lot number ${spec.lotNumber} is already used by party ${this.actor}`, [
            bodyField([...at, 'lotNumber'], 'already used'),
          ]);
        }
      }
      const kind = spec.kind ?? 'lot';
      // a lot is counted in its product's unit: its pieces cap its item codes (one per pack), which a
      // lot of the same product counted in kilograms would not (a container is one of itself)
      const ownUnit = kind === 'lot' ? product?.unit : undefined;
      if (product && ownUnit && spec.unit !== undefined && spec.unit !== ownUnit) {
        throw unprocessable(
          'unit-mismatch',
          `${spec.unit}: a lot of product ${product.code} is counted in its product's unit, ${ownUnit}`,
          [bodyField([...at, 'unit'], `not ${ownUnit}, the unit of product ${product.code}`)],
        );
      }
      const unit = ownUnit ?? spec.unit ?? product?.unit ?? 'piece';
      const quantity = this.requireQuantity(spec.quantity, unit, [...at, 'quantity']);
      if (quantity <= 0)
        throw badRequest('a lot is created with a positive quantity', [bodyField([...at, 'quantity'], 'must be positive')]);
      if (replaced?.codesClaimed) {
        const broken = brokenCodes(reuseCodes[index], replaced, { lotNumber, product, quantity, unit });
        if (broken) throw conflict(broken.detail, [bodyField([...at, broken.field], broken.fieldDetail)]);
      }
      // a production date after the day of the event that makes the lot would print a date to come on its packs
      if (spec.productionDate && this.eventDay && spec.productionDate > this.eventDay) {
        throw unprocessable(
          'invalid-dates',
          `productionDate ${spec.productionDate} is after the day of the event, ${this.eventDay} (China time)`,
          [bodyField([...at, 'productionDate'], `after ${this.eventDay}, the day of the event in China`)],
        );
      }
      const expiryDate =
        spec.expiryDate ?? defaultExpiry(spec.productionDate ?? null, product?.shelfLifeDays ?? null, [...at, 'productionDate']);
      if (spec.productionDate && expiryDate && expiryDate < spec.productionDate) {
        throw unprocessable('invalid-dates', 'expiryDate is before productionDate', [
          bodyField([...at, 'expiryDate'], 'before productionDate'),
        ]);
      }
      if (spec.productionDate && spec.sellByDate && spec.sellByDate < spec.productionDate) {
        throw unprocessable('invalid-dates', 'sellByDate is before productionDate', [
          bodyField([...at, 'sellByDate'], 'before productionDate'),
        ]);
      }
      const attributes = { ...(spec.attributes ?? {}) } as NewLot['attributes'];
      // one ear tag per animal: more tags than head would trace animals the lot never held to it
      const tagCount = attributes.earTags?.length ?? 0;
      if (unit === 'head' && tagCount > quantity) {
        throw unprocessable('too-many-ear-tags', `${tagCount} ear tags for a lot of ${quantity} head`, [
          bodyField([...at, 'attributes', 'earTags'], `at most ${quantity}, one per head`),
        ]);
      }
      for (const [tagIndex, tag] of (attributes.earTags ?? []).entries()) {
        const tagAt = [...at, 'attributes', 'earTags', tagIndex];
        if (earTags.has(tag)) throw conflict(`ear tag ${tag} appears twice`, [bodyField(tagAt, 'duplicate ear tag')]);
        if (this.state.takenEarTags.has(tag))
          throw conflict(`ear tag ${tag} is already registered to another lot`, [bodyField(tagAt, 'already registered')]);
        earTags.add(tag);
      }
      const lot: NewLot = {
        code: spec.code ?? reuseCodes[index] ?? newLotCode(),
        kind,
        partyCode: this.actor,
        productCode: product?.code ?? null,
        lotNumber,
        sscc: spec.sscc ?? null,
        quantity: quantity,
        unit,
        productionDate: spec.productionDate ?? null,
        expiryDate,
        sellByDate: spec.sellByDate ?? null,
        originLocationCode: spec.originLocationCode ?? null,
        attributes,
        status: 'active',
        createdByEventId: this.draft.id,
      };
      this.draft.createLot(lot);
      for (const tag of attributes.earTags ?? []) this.draft.identifiers.push({ kind: 'ear_tag', value: tag, lotCode: lot.code });
      if (spec.epc) this.draft.identifiers.push({ kind: 'epc', value: spec.epc, lotCode: lot.code });
      this.draft.move(lot.code, 'produce', quantity);
      return lot;
    });
  }

  /**
   * Refused (409 at `pointer`, the replacement's list of lots) unless a correction's replacement makes
   * again, under its code, every lot of `replaced` (the lots the corrected event made, which the
   * correction voids) with item codes issued or queued (see voidsCodes).
   */
  requireCodedMadeAgain(replaced: string[], pointer: Pointer) {
    for (const code of replaced) {
      const claimed = this.state.replacedLots.get(code)?.codesClaimed ?? 0;
      if (claimed === 0 || this.draft.newLot(code)) continue;
      const made = this.draft.newLots.filter((lot) => lot.kind === 'lot').length;
      throw voidsCodes(
        code,
        claimed,
        pointer,
        made === 0
          ? 'the replacement makes no lot in its place'
          : `the replacement makes ${made} lot${made === 1 ? '' : 's'} where the corrected event made ${replaced.length}, none of them under its code`,
        `does not make lot ${code} again, which has ${itemCodes(claimed)}`,
      );
    }
  }

  /**
   * The lines that move on their own, each with its place in the request: a lot an EPCIS
   * transaction lists under its parentID that lies packed in it goes along with the container, as
   * its other contents do, not as a line of its own.
   */
  linesApartFromParent(lines: Line[]): (Line & { index: number })[] {
    return lines
      .map((line, index) => ({ ...line, index: line.index ?? index }))
      .filter((line) => !(line.packedIn && this.packedWithin(line.packedIn, line.lotCode)));
  }

  /** Does `containerCode` (directly or through containers inside it) hold `lotCode`? */
  packedWithin(containerCode: string, lotCode: string): boolean {
    const seen = new Set<string>();
    const queue = [containerCode];
    for (let code = queue.shift(); code !== undefined; code = queue.shift()) {
      if (seen.has(code)) continue;
      seen.add(code);
      for (const child of this.contents(code).keys()) {
        if (child === lotCode) return true;
        if (this.lot(child)?.kind === 'container') queue.push(child);
      }
    }
    return false;
  }

  /** Current contents of a container: the state's, with what this event packed or unpacked. */
  contents(containerCode: string): Map<string, { quantity: number | null; unit: string | null }> {
    const contents = new Map<string, { quantity: number | null; unit: string | null }>(this.state.contents.get(containerCode) ?? []);
    for (const edge of this.draft.edges) {
      if (edge.kind === 'aggregate' && edge.downstreamCode === containerCode)
        contents.set(edge.upstreamCode, { quantity: edge.quantity, unit: edge.unit });
    }
    for (const { parentCode, childCode } of this.draft.unpacked) if (parentCode === containerCode) contents.delete(childCode);
    return contents;
  }
}

/** How many containers a refusal names a lot packed in: the rest it counts. */
const NAMED_CONTAINERS = 3;

/** Whether a recalled container circulationRefusal let through for `act` goes back where its recall sends it (a shipment). */
const goesBack = (lot: LotView, act: CirculationAct) => lot.status === 'recalled' && act === 'ship';

/** How a refusal says what an event does to the lots it takes. */
const TAKEN_AS = { consume: 'used', ship_out: 'shipped', destroy: 'destroyed', sell: 'sold', pack: 'packed' } as const;

/** The outflows a hold or a recall stops (destroying stays possible). */
const CIRCULATION_ACTS: Partial<Record<'consume' | 'ship_out' | 'destroy' | 'sell', CirculationAct>> = {
  consume: 'transform',
  ship_out: 'ship',
  sell: 'sell',
};

/** Which of the fields a lot's badge is judged by a replacement changes (the product first), or null when none. */
function rejudgedField(
  stored: { productCode: string | null; productionDate: string | null },
  productCode: string,
  productionDate: string | null,
): 'productCode' | 'productionDate' | null {
  if (stored.productCode !== productCode) return 'productCode';
  return stored.productionDate !== productionDate ? 'productionDate' : null;
}

/** `count` item codes, as a refusal names them. */
export const itemCodes = (count: number) => `${count} item code${count === 1 ? '' : 's'}`;

/**
 * What a replacement would break of the item codes issued or queued for the lot it makes again under
 * its code (`replaced`, as stored), or null: their packs are labelled with its lot number, and their
 * Digital Links carry it and its product's GTIN (a pack scanned under another is taken for a copy,
 * and codes.csv would give links that differ from the printed ones); one code labels one pack, so a
 * lot counted in pieces keeps at least as many pieces as it has codes.
 */
function brokenCodes(
  code: string,
  replaced: ReplacedLot,
  made: { lotNumber: string | null; product: ProductView | undefined; quantity: number; unit: string },
): { field: 'lotNumber' | 'productCode' | 'quantity'; detail: string; fieldDetail: string } | null {
  const has = `lot ${code} has ${itemCodes(replaced.codesClaimed)} issued or queued`;
  if (made.lotNumber !== replaced.lotNumber) {
    const carried = replaced.lotNumber === null ? 'no lot number' : `lot number ${replaced.lotNumber}`;
    const change = replaced.lotNumber === null ? 'give it one' : 'change it';
    return {
      field: 'lotNumber',
      detail: `${has}, whose labels carry ${replaced.lotNumber === null ? carried : `its ${carried}`}: a correction may not ${change}`,
      fieldDetail: `the lot’s item codes carry ${carried}`,
    };
  }
  const gtin = replaced.gtin && toGtin14(replaced.gtin);
  const madeGtin = made.product?.gtin ? toGtin14(made.product.gtin) : null;
  if (gtin && gtin !== madeGtin) {
    return {
      field: 'productCode',
      detail: `${has}, whose Digital Links carry its GTIN ${gtin}: a correction may not move it to product ${made.product?.code} (${madeGtin ? `GTIN ${madeGtin}` : 'no GTIN'})`,
      fieldDetail: `the lot’s item codes carry GTIN ${gtin}`,
    };
  }
  if (decimalsAllowed(made.unit) === 0 && made.quantity < replaced.codesClaimed) {
    return {
      field: 'quantity',
      detail: `${has}, one per pack: a correction may not make it ${made.quantity} ${made.unit}, fewer than its codes`,
      fieldDetail: `at least ${replaced.codesClaimed}, one per item code`,
    };
  }
  return null;
}

/**
 * The refusal (409 at `pointer`) of a correction that would void lot `code`, which has `claimed` item
 * codes issued or queued: they are printed on packs already in circulation, which would then scan as
 * copies (404 "not genuine", flagged unknown_code). `why`: what leaves the lot voided.
 */
export function voidsCodes(code: string, claimed: number, pointer: Pointer, why: string, fieldDetail: string): Problem {
  return conflict(
    `lot ${code} has ${itemCodes(claimed)} issued or queued, printed on its packs: ${why}, so the lot would be voided and its packs would scan as copies; send the correction with a replacement that makes it again, keeping its lot number, its GTIN and, if counted in pieces, a piece a code`,
    [bodyField(pointer, fieldDetail)],
  );
}

/** The production date plus the product's shelf life; refused (422) at `pointer` when that runs past the last storable day. */
function defaultExpiry(productionDate: string | null, shelfLifeDays: number | null, pointer: Pointer): string | null {
  if (!productionDate || !shelfLifeDays) return null;
  const date = new Date(`${productionDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + shelfLifeDays);
  if (!isStorableTime(date)) {
    throw unprocessable('invalid-dates', `a shelf life of ${shelfLifeDays} days from ${productionDate} runs past 9999-12-31`, [
      bodyField(pointer, 'shelf life runs past 9999-12-31'),
    ]);
  }
  return date.toISOString().slice(0, 10);
}
