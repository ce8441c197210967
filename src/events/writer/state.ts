// The part of the world one batch of events reads and changes, loaded once up front and kept in
// memory while the batch's rules run: each event sees what the events before it did, and the
// writer stores the end result. Pure: the loader fills it, the writer persists what changed.
import type { LotAttributes, LotHold } from '../../db/schema.js';
import { nextLotStatus, roundQuantity } from '../../lots/ledger.js';
import type { Edge, EventDraft, NewLot, NewShipment } from './draft.js';

export type LotView = {
  code: string;
  kind: string;
  partyCode: string;
  productCode: string | null;
  lotNumber: string | null;
  sscc: string | null;
  quantity: number;
  unit: string;
  status: string;
  voided: boolean;
  attributes: LotAttributes;
  hold: LotHold | null;
  /** The recalls that reached the lot, in the order they opened, when it is recalled (a refusal names them); empty otherwise. */
  recalls: string[];
  /** A recalled container a recall named itself (it goes back to its packer; see recallReturnParties). */
  recallRoot: boolean;
  /**
   * When the lot came into being: the earliest live event that made it (see `makes`), null when
   * none did (an identifier an EPCIS event named before any event made it, or whose making was
   * declared in error). Events using the lot are not dated before it.
   */
  madeAt: Date | null;
  /**
   * When the earliest live event that used the lot (see `usesLink`) took place, null when none
   * did: a lot nothing made yet does not come into being after it.
   */
  firstUsedAt: Date | null;
};

/**
 * Whether an event of this type, linking a lot in this role, made the lot: a commission (EPCIS
 * may commission an identifier it saw first in another event), a transformation's output, or the
 * container a packing creates (draft.packedNew). Packing into a container already there (one first
 * seen shipped, say) fills it and does not bring it into being, nor does an EPCIS sighting recorded
 * as a packing. The writer marks such links (event_lots.makes), which `madeAt` is read from.
 */
export const makes = (eventType: string, link: { lotCode: string; role: string }, draft: Pick<EventDraft, 'packedNew'>) =>
  eventType === 'commission' ||
  (eventType === 'transform' && link.role === 'output') ||
  (eventType === 'aggregate' && link.role === 'parent' && draft.packedNew.has(link.lotCode));

/**
 * Whether the event used the lot by this link: the lot is one the chronology rule held the event
 * to (draft.uses), and the link does not make it. The writer stores the event's time on such links
 * (event_lots.used_at), which `firstUsedAt` is read from.
 */
export const usesLink = (eventType: string, link: { lotCode: string; role: string }, draft: EventDraft) =>
  draft.uses.has(link.lotCode) && !makes(eventType, link, draft);

export type ShipmentView = {
  id: string;
  shipEventId: string;
  fromPartyCode: string;
  toPartyCode: string;
  toLocationCode: string | null;
  status: string;
  /** The time of its ship event: a receipt is not dated before it. */
  shippedAt: Date;
  lines: {
    lotCode: string;
    containerCode: string | null;
    quantity: number;
    receivedQuantity: number | null;
    /** The receipt that took the line (a shipment may arrive in parts). */
    receiveEventId: string | null;
  }[];
};

/**
 * A lot a correction's replacement makes again under its code, as stored: what its badge is judged by
 * (its product, its production date, when it was recorded: `createdAt` as Date#toISOString writes it),
 * whether its packs are coded, and what its item codes carry (its lot number, its product's GTIN) and
 * count (`codesClaimed`: issued or queued, one a pack).
 */
export type ReplacedLot = {
  productCode: string | null;
  productionDate: string | null;
  createdAt: string;
  coded: boolean;
  lotNumber: string | null;
  gtin: string | null;
  codesClaimed: number;
};

export type ProductView = {
  code: string;
  partyCode: string;
  name: string;
  unit: string;
  gtin: string | null;
  shelfLifeDays: number | null;
};
export type StatusFacts = { lastDrain?: { kind: string; at: number }; recalled: boolean };

