// Everything one event writes, collected while its rules are checked. Rules only read the world
// state and fill a draft; the state takes the draft's effects once the event has passed every
// rule, and the writer stores all drafts of a batch at once.
import type { LotAttributes, LotHold, ReferenceDocument } from '../../db/schema.js';
import { type MovementKind, roundQuantity } from '../../lots/ledger.js';

export type Pointer = (string | number)[];
export type EventLotRole = 'subject' | 'input' | 'output' | 'parent' | 'child';

export type NewLot = {
  code: string;
  kind: 'lot' | 'container';
  partyCode: string;
  productCode: string | null;
  lotNumber: string | null;
  sscc: string | null;
  quantity: number;
  unit: string;
  productionDate: string | null;
  expiryDate: string | null;
  sellByDate: string | null;
  originLocationCode: string | null;
  attributes: LotAttributes;
  status: string;
  createdByEventId: string;
};

type Movement = {
  eventId: string;
  lotCode: string;
  partyCode: string;
  kind: MovementKind;
  quantity: number;
  /** Where the quantity lies: packed in this container, or loose (null). */
  containerCode: string | null;
};

export type Edge = {
  upstreamCode: string;
  downstreamCode: string;
  kind: 'transform' | 'aggregate';
  quantity: number | null;
  unit: string | null;
  eventId: string;
  partyCode: string;
  /** A containment a later event of the same batch ended: stored ended. */
  endedByEventId?: string;
};

export type ShipmentLine = { lotCode: string; containerCode: string | null; quantity: number };

export type NewShipment = {
  id: string;
  fromPartyCode: string;
  fromLocationCode: string | null;
  toPartyCode: string;
  toLocationCode: string | null;
  shippedAt: Date;
  lines: ShipmentLine[];
};

/**
 * What an event takes of a lot from one place, for the held-then rule (see EventDraft.heldThen): its
 * loose stock (`containerCode` null) or what is packed in a container; `where` says which in a refusal.
 */
export type HeldThenTake = {
  lotCode: string;
  containerCode: string | null;
  quantity: number;
  booked: number;
  done: string;
  name: string;
  where: string;
  unit: string;
  at: Pointer;
};

/** A lot an event does something to, for the received-by rule (see EventDraft.receivedBy). */
export type ReceivedByUse = { lotCode: string; done: string; name: string; at: Pointer };

export type EventRecord = {
  id: string;
  type: string;
  eventTime: Date;
  eventTimeZoneOffset: string;
  partyCode: string;
  bizStep: string;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  referenceDocuments: ReferenceDocument[];
  payload: Record<string, unknown>;
  correctsEventId: string | null;
  epcisType: string | null;
  transformationId: string | null;
  /** A correction's corrective events (see correctiveEventIdsOf), kept apart from its payload for EQ_correctiveEventID. */
  correctiveEventIds: string[] | null;
  recordTime: Date;
};

/**
 * An inspection, or an event carrying reference documents: what a lot's inspections and
 * certificates are read from (event_lots.evidence marks its links, so a trace's graph finds them
 * without reading every event of its lots).
 */
export const isEvidence = (event: Pick<EventRecord, 'type' | 'referenceDocuments'>) =>
  event.type === 'inspect' || event.referenceDocuments.length > 0;