/**
 * What a party held of a lot at a time by the stored events (see WorldState.storedHoldingsAt), and
 * the least it held from then until the next time watched of the pair (`window`; see leastOnward).
 */
type StoredHolding = { before: number; arriving: number; through: number; window: Onward };
/** The least a party holds of a lot from a time on, and the earliest time it holds that little. */
export type Onward = { least: number; from: Date };

/** What a container holds of one lot or container (see WorldState.contents). */
export type Content = { quantity: number | null; unit: string | null; packedAt: Date; firstPackedAt: Date };

/**
 * A lot (or container) a party unpacked from a container (see WorldState.unpackings): when it was
 * packed there (the earliest packing the unpacking ended) and when it came out.
 */
export type Unpacking = { childCode: string; childKind: string; partyCode: string; eventId: string; packedAt: Date; unpackedAt: Date };

const balanceKey = (lotCode: string, partyCode: string, containerCode: string | null) => `${lotCode}|${partyCode}|${containerCode ?? ''}`;

/**
 * Which of a party's stock of a lot a ledger over time keeps (see WorldState.watchHoldings): loose
 * (null), packed in one container (its code), or all of it, loose and packed together (undefined:
 * what observations are judged by). `*` and the empty string are no container's code.
 */
export const placeOf = (containerCode: string | null | undefined) => (containerCode === undefined ? '*' : (containerCode ?? ''));

/** The key of a party's ledger of a lot over time, at a place (see placeOf). */
const ledgerKey = (lotCode: string, partyCode: string, containerCode: string | null | undefined) =>
  `${lotCode}|${partyCode}|${placeOf(containerCode)}`;

/** Lots by code, also found by SSCC (a batch of thousands of events looks containers up by SSCC). */
class LotMap extends Map<string, LotView> {
  private readonly bySscc = new Map<string, Set<string>>();

  override set(code: string, lot: LotView): this {
    super.set(code, lot);
    if (lot.sscc) {
      const codes = this.bySscc.get(lot.sscc) ?? new Set();
      this.bySscc.set(lot.sscc, codes.add(code));
    }
    return this;
  }

  /** The live lot or container carrying this SSCC. */
  withSscc(sscc: string): LotView | undefined {
    for (const code of this.bySscc.get(sscc) ?? []) {
      const lot = this.get(code);
      if (lot && lot.sscc === sscc && !lot.voided) return lot;
    }
    return undefined;
  }
}

/** Shipments by id, also found by the lots on their lines (what is in transit of a lot). */
class ShipmentMap extends Map<string, ShipmentView> {
  private readonly byLot = new Map<string, Set<string>>();

  override set(id: string, shipment: ShipmentView): this {
    super.set(id, shipment);
    for (const line of shipment.lines) {
      const ids = this.byLot.get(line.lotCode) ?? new Set();
      this.byLot.set(line.lotCode, ids.add(id));
    }
    return this;
  }

  carrying(lotCode: string): ShipmentView[] {
    return [...(this.byLot.get(lotCode) ?? [])].flatMap((id) => this.get(id) ?? []);
  }
}

export class WorldState {
  readonly lots = new LotMap();
  readonly parties = new Map<string, { code: string; kind: string }>();
  readonly locations = new Map<string, { code: string; partyCode: string }>();
  /** GLN → the code of the party, or of the site, registered under it (of those a write names by GLN). */
  readonly partyGlns = new Map<string, string>();
  readonly locationGlns = new Map<string, string>();
  readonly products = new Map<string, ProductView>();
  /** GTIN-14 → its owner: the party of the product registered under it, else of the company prefix it carries. */
  readonly gtinOwners = new Map<string, string>();
  /**
   * `party|product` → why the party may not label packs of its lot of that branded product, judged
   * now (see brands' labelRefusals), given the lot's production date and when it was recorded (unset:
   * now, a lot this write makes); absent: it may label any.
   */
  readonly labelRefusals = new Map<string, (lot: { productionDate: string | null; recordedAt?: Date }) => string[]>();
  /** Lot code → the lot a correction's replacement makes again under it, as stored (see ReplacedLot). */
  readonly replacedLots = new Map<string, ReplacedLot>();
  readonly shipments = new ShipmentMap();
  /**
   * container → its current contents (child lot or container → quantity and unit, and when the latest
   * packing of it still in force took place: an unpacking is not dated before it).
   */
  readonly contents = new Map<string, Map<string, Content>>();
  /**
   * container → the unpackings out of it dated after the batch's earliest event, stored (live) and
   * the batch's applied so far: what lay in it at a time and is no longer in it (see Scope.takeContents).
   */
  readonly unpackings = new Map<string, Unpacking[]>();
  /** container → the container it is packed in. */
  readonly containerOf = new Map<string, string>();
  /** Issued pack codes → their lot and the container they are in. */
  readonly items = new Map<string, { lotCode: string; containerCode: string | null }>();
  readonly takenLotNumbers = new Set<string>();
  readonly takenEarTags = new Set<string>();
  readonly statusFacts = new Map<string, StatusFacts>();
  /** For lots that a batch names as existing transformation outputs: everything downstream of them. */
  readonly downstreamOf = new Map<string, Set<string>>();
  /** Lineage edges the batch's accepted events add: upstream → its downstreams. */
  readonly batchDownstream = new Map<string, Set<string>>();
  /**
   * Lots a correction voided whose replacement makes them again under their codes: when an event
   * not declared in error first used each (those links stay with the code).
   */
  readonly firstUseOfReplaced = new Map<string, Date>();
  /**
   * `${lot}|${party}` → when the party first received some of the lot (its earliest live receipt that
   * took a quantity): a party ships what it received no earlier than that (see the ship rule).
   */
  readonly firstReceipts = new Map<string, Date>();
  /**
   * `${lot}|${party}|${place}|${time}` → what the party held of the lot at the place (see placeOf) by
   * the live events stored before the batch dated before that time, what came to it at that very
   * time, and what it held once all those dated up to it were booked: at the times an observation or
   * an inspection is judged (all of it: see heldAt), and those of the events taking the lot (loose, or
   * out of a container: see heldThrough), and the least it held from then until the next time watched
   * of the ledger (see leastOnward).
   */
  private readonly storedHoldingsAt = new Map<string, StoredHolding>();
  /** `${lot}|${party}|${place}` → the times watched of the ledger (see storedHoldingsAt), sorted when `sorted`. */
  private readonly watchedTimes = new Map<string, { times: number[]; sorted: boolean }>();
  /**
   * `${lot}|${party}|${place}` → what the batch's accepted events moved of the lot for the party at the
   * place, by event time, and whether they made it (`produce`; watched ledgers only).
   */
  private readonly batchHoldingsOverTime = new Map<string, { at: number; quantity: number; made: boolean }[]>();
  /**
   * Events stored and not declared in error that a batch's events join (see TransformationEdge),
   * and the batch's accepted events: an event rejected is in neither.
   */
  readonly liveEvents = new Set<string>();

  /** What changed, for the writer to store: new rows, and the final values of changed existing ones. */
  readonly created = { lots: new Map<string, NewLot>(), shipments: new Map<string, NewShipment & { shipEventId: string }>() };
  readonly changed = {
    statuses: new Map<string, string>(),
    /** Stored containment this batch ended: `${parent}|${child}` → event. */
    endedContainment: new Map<string, string>(),
    receivedShipments: new Map<string, { receiveEventId: string; receivedAt: Date }>(),
    receivedLines: new Map<
      string,
      { shipmentId: string; lotCode: string; containerCode: string | null; receivedQuantity: number; receiveEventId: string }
    >(),
    itemContainers: new Map<string, string | null>(),
    holds: new Map<string, LotHold | null>(),
  };
  /** Containment edges the batch made and has not stored yet, still open: `${parent}|${child}` → edges. */
  private readonly openBatchContainment = new Map<string, Edge[]>();
  private readonly balances = new Map<string, number>();
  /** lot → party → what it holds, loose and packed together (kept with `balances`). */
  private readonly holdings = new Map<string, Map<string, number>>();
  /** `${lot}|${party}` → the containers it holds the lot packed in (kept with `balances`). */
  private readonly packings = new Map<string, Set<string>>();
  private readonly initialStatus = new Map<string, string>();