export class EventDraft {
  /** namedAsInstance: only captured EPCIS events say it (see event_lots.named_as_instance). */
  readonly links = new Map<string, { lotCode: string; role: EventLotRole; quantity: number | null; namedAsInstance?: boolean }>();
  private readonly createdLots: NewLot[] = [];
  private readonly newLotsByCode = new Map<string, NewLot>();
  private readonly newLotsBySscc = new Map<string, NewLot>();
  private readonly newLotNumbers = new Set<string>();
  readonly identifiers: { kind: string; value: string; lotCode: string }[] = [];
  readonly movements: Movement[] = [];
  readonly edges: Edge[] = [];
  /** Containment this event ends (unpacking): parent container → child lots. */
  readonly unpacked: { parentCode: string; childCode: string }[] = [];
  readonly shipments: NewShipment[] = [];
  readonly receipts: { shipmentId: string; received: Map<string, number> }[] = [];
  /** Serialized packs put into (or taken out of, null) a container. */
  readonly packContainers = new Map<string, string | null>();
  /** Holds the event puts on (a hold) or takes off (null) lots. */
  readonly holds = new Map<string, LotHold | null>();
  /** Lots whose status the event may change (the writer recomputes them). */
  readonly touched = new Set<string>();
  /**
   * Lots the event uses, as the chronology rule holds it to their beginning (see USED_AS): the
   * links by which it uses them, and does not make them, carry its time (event_lots.used_at).
   */
  readonly uses = new Set<string>();
  /**
   * The container a packing creates: it comes into being by the packing (see `makes`), where one
   * packed into already there, or one an EPCIS sighting names for the first time, does not.
   */
  readonly packedNew = new Set<string>();
  /**
   * Lots a recall names without loading them (its scope may reach 100,000): linked as subjects
   * like the others, and made recalled by the stored batch in one set-based update from the
   * statuses they have, instead of from ledgers read lot by lot.
   */
  readonly recalledUnloaded: string[] = [];
  /**
   * What the event takes of each lot, by `${lot}|${container}` (loose: no container; and packed in each
   * container it takes), judged by what its party held there then once the whole batch is applied
   * (see Scope.heldThenLater). `booked`: what the event had booked of the lot for its party there
   * when it took it (a lot an EPCIS event names first, made by it; all it takes of a lot packed in a
   * container taken, given back).
   */
  readonly heldThen = new Map<string, HeldThenTake>();
  /**
   * The lots the event does something to that its party did not make, judged by when the party
   * first received each once the whole batch is applied (see Scope.receivedByLater).
   */
  readonly receivedBy: ReceivedByUse[] = [];

  constructor(
    readonly id: string,
    readonly actor: string,
  ) {}

  link(lotCode: string, role: EventLotRole, quantity: number | null = null) {
    this.links.set(`${lotCode}:${role}`, { lotCode, role, quantity });
    this.touched.add(lotCode);
  }

  /** Links each lot of `lines` once as `role`, with all its lines together (a lot packed in two containers, or also loose). */
  linkTotals(lines: readonly { lotCode: string; quantity: number }[], role: EventLotRole) {
    const totals = new Map<string, number>();
    for (const { lotCode, quantity } of lines) totals.set(lotCode, roundQuantity((totals.get(lotCode) ?? 0) + quantity));
    for (const [lotCode, quantity] of totals) this.link(lotCode, role, quantity);
  }

  recallUnloaded(lotCodes: string[]) {
    for (const lotCode of lotCodes) {
      this.links.set(`${lotCode}:subject`, { lotCode, role: 'subject', quantity: null });
      this.recalledUnloaded.push(lotCode);
    }
  }

  move(lotCode: string, kind: MovementKind, quantity: number, containerCode: string | null = null, partyCode = this.actor) {
    this.touched.add(lotCode);
    if (quantity === 0) return;
    this.movements.push({ eventId: this.id, lotCode, partyCode, kind, quantity, containerCode });
    this.touched.add(lotCode);
  }

  /**
   * What the event has booked of the lot for a party so far, its movements summed: all of them, or
   * (`containerCode` given) those of its loose stock (null) or of what lies in that container.
   */
  booked(lotCode: string, partyCode = this.actor, containerCode?: string | null): number {
    let booked = 0;
    for (const movement of this.movements) {
      if (movement.lotCode !== lotCode || movement.partyCode !== partyCode) continue;
      if (containerCode === undefined || movement.containerCode === containerCode) booked += movement.quantity;
    }
    return roundQuantity(booked);
  }

  createLot(lot: NewLot) {
    this.createdLots.push(lot);
    if (!this.newLotsByCode.has(lot.code)) this.newLotsByCode.set(lot.code, lot);
    if (lot.sscc && !this.newLotsBySscc.has(lot.sscc)) this.newLotsBySscc.set(lot.sscc, lot);
    if (lot.lotNumber) this.newLotNumbers.add(lot.lotNumber);
    this.touched.add(lot.code);
  }

  /** The lots this event creates, in order (added only by `createLot`, which indexes them). */
  get newLots(): readonly NewLot[] {
    return this.createdLots;
  }

  /** A lot this event creates, by code (indexed: one EPCIS event may create 10,000). */
  newLot(code: string): NewLot | undefined {
    return this.newLotsByCode.get(code);
  }

  /** A container this event creates, by SSCC. */
  newLotWithSscc(sscc: string): NewLot | undefined {
    return this.newLotsBySscc.get(sscc);
  }

  createsLotNumber(lotNumber: string): boolean {
    return this.newLotNumbers.has(lotNumber);
  }
}