  /** A lot an event creates, as the rules see it: made by that event, used only where its code was (see firstUseOfReplaced). */
  viewOfNew(lot: NewLot): LotView {
    // member by member: rules look new lots up many times per event, and a spread of the whole
    // NewLot (its dates and origin, which no rule reads) cost a few per cent of a large capture
    return {
      code: lot.code,
      kind: lot.kind,
      partyCode: lot.partyCode,
      productCode: lot.productCode,
      lotNumber: lot.lotNumber,
      sscc: lot.sscc,
      quantity: lot.quantity,
      unit: lot.unit,
      status: lot.status,
      attributes: lot.attributes,
      voided: false,
      hold: null,
      recalls: [],
      recallRoot: false,
      madeAt: null,
      firstUsedAt: this.firstUseOfReplaced.get(lot.code) ?? null,
    };
  }

  addLot(lot: LotView) {
    this.lots.set(lot.code, lot);
    this.initialStatus.set(lot.code, lot.status);
  }

  addBalance(lotCode: string, partyCode: string, containerCode: string | null, quantity: number) {
    const key = balanceKey(lotCode, partyCode, containerCode);
    this.balances.set(key, roundQuantity((this.balances.get(key) ?? 0) + quantity));
    let holders = this.holdings.get(lotCode);
    if (!holders) {
      holders = new Map();
      this.holdings.set(lotCode, holders);
    }
    holders.set(partyCode, roundQuantity((holders.get(partyCode) ?? 0) + quantity));
    if (containerCode !== null) {
      const packing = `${lotCode}|${partyCode}`;
      this.packings.set(packing, (this.packings.get(packing) ?? new Set()).add(containerCode));
    }
  }

  /** The containers a party has held the lot packed in (some perhaps emptied of it since: see balance). */
  packedIn(lotCode: string, partyCode: string): string[] {
    return [...(this.packings.get(`${lotCode}|${partyCode}`) ?? [])];
  }

  /** What a party holds of a lot, loose (containerCode null) or packed in one container. */
  balance(lotCode: string, partyCode: string, containerCode: string | null = null): number {
    return this.balances.get(balanceKey(lotCode, partyCode, containerCode)) ?? 0;
  }

  /** Notes a receipt of the lot by the party at this time: the earliest is kept. */
  addReceipt(lotCode: string, partyCode: string, at: Date) {
    const key = `${lotCode}|${partyCode}`;
    const first = this.firstReceipts.get(key);
    if (!first || at < first) this.firstReceipts.set(key, at);
  }

  /** When the party first received some of the lot; undefined when it never did. */
  firstReceiptOf(lotCode: string, partyCode: string): Date | undefined {
    return this.firstReceipts.get(`${lotCode}|${partyCode}`);
  }

  /**
   * Keeps the party's ledger of the lot over time at a place (see placeOf, heldAt and heldThrough):
   * what it held there at a time by the stored events, and what the batch moves there.
   */
  watchHoldings(lotCode: string, partyCode: string, stored: ({ at: Date } & StoredHolding)[] = [], containerCode?: string | null) {
    const key = ledgerKey(lotCode, partyCode, containerCode);
    if (!this.batchHoldingsOverTime.has(key)) this.batchHoldingsOverTime.set(key, []);
    for (const { at, before, arriving, through, window } of stored) {
      const point = `${key}|${at.getTime()}`;
      if (!this.storedHoldingsAt.has(point)) {
        const watched = this.watchedTimes.get(key) ?? { times: [], sorted: true };
        watched.times.push(at.getTime());
        watched.sorted = false;
        this.watchedTimes.set(key, watched);
      }
      this.storedHoldingsAt.set(point, { before, arriving, through, window });
    }
  }

  /** The times watched of the pair, in order. */
  private timesWatched(key: string): number[] {
    const watched = this.watchedTimes.get(key);
    if (!watched) return [];
    if (!watched.sorted) {
      watched.times.sort((a, b) => a - b);
      watched.sorted = true;
    }
    return watched.times;
  }

  /**
   * What the party held of the lot loose (`containerCode` null) or packed in that container once
   * every movement dated up to that time was booked, by the stored events and the batch's applied so
   * far: what an event of that time takes it from (kilos packed then were not loose, whatever was
   * unpacked since). What the party made of the lot (its maker's `produce`) counts whenever it was booked:
   * the chronology rule holds uses to the lot's beginning, and a lot first booked by a sighting (EPCIS
   * names what no event made) was not made then. Undefined at a time not watched (see watchHoldings).
   */
  heldThrough(lotCode: string, partyCode: string, time: Date, containerCode: string | null): number | undefined {
    const at = time.getTime();
    const key = ledgerKey(lotCode, partyCode, containerCode);
    const stored = this.storedHoldingsAt.get(`${key}|${at}`);
    const moved = this.batchHoldingsOverTime.get(key);
    if (!stored || !moved) return undefined;
    let held = stored.through;
    for (const movement of moved) if (movement.at <= at || movement.made) held += movement.quantity;
    return roundQuantity(held);
  }

  /**
   * The least the party holds of the lot there (loose or in the container) from that time on (see heldThrough), by the stored events
   * and the batch's applied so far, and the earliest time it holds that little: what an event of
   * that time may take without leaving a later one taking what the party no longer held. Between
   * two times watched of the pair the stored ledger's least is read (see storedHoldingsAt), and what
   * the batch moved up to the first of them is added to it: exact where the batch moved the lot for
   * the party only at times watched (the writer watches each time it may: see the writer's
   * holdingsJudged), and otherwise judged by the batch's lowest between the two, never above it.
   * Undefined at a time not watched.
   */
  leastOnward(lotCode: string, partyCode: string, time: Date, containerCode: string | null): Onward | undefined {
    const at = time.getTime();
    const key = ledgerKey(lotCode, partyCode, containerCode);
    const moved = this.batchHoldingsOverTime.get(key);
    if (!this.storedHoldingsAt.has(`${key}|${at}`) || !moved) return undefined;
    const times = this.timesWatched(key);
    // what the batch made counts whenever booked; the rest by time
    let held = 0;
    const later: { at: number; quantity: number }[] = [];
    for (const movement of moved) {
      if (movement.made || movement.at <= at) held += movement.quantity;
      else later.push(movement);
    }
    later.sort((a, b) => a.at - b.at);
    let least: Onward | undefined;
    let next = 0;
    for (let index = times.indexOf(at); index < times.length; index++) {
      const point = times[index];
      const until = times[index + 1] ?? Number.POSITIVE_INFINITY;
      const window = (this.storedHoldingsAt.get(`${key}|${point}`) as StoredHolding).window;
      for (; next < later.length && later[next].at <= point; next++) held += later[next].quantity;
      // the batch's movements inside the window, none where it moved the lot at watched times alone
      let low = held;
      let lowFrom = point;
      for (; next < later.length && later[next].at < until; next++) {
        held += later[next].quantity;
        const settled = next + 1 === later.length || later[next + 1].at !== later[next].at;
        if (settled && held < low) [low, lowFrom] = [held, later[next].at];
      }
      const total = roundQuantity(window.least + low);
      if (!least || total < least.least) least = { least: total, from: new Date(Math.max(lowFrom, window.from.getTime())) };
    }
    return least;
  }

  /**
   * Whether the party held some of the lot (loose or packed) at any point of that instant, by the
   * events dated up to it: just before it, or after what came to it at that instant. Events at the
   * very same time count either way (equal times are allowed, and say nothing of their order), so a
   * receipt and an observation at one instant agree, as do an observation and a shipment, and a
   * party that received a lot and shipped all of it on at one instant held it then. Only for
   * watched pairs, at the times watched.
   */
  heldAt(lotCode: string, partyCode: string, time: Date): boolean {
    const at = time.getTime();
    const key = ledgerKey(lotCode, partyCode, undefined);
    const stored = this.storedHoldingsAt.get(`${key}|${at}`);
    let before = stored?.before ?? 0;
    let arriving = stored?.arriving ?? 0;
    for (const movement of this.batchHoldingsOverTime.get(key) ?? []) {
      if (movement.at < at) before += movement.quantity;
      else if (movement.at === at && movement.quantity > 0) arriving += movement.quantity;
    }
    // the most it held in the instant: what came to it then, before what left (their order unknown)
    return roundQuantity(before + arriving) > 0;
  }

  /** Every party's holding of a lot, loose and packed together. */
  holdersOf(lotCode: string): Map<string, number> {
    return new Map(this.holdings.get(lotCode));
  }

  /**
   * The parties that owned, held or were sent a lot, who may read it (as GET /lots/{code} decides):
   * its owner, every party with a balance of it (kept when it comes to nothing) and the addressees
   * of the shipments the batch loaded carrying some of it (a stored line of 0 sent nothing, nor did a
   * cancelled shipment). Those are the open ones (and any its events name by id): a received one's
   * addressee holds the lot.
   */
  involvedParties(lot: { code: string; partyCode: string }): Set<string> {
    const sentTo = this.shipments
      .carrying(lot.code)
      .filter(
        (shipment) => shipment.status !== 'cancelled' && shipment.lines.some((line) => line.lotCode === lot.code && line.quantity > 0),
      );
    return new Set([lot.partyCode, ...(this.holdings.get(lot.code)?.keys() ?? []), ...sentTo.map((shipment) => shipment.toPartyCode)]);
  }

  inTransit(lotCode: string): number {
    let total = 0;
    for (const shipment of this.shipments.carrying(lotCode)) {
      if (shipment.status !== 'open') continue;
      for (const line of shipment.lines) if (line.lotCode === lotCode && line.receivedQuantity === null) total += line.quantity;
    }
    return roundQuantity(total);
  }

  /** The lot's status as its ledger now says (see nextLotStatus). */
  statusOf(lotCode: string): string {
    let onHand = 0;
    for (const quantity of this.holdings.get(lotCode)?.values() ?? []) onHand += quantity;
    const facts = this.statusFacts.get(lotCode) ?? { recalled: false };
    return nextLotStatus({ onHand, inTransit: this.inTransit(lotCode), lastDrain: facts.lastDrain?.kind, recalled: facts.recalled });
  }

  /**
   * Whether `to` lies downstream of `from`, over the stored edges and those the batch added before
   * (an earlier event of a document may have made `from` out of `to`).
   */
  reaches(from: string, to: string): boolean {
    const seen = new Set([from]);
    const queue = [from];
    for (let code = queue.pop(); code !== undefined; code = queue.pop()) {
      for (const downstream of [this.downstreamOf.get(code), this.batchDownstream.get(code)]) {
        for (const next of downstream ?? []) {
          if (next === to) return true;
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
    }
    return false;
  }

  /** Takes a checked event's effects. */
  apply(draft: EventDraft, event: { type: string; eventTime: Date; disposition: string | null }) {
    const at = event.eventTime.getTime();
    this.liveEvents.add(draft.id);
    for (const lot of draft.newLots) {
      this.created.lots.set(lot.code, lot);
      this.lots.set(lot.code, this.viewOfNew(lot));
      if (lot.lotNumber) this.takenLotNumbers.add(`${lot.partyCode}|${lot.lotNumber}`);
    }
    // a later event of the batch may use what this one made, or make what this one used
    for (const link of draft.links.values()) {
      const lot = this.lots.get(link.lotCode);
      if (!lot) continue;
      if (makes(event.type, link, draft) && !(lot.madeAt && lot.madeAt <= event.eventTime)) lot.madeAt = event.eventTime;
      if (usesLink(event.type, link, draft) && !(lot.firstUsedAt && lot.firstUsedAt <= event.eventTime)) lot.firstUsedAt = event.eventTime;
    }
    for (const identifier of draft.identifiers) if (identifier.kind === 'ear_tag') this.takenEarTags.add(identifier.value);
    for (const movement of draft.movements) {
      this.addBalance(movement.lotCode, movement.partyCode, movement.containerCode, movement.quantity);
      // to the ledger of all the party holds of the lot, and to that of where the movement lies
      const moved = { at, quantity: movement.quantity, made: movement.kind === 'produce' };
      this.batchHoldingsOverTime.get(ledgerKey(movement.lotCode, movement.partyCode, undefined))?.push(moved);
      this.batchHoldingsOverTime.get(ledgerKey(movement.lotCode, movement.partyCode, movement.containerCode))?.push(moved);
      if (movement.kind === 'receive_in' && movement.quantity > 0) this.addReceipt(movement.lotCode, movement.partyCode, event.eventTime);
      const drains = movement.kind === 'consume' || movement.kind === 'destroy' || movement.kind === 'sell';
      if (drains && movement.quantity < 0) {
        const facts = this.facts(movement.lotCode);
        if (!facts.lastDrain || facts.lastDrain.at <= at) facts.lastDrain = { kind: movement.kind, at };
      }
    }
    if (event.disposition === 'recalled') for (const link of draft.links.values()) this.facts(link.lotCode).recalled = true;
    for (const edge of draft.edges) {
      if (!this.batchDownstream.has(edge.upstreamCode)) this.batchDownstream.set(edge.upstreamCode, new Set());
      this.batchDownstream.get(edge.upstreamCode)?.add(edge.downstreamCode);
      if (edge.kind !== 'aggregate') continue;
      const key = `${edge.downstreamCode}|${edge.upstreamCode}`;
      this.openBatchContainment.set(key, [...(this.openBatchContainment.get(key) ?? []), edge]);
      const contents = this.contentsOf(edge.downstreamCode);
      const before = contents.get(edge.upstreamCode);
      const packedAt = before && before.packedAt > event.eventTime ? before.packedAt : event.eventTime;
      const firstPackedAt = before && before.firstPackedAt < event.eventTime ? before.firstPackedAt : event.eventTime;
      contents.set(edge.upstreamCode, { quantity: edge.quantity, unit: edge.unit, packedAt, firstPackedAt });
      if (this.lots.get(edge.upstreamCode)?.kind === 'container') this.containerOf.set(edge.upstreamCode, edge.downstreamCode);
    }
    for (const { parentCode, childCode } of draft.unpacked) {
      const packedAt = this.contents.get(parentCode)?.get(childCode)?.firstPackedAt ?? event.eventTime;
      const childKind = this.lots.get(childCode)?.kind ?? 'lot';
      const unpacking = { childCode, childKind, partyCode: draft.actor, eventId: draft.id, packedAt, unpackedAt: event.eventTime };
      this.addUnpacking(parentCode, unpacking);
      this.contents.get(parentCode)?.delete(childCode);
      if (this.containerOf.get(childCode) === parentCode) this.containerOf.delete(childCode);
      // it ends every packing of the child there in force: those of this batch are stored ended, the
      // stored ones by the batch's first unpacking of it (a later one ends only what the batch packed since)
      const key = `${parentCode}|${childCode}`;
      for (const edge of this.openBatchContainment.get(key) ?? []) edge.endedByEventId = draft.id;
      this.openBatchContainment.delete(key);
      if (!this.changed.endedContainment.has(key)) this.changed.endedContainment.set(key, draft.id);
    }
    for (const shipment of draft.shipments) {
      this.created.shipments.set(shipment.id, { ...shipment, shipEventId: draft.id });
      this.shipments.set(shipment.id, {
        id: shipment.id,
        shipEventId: draft.id,
        fromPartyCode: shipment.fromPartyCode,
        toPartyCode: shipment.toPartyCode,
        toLocationCode: shipment.toLocationCode,
        status: 'open',
        shippedAt: shipment.shippedAt,
        lines: shipment.lines.map((line) => ({ ...line, receivedQuantity: null, receiveEventId: null })),
      });
    }
    for (const receipt of draft.receipts) {
      const shipment = this.shipments.get(receipt.shipmentId) as ShipmentView;
      for (const line of shipment.lines) {
        const quantity = receipt.received.get(lineKey(line));
        if (quantity === undefined) continue;
        line.receivedQuantity = quantity;
        line.receiveEventId = draft.id;
        this.changed.receivedLines.set(`${shipment.id}|${lineKey(line)}`, {
          shipmentId: shipment.id,
          lotCode: line.lotCode,
          containerCode: line.containerCode,
          receivedQuantity: quantity,
          receiveEventId: draft.id,
        });
      }
      // received once nothing of it is still on the way (a line of 0 sent nothing, and no receipt takes it)
      if (shipment.lines.every((line) => line.receivedQuantity !== null || line.quantity === 0)) {
        shipment.status = 'received';
        this.changed.receivedShipments.set(shipment.id, { receiveEventId: draft.id, receivedAt: event.eventTime });
      }
    }
    for (const [code, hold] of draft.holds) {
      const lot = this.lots.get(code);
      if (lot) lot.hold = hold;
      this.changed.holds.set(code, hold);
    }
    for (const [itemCode, containerCode] of draft.packContainers) {
      const item = this.items.get(itemCode);
      if (item) item.containerCode = containerCode;
      this.changed.itemContainers.set(itemCode, containerCode);
    }
    for (const code of draft.touched) {
      const lot = this.lots.get(code);
      if (!lot || lot.voided) continue;
      lot.status = this.statusOf(code);
      const created = this.created.lots.get(code);
      if (created) created.status = lot.status;
      else if (lot.status !== this.initialStatus.get(code)) this.changed.statuses.set(code, lot.status);
      else this.changed.statuses.delete(code);
    }
  }

  /**
   * The changes so far are stored: lots and shipments made become stored rows, whose later changes
   * are updates, and what is stored now is what a later change is compared with.
   */
  stored() {
    this.openBatchContainment.clear();
    this.created.lots.clear();
    this.created.shipments.clear();
    for (const changes of Object.values(this.changed)) changes.clear();
    for (const lot of this.lots.values()) this.initialStatus.set(lot.code, lot.status);
  }

  addUnpacking(containerCode: string, unpacking: Unpacking) {
    const unpackings = this.unpackings.get(containerCode);
    if (unpackings) unpackings.push(unpacking);
    else this.unpackings.set(containerCode, [unpacking]);
  }

  /**
   * The latest unpacking by the party out of the container dated after `time` (see unpackings), if
   * any: the one to correct first, as a correction of an unpacking undoes the latest first.
   */
  unpackedAfter(containerCode: string, partyCode: string, time: Date): Unpacking | undefined {
    let latest: Unpacking | undefined;
    for (const unpacking of this.unpackings.get(containerCode) ?? []) {
      if (unpacking.partyCode !== partyCode || unpacking.unpackedAt <= time) continue;
      if (!latest || unpacking.unpackedAt > latest.unpackedAt) latest = unpacking;
    }
    return latest;
  }

  contentsOf(containerCode: string) {
    let contents = this.contents.get(containerCode);
    if (!contents) {
      contents = new Map();
      this.contents.set(containerCode, contents);
    }
    return contents;
  }

  private facts(lotCode: string): StatusFacts {
    let facts = this.statusFacts.get(lotCode);
    if (!facts) {
      facts = { recalled: false };
      this.statusFacts.set(lotCode, facts);
    }
    return facts;
  }
}

/** One line of a shipment: a lot, loose or inside a container. */
export const lineKey = (line: { lotCode: string; containerCode: string | null }) => `${line.lotCode}|${line.containerCode ?? ''}`;
