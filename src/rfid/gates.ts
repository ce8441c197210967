// Observations to events. Stored reads wait until their window has closed; then, a chunk at a
// time, each observation's tag is resolved to what it names and, by the role of its read point,
// becomes an `observe` (pass-through), a `receive` of what was read of an open shipment to the
// party (entry gate), a departure matched to an open shipment from the party or reported as
// unexpected (exit gate), or a tag binding (commissioning station). Events are written through the
// one event writer, in the same transaction that marks the observations done, so a crash redoes a
// chunk or none of it; a read point whose windows cannot be turned into events is set aside to be
// tried again later, without holding back the others.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { mayBindTagOfKeyOwner, mayBindTagsTo } from '../access/index.js';
import type { Db, Transact } from '../db/client.js';
import { Problem } from '../errors/problem.js';
import { timeZoneOffsetOf } from '../events/time.js';
import { type EventWriter, FUTURE_TOLERANCE_MS, type WriteRequest } from '../events/writer/index.js';
import type { Identifier } from '../identifiers/parse.js';
import type { IdentifierService } from '../identifiers/service.js';
import { READER_CLOCK, SET_THE_READER_CLOCK } from './payloads.js';
import type { ReadOutcome, ReadPointRow, ReadRow, RfidRepository, TagRow } from './repository.js';
import { bindingValues, companyKeyOf, gs1KeyOf, tagKey } from './tags.js';

/**
 * What a tag names: a lot or container, or one pack of a lot (`pack`, by which the gates count it
 * once: its item code, or for a tag bound as one pack of its lot without one, the tag's binding).
 */
type Referent = { lotCode: string; itemCode: string | null; pack: string | null };
/** What a tag binding names (see Referent). */
const referentOfBinding = (tag: TagRow): Referent => ({
  lotCode: tag.lotCode,
  itemCode: tag.itemCode,
  pack: tag.itemCode ?? (tag.unit === 'pack' ? `${tag.kind} ${tag.value}` : null),
});
/** An observation whose tag names something known. */
type Seen = { row: ReadRow; referent: Referent };
type ShipmentLine = Awaited<ReturnType<RfidRepository['openShipments']>>[number];
type Pack = Awaited<ReturnType<RfidRepository['packedPacks']>>[number];
/**
 * What a chunk's exit gates have let leave so far: the shipments whose earlier departures were
 * counted, the packs counted against each line (see planDepartures), and the shipment each pack
 * they let leave now left on, with its addressee (whose entry gate, later in the chunk, receives
 * that shipment with it): several for a pack flagged `ambiguous_departure`, the shipments it may
 * have left in.
 */
type DepartureCounts = {
  shipments: Set<string>;
  packs: Map<string, Set<string>>;
  leftOn: Map<string, { shipmentId: string; toPartyCode: string }[]>;
};

const CHUNK = 1000;

/**
 * The earliest the service may have received a read of a pack that came in a shipment shipped at
 * `shippedAt`: a pack read before the shipment left cannot have come in it. Judged by the
 * service's clock, which received the read, not the reader's (a reader whose clock runs behind
 * would date its reads before the shipment); the ship time is the sender's, whose clock may run
 * ahead of the service's by the drift the event writer allows.
 */
export function receivedSince(shippedAt: Date): Date {
  return new Date(shippedAt.getTime() - FUTURE_TOLERANCE_MS);
}

type Plan = {
  request: WriteRequest;
  rows: ReadRow[];
  outcome: 'observed' | 'received' | 'unexpected_departure' | 'ambiguous_departure';
  detail: string | null;
  /** The shipments a pack flagged `ambiguous_departure` may have left in. */
  mayHaveLeftIn?: string[];
  /** Packs read in earlier windows that waited for the rest of what this receives: received by it too. */
  waited?: ReadRow[];
  /** The case each pack it receives came in (its packs counted towards that case's line). */
  receivedIn?: ReadonlyMap<ReadRow, string>;
  /**
   * An observation of reads the service first had in several batches: the same, one per batch, tried
   * when the writer refuses it whole (a late batch, judged when the service had it, costs the others nothing).
   */
  byBatch?: Plan[];
};
/**
 * Packs read at a gate in earlier windows that wait for the rest of a case (`case|code`) or a loose
 * line (`lot|code`), with when the service received their reads and the shipment they wait for.
 */
type PacksReadBefore = Map<string, { row: ReadRow; pack: string; receivedAt: Date; awaits: string | null }[]>;

/**
 * What a pack read at an entry gate counts towards: the case it is packed in while an open line
 * carries that case; nothing while the party holds that case (the pack came in it, received: it is
 * the party's, and brings no loose line of its lot); else its lot (a loose line of it).
 */
function packKey(lines: ShipmentLine[], held: ReadonlySet<string>, lotCode: string, pack: Pack | undefined): string | null {
  if (!pack) return `lot|${lotCode}`;
  if (lines.some((line) => line.lotCode === pack.containerCode)) return `case|${pack.containerCode}`;
  return held.has(pack.containerCode) ? null : `lot|${lotCode}`;
}

/**
 * When the service had every read of these windows (the first batch bringing a read of each, by its
 * own clock; later batches' reads of a window move it not): the party observes a lot only if it held
 * it then too, when that is later than the time the reader gave (see the observe rule), as a reader's
 * clock may run behind and date reads the service had only after a shipment before it. Windows
 * stored before migration 0069 have no such time and are held to the reader's.
 */
function readsReceivedAt(rows: ReadRow[]): { readsReceivedAt?: Date } {
  const times = rows.flatMap((row) => (row.firstReceivedAt ? [row.firstReceivedAt.getTime()] : []));
  return times.length > 0 ? { readsReceivedAt: new Date(Math.max(...times)) } : {};
}

/** Rows by when the service first had a read of each (those stored before migration 0069, without that time, together). */
function byFirstReceipt(rows: ReadRow[]): ReadRow[][] {
  const batches = new Map<number | null, ReadRow[]>();
  for (const row of rows) {
    const key = row.firstReceivedAt?.getTime() ?? null;
    batches.set(key, [...(batches.get(key) ?? []), row]);
  }
  return [...batches.values()];
}

/** A failed observation is tried again after 10 s, then twice as long each time, and given up (null) after 8 tries. */
export function retryAfter(attempts: number, now: Date): Date | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  return new Date(now.getTime() + Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS));
}
const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 10_000;
const RETRY_MAX_MS = 3_600_000;

/**
 * What the reads' party is shown of a failure (the writer's refusals are outcomes, not failures):
 * the cause is logged, never shown, as it may hold SQL text and its parameters.
 */
const FAILURE_DETAIL = 'the service failed while turning these reads into events; the cause is logged';

function byReadPoint(rows: ReadRow[]): ReadRow[][] {
  const groups = new Map<string, ReadRow[]>();
  for (const row of rows) groups.set(row.readPointId, [...(groups.get(row.readPointId) ?? []), row]);
  return [...groups.values()];
}

/** The read that dates an event of these: the earliest, by the reader's time. */
const earliestRead = (rows: ReadRow[]) => rows.reduce((earliest, row) => (row.firstSeen < earliest.firstSeen ? row : earliest));

const rowKey = (row: Pick<ReadRow, 'readPointId' | 'tagKey' | 'windowStart'>) =>
  `${row.readPointId}|${row.tagKey}|${row.windowStart.getTime()}`;

export function createGateService(deps: {
  transaction: Transact;
  rfid: Pick<
    RfidRepository,
    | 'closedWindows'
    | 'recordOutcomes'
    | 'recordFailures'
    | 'findReadPoints'
    | 'findTags'
    | 'openShipments'
    | 'packedPacks'
    | 'waitingPacks'
    | 'departures'
    | 'departuresTo'
    | 'keptTags'
    | 'precedingReceipts'
    | 'bindTags'
    | 'custodyOf'
    | 'ownersOfTagKeys'
    | 'shipEventsRecordedAt'
    | 'findReadersByIds'
  >;
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  writer: Pick<EventWriter, 'write' | 'lockChains'>;
  now: () => Date;
  onError?: (error: unknown) => void;
}) {
  const { rfid } = deps;

  /**
   * What each observation's tag names: its EPC binding, else the GS1 key its EPC carries or its TID
   * binding. A TID binding outranks a key naming a known case or pack only while the party that
   * made it may bind tags to that (see mayBindTagsTo): a TID says nothing of the EPC read with it,
   * so the rule an EPC binding is held to when it is made is held here, at the read.
   */
  async function resolve(tx: Db, rows: ReadRow[]): Promise<Map<string, Referent>> {
    // by the GS1 key the tag carries, whichever way the binding and the read spelled it
    const byEpc = new Map(
      (await rfid.findTags('epc', [...new Set(rows.flatMap((row) => bindingValues(row.tag)))], tx)).map((tag) => [tag.value, tag]),
    );
    const tids = [...new Set(rows.flatMap((row) => (row.tid ? [row.tid] : [])))];
    const byTid = new Map((await rfid.findTags('tid', tids, tx)).map((tag) => [tag.value, tag]));
    const found = new Map<string, Referent>();
    const keyed: { row: ReadRow; id: Identifier; byTid: TagRow | undefined }[] = [];
    for (const row of rows) {
      const bound = bindingValues(row.tag)
        .map((value) => byEpc.get(value))
        .find((tag) => tag !== undefined);
      if (bound) {
        found.set(rowKey(row), referentOfBinding(bound));
        continue;
      }
      const tidBinding = row.tid ? byTid.get(row.tid) : undefined;
      const key = gs1KeyOf(row.tag);
      if (key) {
        try {
          keyed.push({ row, id: deps.identifiers.parse(key), byTid: tidBinding });
          continue;
        } catch (error) {
          if (!(error instanceof Problem)) throw error;
        }
      }
      if (tidBinding) found.set(rowKey(row), referentOfBinding(tidBinding));
    }
    const referents = await deps.identifiers.findMany(
      keyed.map((entry) => entry.id),
      tx,
    );
    const carried = keyed.map(({ byTid }, index) => {
      const referent = referents[index];
      return referent && referent.kind !== 'product' && byTid ? referent.lotCode : null;
    });
    const custody = await rfid.custodyOf([...new Set(carried.flatMap((lotCode) => (lotCode ? [lotCode] : [])))], tx);
    keyed.forEach(({ row, byTid }, index) => {
      const referent = referents[index];
      const known = referent && referent.kind !== 'product' ? referent : undefined;
      const lot = known && custody.get(known.lotCode);
      if (byTid && (!known || (lot && mayBindTagsTo(byTid.partyCode, lot)))) {
        found.set(rowKey(row), referentOfBinding(byTid));
      } else if (known) {
        const itemCode = known.kind === 'item' ? known.itemCode : null;
        found.set(rowKey(row), { lotCode: known.lotCode, itemCode, pack: itemCode });
      }
    });
    return found;
  }

  function context(readPoint: ReadPointRow, rows: ReadRow[], bizStep: string, bizLocation: boolean): WriteRequest['context'] {
    const first = earliestRead(rows);
    return {
      eventTime: first.firstSeen.toISOString(),
      eventTimeZoneOffset: timeZoneOffsetOf(first.firstSeenRaw),
      bizStep,
      readPoint: readPoint.locationCode,
      ...(bizLocation ? { bizLocation: readPoint.locationCode } : {}),
    };
  }

  /** One observe event per lot seen in each window, with how many of its tags and reads. */
  function observations(
    readPoint: ReadPointRow,
    seen: Seen[],
    bizStep: string,
    outcome: Plan['outcome'],
    detailOf: (lotCode: string) => string | null = () => null,
  ): Plan[] {
    const byLot = new Map<string, { lotCode: string; rows: ReadRow[] }>();
    for (const { row, referent } of seen) {
      const key = `${referent.lotCode}|${row.windowStart.getTime()}`;
      const group = byLot.get(key) ?? { lotCode: referent.lotCode, rows: [] };
      group.rows.push(row);
      byLot.set(key, group);
    }
    const observation = (lotCode: string, rows: ReadRow[]): Plan => ({
      request: {
        actor: readPoint.partyCode,
        action: {
          type: 'observe',
          lotCodes: [lotCode],
          // a tag read in two spellings (by two readers of the read point) is one tag
          readings: [
            {
              readPoint: readPoint.name,
              tags: new Set(rows.map((row) => row.tagKey)).size,
              reads: rows.reduce((sum, row) => sum + row.readCount, 0),
            },
          ],
          ...readsReceivedAt(rows),
        },
        context: context(readPoint, rows, bizStep, bizStep !== 'departing'),
      },
      rows,
      outcome,
      detail: detailOf(lotCode),
    });
    return [...byLot.values()].map(({ lotCode, rows }) => {
      const batches = byFirstReceipt(rows);
      const plan = observation(lotCode, rows);
      return batches.length > 1 ? { ...plan, byBatch: batches.map((batch) => observation(lotCode, batch)) } : plan;
    });
  }

  /**
   * The packs read at this gate in earlier windows that still wait for the rest of their case or
   * loose line in one of these open shipments (see waitingPacks), read since the earliest of them
   * was shipped (see receivedSince): a case, or a lot shipped loose in pieces, whose packs pass the
   * door over several windows, however long apart, is received once all were read.
   */
  async function packsWaiting(tx: Db, readPoint: ReadPointRow, seen: Seen[], lines: ShipmentLine[]) {
    if (lines.length === 0 || !seen.some(({ referent }) => referent.pack)) return [];
    const shippedFirst = Math.min(...lines.map((line) => new Date(line.shippedAt).getTime()));
    const shipmentIds = [...new Set(lines.map((line) => line.id))];
    const rows = await rfid.waitingPacks(tx, readPoint.id, shipmentIds, receivedSince(new Date(shippedFirst)));
    const referents = await resolve(tx, rows);
    return rows.flatMap(({ receivedAt, ...row }) => {
      const referent = referents.get(rowKey(row));
      return referent?.pack
        ? [{ row, lotCode: referent.lotCode, itemCode: referent.itemCode, pack: referent.pack, receivedAt, awaits: row.awaitsShipmentId }]
        : [];
    });
  }

  /**
   * The shipment each pack read left on, of the open shipments to the party, where the sender's exit
   * gate counted it leaving in one (in an earlier chunk, see departuresTo, or in this one:
   * `departedNow`); read leaving more than once, the latest. Known whether or not that shipment still
   * has an open line of the pack's lot: a pack that left in one shipment arrives in no other. A pack
   * the sender's gate flagged `ambiguous_departure` left in one of the shipments it fitted: those of
   * them on their way to the party (one, mostly: the other went elsewhere).
   */
  async function shipmentsLeftOn(
    tx: Db,
    partyCode: string,
    seen: Seen[],
    departedNow: DepartureCounts['leftOn'],
  ): Promise<Map<string, string[]>> {
    const leftOn = new Map<string, string[]>();
    const packs = seen.filter(({ referent }) => referent.pack);
    if (packs.length === 0) return leftOn;
    const rows = await rfid.departuresTo(tx, partyCode, [...new Set(packs.map(({ row }) => row.tagKey))]);
    const referents = await resolve(tx, rows);
    for (const row of rows.sort(takenBefore)) {
      const pack = referents.get(rowKey(row))?.pack;
      if (pack) leftOn.set(pack, row.leftIn);
    }
    for (const [pack, shipments] of departedNow) {
      const toParty = shipments.flatMap(({ shipmentId, toPartyCode }) => (toPartyCode === partyCode ? [shipmentId] : []));
      if (toParty.length > 0) leftOn.set(pack, toParty);
    }
    return leftOn;
  }

  /** The containers of these the party holds (received, or its own). */
  async function heldBy(tx: Db, partyCode: string, containerCodes: string[]): Promise<Set<string>> {
    const custody = await rfid.custodyOf([...new Set(containerCodes)], tx);
    return new Set([...custody].flatMap(([code, lot]) => (lot.holders.has(partyCode) ? [code] : [])));
  }

  /**
   * Entry gate: what was read of an open shipment to the party is received, and only that (the
   * rest of the shipment stays in transit): a lot or container whose own tag was read, a case
   * whose packs were all read, or a lot shipped loose once all of its packs were read. A tag
   * received here in the window just before, in any spelling (read across a window boundary, or
   * lingering at the door; its readers' reads of one window are one window, by its key) is not
   * received again, nor observed. Everything else read is observed as arriving. A pack counts
   * towards the shipment it left on, when the sender's exit gate counted it leaving in one
   * (`departedNow`: in this chunk; see shipmentsLeftOn).
   */
  async function entry(
    tx: Db,
    readPoint: ReadPointRow,
    entries: Seen[],
    departedNow: DepartureCounts['leftOn'],
    settle: (
      row: ReadRow,
      outcome: string,
      lotCode: string,
      eventId: string | null,
      detail: string | null,
      awaitsShipmentId?: string,
    ) => void,
  ): Promise<Plan[]> {
    const preceding = await rfid.precedingReceipts(
      tx,
      readPoint.id,
      readPoint.windowSeconds * 1000,
      entries.map(({ row }) => row),
    );
    const seen: Seen[] = [];
    for (const [index, entry] of entries.entries()) {
      const receipt = preceding.get(index);
      if (receipt) settle(entry.row, 'already_received', entry.referent.lotCode, receipt.eventId, receipt.detail);
      else seen.push(entry);
    }
    const packs = new Map(
      (
        await rfid.packedPacks(
          tx,
          seen.flatMap(({ referent }) => (referent.itemCode ? [referent.itemCode] : [])),
        )
      ).map((pack) => [pack.itemCode, pack]),
    );
    // a pack is looked for by its lot and by the case it is packed in
    const codes = [
      ...new Set(
        seen.flatMap(({ referent }) => {
          const pack = referent.itemCode ? packs.get(referent.itemCode) : undefined;
          return pack ? [referent.lotCode, pack.containerCode] : [referent.lotCode];
        }),
      ),
    ];
    const lines = await rfid.openShipments(tx, 'to', readPoint.partyCode, codes);
    const leftOn = await shipmentsLeftOn(tx, readPoint.partyCode, seen, departedNow);
    const waiting = await packsWaiting(tx, readPoint, seen, lines);
    const waitingPacked = new Map(
      (
        await rfid.packedPacks(
          tx,
          waiting.flatMap(({ itemCode }) => (itemCode ? [itemCode] : [])),
        )
      ).map((pack) => [pack.itemCode, pack]),
    );
    const waitingCase = (itemCode: string | null) => (itemCode ? waitingPacked.get(itemCode) : undefined);
    // a pack of a case no open line carries, which the party holds, came in that case
    const loose = [...packs.values(), ...waitingPacked.values()].filter(
      (pack) => !lines.some((line) => line.lotCode === pack.containerCode),
    );
    const held = await heldBy(
      tx,
      readPoint.partyCode,
      loose.map((pack) => pack.containerCode),
    );
    // by what they count towards as planReceipts counts the packs read now
    const packsReadBefore: PacksReadBefore = new Map();
    for (const { row, lotCode, itemCode, pack, receivedAt, awaits } of waiting) {
      const key = packKey(lines, held, lotCode, waitingCase(itemCode));
      if (key) packsReadBefore.set(key, [...(packsReadBefore.get(key) ?? []), { row, pack, receivedAt, awaits }]);
    }
    // the packs the party's gates received and that had not left since when they were read (those
    // read now), or have not left since (those that waited: still on their way in, or come already)
    const judged = [
      ...seen.flatMap(({ row, referent }) => (referent.pack ? [{ row, itemCode: referent.itemCode, window: row }] : [])),
      ...waiting.map(({ row, itemCode }) => ({ row, itemCode, window: null })),
    ];
    const keptAt = await rfid.keptTags(
      tx,
      readPoint.partyCode,
      judged.map(({ row, itemCode, window }) => ({ tag: row.tag, itemCode, window })),
    );
    const kept = new Set(judged.flatMap(({ row }, index) => (keptAt.has(index) ? [row] : [])));
    const arrivals = planReceipts(lines, seen, packs, packsReadBefore, held, kept, leftOn);
    // a pack counted towards a case's line came in that case: so its receipt records, the party's own
    // word that the pack lay in it (shipping the case on ships the pack, see keptTags)
    const receivedIn = new Map<ReadRow, string>();
    for (const [row, pack] of [
      ...seen.map(({ row, referent }) => [row, referent.itemCode ? packs.get(referent.itemCode) : undefined] as const),
      ...waiting.map(({ row, itemCode }) => [row, waitingCase(itemCode)] as const),
    ]) {
      if (pack && lines.some((line) => line.lotCode === pack.containerCode)) receivedIn.set(row, pack.containerCode);
    }
    const plans: Plan[] = arrivals.receipts.map(({ shipmentId, lines, entries: received, waited }) => {
      const rows = received.map((entry) => entry.row);
      return {
        request: {
          actor: readPoint.partyCode,
          action: { type: 'receive', shipmentId, partial: true, lines },
          context: context(readPoint, rows, 'receiving', true),
        },
        rows,
        outcome: 'received',
        detail: shipmentId,
        waited,
        receivedIn,
      };
    });
    // packs waiting for the rest of their case or line are on their way in, not yet the party's to
    // observe: they are recorded as read, and the receipt once the rest is read is their event too
    for (const { entry, detail, shipmentId } of arrivals.waiting)
      settle(entry.row, 'observed', entry.referent.lotCode, null, detail, shipmentId);
    // packs beyond a loose line wait for nothing: recorded as read, never received
    for (const { entry, detail } of arrivals.beyond) settle(entry.row, 'observed', entry.referent.lotCode, null, detail);
    return [...plans, ...observations(readPoint, arrivals.rest, 'arriving', 'observed')];
  }

  /**
   * Counts the packs the party's exit gates let leave before, in earlier windows or at another of its
   * exit gates earlier in this chunk, in these lines' shipments (see planDepartures), once each shipment.
   */
  async function countDeparturesBefore(tx: Db, partyCode: string, lines: ShipmentLine[], counted: DepartureCounts) {
    const shipmentIds = [...new Set(lines.map((line) => line.id))].filter((id) => !counted.shipments.has(id));
    for (const id of shipmentIds) counted.shipments.add(id);
    const rows = await rfid.departures(tx, partyCode, shipmentIds);
    const referents = await resolve(tx, rows);
    const before = rows.flatMap((row) => {
      const referent = referents.get(rowKey(row));
      return referent ? [{ row, referent }] : [];
    });
    const packs = await packsOf(tx, before);
    // each against its own shipment's lines, as it was counted then
    for (const id of shipmentIds) {
      planDepartures(
        lines.filter((line) => line.id === id),
        before.filter(({ row }) => row.detail === id),
        packs,
        counted.packs,
      );
    }
  }

  /** The case each of these packs is packed in, by the record (see packedPacks). */
  async function packsOf(tx: Db, seen: Seen[]): Promise<Map<string, Pack>> {
    const itemCodes = seen.flatMap(({ referent }) => (referent.itemCode ? [referent.itemCode] : []));
    return new Map((await rfid.packedPacks(tx, itemCodes)).map((pack) => [pack.itemCode, pack]));
  }

  /**
   * Exit gate: what leaves in an open shipment from the party confirms that shipment (its ship
   * event already says it left), packs no more than it carries, each in the shipment it leaves on
   * (see planDepartures); anything else is an unexpected departure, and a pack that may have left in
   * several an ambiguous one (`ambiguous_departure`, with those shipments), recorded as seen leaving.
   */
  async function exit(
    tx: Db,
    readPoint: ReadPointRow,
    seen: Seen[],
    counted: DepartureCounts,
    settle: (row: ReadRow, outcome: string, lotCode: string, detail: string) => void,
  ): Promise<Plan[]> {
    const packs = await packsOf(tx, seen);
    // a pack is looked for by its lot and by the case it is packed in
    const codes = [
      ...new Set(
        seen.flatMap(({ referent }) => {
          const pack = referent.itemCode ? packs.get(referent.itemCode) : undefined;
          return pack ? [referent.lotCode, pack.containerCode] : [referent.lotCode];
        }),
      ),
    ];
    const lines = await rfid.openShipments(tx, 'from', readPoint.partyCode, codes);
    await countDeparturesBefore(tx, readPoint.partyCode, lines, counted);
    // a shipment recorded as leaving from another of the party's locations leaves through none of this one's gates
    const leavesHere = (line: ShipmentLine) => line.fromLocationCode === null || line.fromLocationCode === readPoint.locationCode;
    const { departed, unexpected, ambiguous } = planDepartures(lines, seen, packs, counted.packs, leavesHere);
    for (const { entry, shipmentId } of departed) {
      settle(entry.row, 'departed', entry.referent.lotCode, shipmentId);
      const toPartyCode = lines.find((line) => line.id === shipmentId)?.toPartyCode;
      if (entry.referent.pack && toPartyCode) counted.leftOn.set(entry.referent.pack, [{ shipmentId, toPartyCode }]);
    }
    // packs that may have left in several shipments: seen leaving, flagged with the shipments they fit
    // (and known to the addressees' entry gates later in the chunk)
    const byShipments = new Map<string, { shipmentIds: string[]; entries: Seen[] }>();
    for (const { entry, shipmentIds } of ambiguous) {
      const detail = `may have left in shipment ${inWords(shipmentIds)} of lot ${entry.referent.lotCode}: no tag read with it says which`;
      const group = byShipments.get(detail) ?? { shipmentIds, entries: [] };
      group.entries.push(entry);
      byShipments.set(detail, group);
      const candidates = shipmentIds.flatMap((shipmentId) => {
        const toPartyCode = lines.find((line) => line.id === shipmentId)?.toPartyCode;
        return toPartyCode ? [{ shipmentId, toPartyCode }] : [];
      });
      if (entry.referent.pack) counted.leftOn.set(entry.referent.pack, candidates);
    }
    const flagged = (plan: Plan, shipmentIds: string[]): Plan => ({
      ...plan,
      mayHaveLeftIn: shipmentIds,
      ...(plan.byBatch ? { byBatch: plan.byBatch.map((batch) => flagged(batch, shipmentIds)) } : {}),
    });
    return [
      ...observations(readPoint, unexpected, 'departing', 'unexpected_departure', (lotCode) => {
        const ofLot = lines.filter((line) => line.lotCode === lotCode);
        if (ofLot.some(leavesHere)) return `more packs of lot ${lotCode} read leaving than the party's open shipments carry`;
        return ofLot.length > 0
          ? `in no open shipment of the party leaving from location ${readPoint.locationCode}`
          : 'in no open shipment of the party';
      }),
      ...[...byShipments].flatMap(([detail, { shipmentIds, entries }]) =>
        observations(readPoint, entries, 'departing', 'ambiguous_departure', () => detail).map((plan) => flagged(plan, shipmentIds)),
      ),
    ];
  }

  /**
   * A receipt refused as dated before its shipment was shipped, of reads the service had only after
   * the ship event was recorded: the reader's clock runs behind (the goods cannot have come before
   * they were shipped), so the refusal names the reader, its time and the service's, as a read
   * dated by a reset clock does (see readerClockProblem); null for any other refusal.
   */
  async function readerClockRefusal(tx: Db, plan: Plan, problem: Problem): Promise<string | null> {
    const action = plan.request.action;
    if (problem.slug !== 'event-time-before-shipment' || action.type !== 'receive') return null;
    const first = earliestRead(plan.rows);
    const receivedAt = first.firstReceivedAt;
    const recordedAt = (await rfid.shipEventsRecordedAt(tx, [action.shipmentId])).get(action.shipmentId);
    if (!receivedAt || !recordedAt || receivedAt < recordedAt) return null;
    const [reader] = await rfid.findReadersByIds([first.readerId], tx);
    return (
      `${READER_CLOCK}: reader ${reader?.hostName ?? first.readerId} dated the reads ${first.firstSeenRaw}, before shipment ` +
      `${action.shipmentId} was shipped, but the service received them at ${receivedAt.toISOString()}, after it was recorded; ` +
      `${SET_THE_READER_CLOCK} and read the goods again`
    );
  }

  /** Turns closed windows into events and records what became of each (in the caller's transaction). */
  async function derive(tx: Db, rows: ReadRow[]): Promise<void> {
    const readPoints = new Map(
      (await rfid.findReadPoints([...new Set(rows.map((row) => row.readPointId))], tx)).map((readPoint) => [readPoint.id, readPoint]),
    );
    // an entry gate counts the packs its party's gates recorded as waiting, and a chunk of another
    // worker may be recording some: the party's audit chain, which that chunk holds until it commits,
    // is taken before planning, so the packs it recorded are seen. Every read point's party's chain
    // at once, as the write takes them: a chain taken alone here, then the others, would deadlock
    // with a chunk taking them the other way round
    if ([...readPoints.values()].some((readPoint) => readPoint.role === 'entry')) {
      await deps.writer.lockChains(
        tx,
        [...readPoints.values()].map((readPoint) => readPoint.partyCode),
      );
    }
    const referents = await resolve(tx, rows);
    // a station binds only while its party may still bind tags to the lot (it may have shipped all of it since)
    const stationLots = [...readPoints.values()].flatMap((readPoint) => (readPoint.bindToCode ? [readPoint.bindToCode] : []));
    const custody = await rfid.custodyOf([...new Set(stationLots)], tx);
    // a station binds no tag carrying another party's GS1 key (see mayBindTagOfKeyOwner)
    const stationKeys = rows.flatMap((row) => {
      const key = readPoints.get(row.readPointId)?.bindToCode && !referents.has(rowKey(row)) ? companyKeyOf(tagKey(row.tag)) : null;
      return key ? [{ row, key }] : [];
    });
    const keyOwners = new Map(
      (
        await rfid.ownersOfTagKeys(
          stationKeys.map((entry) => entry.key),
          tx,
        )
      ).map((owner, index) => [rowKey(stationKeys[index].row), owner]),
    );
    const outcomes: ReadOutcome[] = [];
    const settle = (
      row: ReadRow,
      outcome: string,
      lotCode: string | null,
      eventId: string | null,
      detail: string | null,
      awaitsShipmentId: string | null = null,
      receivedInCode: string | null = null,
      mayHaveLeftIn: string[] | null = null,
    ) =>
      outcomes.push({
        readPointId: row.readPointId,
        tagKey: row.tagKey,
        windowStart: row.windowStart,
        outcome,
        lotCode,
        eventId,
        detail,
        awaitsShipmentId,
        receivedInCode,
        mayHaveLeftIn,
      });

    // a read point at a time: a gate receives a shipment on everything of it read in the windows closed so far
    const plans: Plan[] = [];
    const departures: DepartureCounts = { shipments: new Set(), packs: new Map(), leftOn: new Map() };
    const bindings = new Map<string, Parameters<RfidRepository['bindTags']>[0][number]>();
    for (const group of byReadPoint(rows)) {
      const readPoint = readPoints.get(group[0].readPointId);
      if (!readPoint) throw new Error(`read point ${group[0].readPointId} of these observations no longer exists`);
      const seen: Seen[] = [];
      for (const row of group) {
        const referent = referents.get(rowKey(row));
        if (referent) seen.push({ row, referent });
        else if (readPoint.role === 'commissioning' && readPoint.bindToCode) {
          const lot = custody.get(readPoint.bindToCode);
          if (!lot || !mayBindTagsTo(readPoint.partyCode, lot)) {
            settle(
              row,
              'rejected',
              readPoint.bindToCode,
              null,
              `party ${readPoint.partyCode} no longer owns, holds or awaits lot ${readPoint.bindToCode}`,
            );
            continue;
          }
          const keyOwner = keyOwners.get(rowKey(row)) ?? null;
          if (!mayBindTagOfKeyOwner(readPoint.partyCode, keyOwner)) {
            settle(row, 'rejected', null, null, `the tag carries a GS1 key of party ${keyOwner}: only that party binds it`);
            continue;
          }
          // one binding per tag, however many of its windows closed together
          bindings.set(tagKey(row.tag), {
            kind: 'epc',
            value: tagKey(row.tag),
            partyCode: readPoint.partyCode,
            lotCode: readPoint.bindToCode,
            itemCode: null,
            // the station's lot or container whole, also for a tag bound as a pack before
            unit: 'lot',
            source: `read point ${readPoint.id}`,
            boundAt: deps.now(),
          });
          settle(row, 'bound', readPoint.bindToCode, null, null);
        } else settle(row, 'unknown', null, null, null);
      }
      if (readPoint.role === 'entry') plans.push(...(await entry(tx, readPoint, seen, departures.leftOn, settle)));
      else if (readPoint.role === 'exit') {
        plans.push(
          ...(await exit(tx, readPoint, seen, departures, (row, outcome, lotCode, detail) => settle(row, outcome, lotCode, null, detail))),
        );
      } else plans.push(...observations(readPoint, seen, readPoint.role === 'commissioning' ? 'encoding' : 'storing', 'observed'));
    }
    await rfid.bindTags([...bindings.values()], tx);
    // receipts first: a lot received at a gate may be observed there in the same chunk
    plans.sort((a, b) => Number(b.outcome === 'received') - Number(a.outcome === 'received'));
    // in the chunk's savepoint, which a failure goes back from
    const written = await deps.writer.write(
      tx,
      plans.map((plan) => plan.request),
      'proceed',
      { mayLetGo: true },
    );
    // an observation refused whole whose reads came in several batches: each batch's on its own, in
    // one more write (the ledger may have moved between when the service had them), whose locks the
    // first took already (the same lots, and no one ships or packs them while held)
    const refused = plans.flatMap((plan, index) => (!written[index].ok && plan.byBatch ? plan.byBatch : []));
    const rewritten =
      refused.length > 0
        ? await deps.writer.write(
            tx,
            refused.map((plan) => plan.request),
            'proceed',
            { mayLetGo: true },
          )
        : [];
    const results = [
      ...plans.flatMap((plan, index) => (!written[index].ok && plan.byBatch ? [] : [{ plan, result: written[index] }])),
      ...refused.map((plan, index) => ({ plan, result: rewritten[index] })),
    ];
    for (const { plan, result } of results) {
      const refusal = result.ok
        ? null
        : ((await readerClockRefusal(tx, plan, result.problem)) ?? result.problem.detail ?? result.problem.title);
      for (const row of plan.rows) {
        const lotCode = referents.get(rowKey(row))?.lotCode ?? null;
        if (result.ok)
          settle(row, plan.outcome, lotCode, result.event.id, plan.detail, null, plan.receivedIn?.get(row), plan.mayHaveLeftIn);
        else settle(row, 'rejected', lotCode, null, refusal);
      }
      // the packs that waited for these are received with them; refused, they go on waiting
      if (result.ok) {
        for (const row of plan.waited ?? [])
          settle(row, plan.outcome, row.lotCode, result.event.id, plan.detail, null, plan.receivedIn?.get(row));
      }
    }
    await rfid.recordOutcomes(tx, outcomes, deps.now());
  }

  /**
   * Turns one chunk of closed windows into events; returns how many observations it handled. When
   * the chunk fails, each read point's windows are tried on their own, and those that still fail
   * are recorded as failed and tried again later (see retryAfter), so a poison observation holds
   * back neither the windows after it nor other read points.
   */
  async function processChunk(limit = CHUNK): Promise<number> {
    return deps.transaction(async (tx) => {
      const rows = await rfid.closedWindows(tx, deps.now(), limit);
      if (rows.length === 0) return 0;
      try {
        await tx.transaction((savepoint) => derive(savepoint, rows));
      } catch {
        // every read point's party's audit chain before any group's lots, the order every writer locks in
        const readPoints = await rfid.findReadPoints([...new Set(rows.map((row) => row.readPointId))], tx);
        await deps.writer.lockChains(
          tx,
          readPoints.map((readPoint) => readPoint.partyCode),
        );
        for (const group of byReadPoint(rows)) {
          try {
            await tx.transaction((savepoint) => derive(savepoint, group));
          } catch (error) {
            deps.onError?.(error);
            const now = deps.now();
            await rfid.recordFailures(
              tx,
              group.map((row) => {
                const attempts = row.attempts + 1;
                const retryAt = retryAfter(attempts, now);
                return { ...row, attempts, retryAt, detail: FAILURE_DETAIL };
              }),
              now,
            );
          }
        }
      }
      return rows.length;
    });
  }

  let timer: NodeJS.Timeout | undefined;
  let scheduled: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  /** Works through every closed window; one run at a time (a kick during a run makes it go round again). */
  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        while (!stopped && (await processChunk()) > 0) {
          // let requests in between chunks
          await nextTurn();
        }
      } while (again && !stopped);
    })()
      .catch((error) => deps.onError?.(error))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    processChunk,
    /** Turns every window closed by now into events (tests, tools). */
    drain: async () => {
      await running;
      while ((await processChunk()) > 0) {}
    },
    /** A batch was stored: look for closed windows soon (batches arriving together share one look), once started. */
    kick() {
      if (stopped || scheduled) return;
      scheduled = setTimeout(() => {
        scheduled = undefined;
        void run();
      }, 50);
      scheduled.unref();
    },
    /** Looks for windows that have closed every `tickMs` (and at once, for those left from the last run). */
    start(tickMs: number) {
      stopped = false;
      timer = setInterval(() => void run(), tickMs);
      timer.unref();
      void run();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(scheduled);
      scheduled = undefined;
      await running;
    },
  };
}

/**
 * Which lines of which open shipments the observations at an entry gate receive, and at what
 * quantity (pure). A tag of a container packed in another container in the shipment receives
 * the outermost one, which arrived with it; a case's packs receive the case once all of its
 * packs were read; packs of a lot shipped loose receive its line once as many were read as were
 * shipped (a pack brings all of it when the lot is not counted in pieces), counting those read in
 * earlier windows that still wait, however long ago, if the service received them since the line's
 * shipment was shipped (see receivedSince) and while they waited for that line's shipment (a pack
 * left waiting for a line since closed another way counts towards none): a line received short
 * would be closed, the packs not yet read booked as lost on the way. A pack of a case the party
 * holds (`held`) came in it and counts towards no line, nor does a read (`kept`) of a pack the
 * party's gates received that had not left the party since (see keptTags): it came already, and
 * is the party's. A pack of a lot shipped loose counts towards the loose line of the shipment it
 * left on (`leftOn`, by pack: the sender's exit gate counted it leaving in that shipment; for a pack
 * it flagged `ambiguous_departure`, those it may have left in that come to the party, the first shipped
 * with an open loose line of its lot), and towards no other line when none has one (it arrived in no
 * other); a pack no exit gate counted leaving counts towards the lot's first open loose line (a
 * shipment sent without exit reads says not which packs it carries). A receipt's `waited` are the rows of the packs read before that it receives.
 * `waiting` are the packs read of a case or line not yet whole, each with how many of it were read
 * and the shipment they wait for. `beyond` are the packs read of a loose line beyond as many as it carries (a case's
 * packs read beside it among them): no line's, as the case is received by its own tag.
 */
export function planReceipts(
  lines: ShipmentLine[],
  seen: Seen[],
  packs: Map<string, Pack>,
  packsReadBefore: PacksReadBefore = new Map(),
  held: ReadonlySet<string> = new Set(),
  kept: ReadonlySet<ReadRow> = new Set(),
  leftOn: ReadonlyMap<string, readonly string[]> = new Map(),
) {
  const lineOf = (shipmentId: string | undefined, lotCode: string, containerCode: string | null | undefined) =>
    lines.find(
      (line) =>
        (shipmentId === undefined || line.id === shipmentId) &&
        line.lotCode === lotCode &&
        (containerCode === undefined || line.containerCode === containerCode),
    );
  /** The line shipped itself (not packed in another line's container) that carries a lot or container. */
  const outermost = (line: ShipmentLine): ShipmentLine | undefined => {
    if (line.containerCode === null) return line;
    const container = lineOf(line.id, line.containerCode, undefined);
    return container && outermost(container);
  };
  const receipts = new Map<string, { shipmentId: string; quantities: Map<string, number>; entries: Seen[]; waited: ReadRow[] }>();
  const receiveLine = (line: ShipmentLine, quantity: number, entries: Seen[], waited: ReadRow[] = []) => {
    const receipt = receipts.get(line.id) ?? { shipmentId: line.id, quantities: new Map<string, number>(), entries: [], waited: [] };
    receipt.quantities.set(line.lotCode, Math.max(receipt.quantities.get(line.lotCode) ?? 0, quantity));
    receipt.entries.push(...entries);
    receipt.waited.push(...waited);
    receipts.set(line.id, receipt);
  };
  /**
   * The packs read before that count towards a line: those that waited for its shipment, read since
   * it was shipped (see receivedSince).
   */
  const readBefore = (key: string, line: ShipmentLine) => {
    const since = receivedSince(new Date(line.shippedAt)).getTime();
    const read = (packsReadBefore.get(key) ?? []).filter(
      ({ row, receivedAt, awaits }) => awaits === line.id && receivedAt.getTime() >= since && !kept.has(row),
    );
    return { rows: read.map(({ row }) => row), items: read.map(({ pack }) => pack) };
  };
  /**
   * The line a pack counting towards a case or a lot shipped loose (see packKey) would receive: of a
   * lot, the loose line of the shipment it left on (none, if that has no open one; of the shipments a
   * pack flagged `ambiguous_departure` may have left in, the first shipped with one), else the lot's first.
   */
  const lineOfKey = (key: string, pack: string) => {
    const [kind, code] = key.split('|');
    if (kind === 'case') return lineOf(undefined, code, undefined);
    const shipmentIds = leftOn.get(pack);
    if (!shipmentIds) return lineOf(undefined, code, null);
    return lines.find((line) => shipmentIds.includes(line.id) && line.lotCode === code && line.containerCode === null);
  };
  const rest: Seen[] = [];
  const waiting: { entry: Seen; detail: string; shipmentId: string }[] = [];
  const beyond: { entry: Seen; detail: string }[] = [];
  // by what they count towards and the line that is
  const packsRead = new Map<string, { key: string; line: ShipmentLine; entries: Seen[]; items: Set<string> }>();
  for (const entry of seen) {
    const { lotCode, itemCode, pack } = entry.referent;
    if (pack === null) {
      const line = lineOf(undefined, lotCode, undefined);
      const top = line && outermost(line);
      if (top) receiveLine(top, top.quantity, [entry]);
      else rest.push(entry);
      continue;
    }
    const key = packKey(lines, held, lotCode, itemCode ? packs.get(itemCode) : undefined);
    const keyLine = key === null ? undefined : lineOfKey(key, pack);
    if (key === null || !keyLine || kept.has(entry.row)) {
      rest.push(entry);
      continue;
    }
    const group = `${key}|${keyLine.id}`;
    const read = packsRead.get(group) ?? { key, line: keyLine, entries: [], items: new Set<string>() };
    read.entries.push(entry);
    read.items.add(pack);
    packsRead.set(group, read);
  }
  for (const { key, line, ...read } of packsRead.values()) {
    const [kind, code] = key.split('|');
    if (kind === 'case') {
      const pack = packs.get(read.entries[0].referent.itemCode as string) as Pack;
      const top = outermost(line);
      const before = readBefore(key, line);
      const readSoFar = new Set([...read.items, ...before.items]);
      if (top && readSoFar.size >= pack.packs) {
        receiveLine(top, top.quantity, read.entries, before.rows);
        continue;
      }
      const detail = `${readSoFar.size} of the ${pack.packs} packs of case ${code} read`;
      waiting.push(...read.entries.map((entry) => ({ entry, detail, shipmentId: line.id })));
      continue;
    }
    const before = readBefore(key, line);
    if (line.unit !== 'piece') {
      receiveLine(line, line.quantity, read.entries, before.rows);
      continue;
    }
    // the line takes as many distinct packs as were shipped loose, in the order read; a pack beyond
    // is none of it (a pack tag names no case: one read with its case, beside the line, is the case's)
    const counted = new Set(before.items);
    const taken: Seen[] = [];
    for (const entry of [...read.entries].sort((a, b) => takenBefore(a.row, b.row))) {
      const pack = entry.referent.pack as string;
      if (counted.has(pack) || counted.size < line.quantity) {
        counted.add(pack);
        taken.push(entry);
      } else beyond.push({ entry, detail: `more packs of lot ${code} read than were shipped loose: a case is received by its own tag` });
    }
    if (counted.size >= line.quantity) {
      receiveLine(line, line.quantity, taken, before.rows);
      continue;
    }
    // a receipt of fewer than were shipped would book the packs not yet read as lost on the way
    const detail = `${counted.size} of the ${line.quantity} packs of lot ${code} shipped loose read`;
    waiting.push(...taken.map((entry) => ({ entry, detail, shipmentId: line.id })));
  }
  return {
    receipts: [...receipts.values()].map(({ shipmentId, quantities, entries, waited }) => ({
      shipmentId,
      lines: [...quantities].map(([lotCode, quantity]) => ({ lotCode, quantity })),
      entries,
      waited,
    })),
    rest,
    waiting,
    beyond,
  };
}

/** Names as a list in words: `A`, `A or B`, `A, B or C`. */
const inWords = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]);

/** Whether a read was taken before another: by when the service had it, when it was read, and where it stood in its batch. */
const takenBefore = (a: ReadRow, b: ReadRow) =>
  (a.firstReceivedAt?.getTime() ?? 0) - (b.firstReceivedAt?.getTime() ?? 0) ||
  a.firstSeen.getTime() - b.firstSeen.getTime() ||
  (a.batchPosition ?? -1) - (b.batchPosition ?? -1);

/**
 * Which of the observations at an exit gate leave in which open shipment from the party (pure). A
 * lot's or container's own tag leaves with the first shipment carrying it; a pack packed in a case
 * (by the record) that a shipment carries leaves in that case, counted against the case's line of
 * its lot; any other pack of a lot counted in pieces leaves in a shipment that may leave through the
 * gate (`leavesHere`: shipped from the gate's location, or from none named) with a line of its lot
 * that still has room (loose lines before those packed by quantity into a container), each line up
 * to its quantity, the packs `counted` against it before included, once each however often read: so
 * a line of five lets five packs leave. A pack counted before stays in its line. A pack that fits
 * the lines of one shipment alone leaves in it; fitting several shipments, in the one of them whose
 * departure the gate matched by other tags read in the same pass (its window: a pallet's tag, a
 * case's packs, packs that fit that shipment alone); else it is `ambiguous`, with the shipments it
 * fits, and counted in none: a pack counted in the first shipped that in fact left in another would
 * receive the wrong shipment at the addressee's gate. A pack beyond every line is unexpected, as one
 * of no open shipment is: the shipment says not which left, and a pack counted gone that never left
 * would be booked gone. Packs in a case are taken first, so that a loose pack read beside them takes
 * none of their case's places. `counted` (by line) is added to.
 */
function planDepartures(
  lines: ShipmentLine[],
  seen: Seen[],
  packs: Map<string, Pack>,
  counted: Map<string, Set<string>>,
  leavesHere: (line: ShipmentLine) => boolean = () => true,
) {
  const lineKey = (line: ShipmentLine) => `${line.id}|${line.lotCode}|${line.containerCode ?? ''}`;
  const countedOn = (line: ShipmentLine) => counted.get(lineKey(line)) ?? new Set<string>();
  const count = (line: ShipmentLine, packId: string) => counted.set(lineKey(line), countedOn(line).add(packId));
  const carrying = (code: string) => lines.find((line) => line.lotCode === code || line.containerCode === code);
  const caseOf = ({ referent }: Seen) => (referent.itemCode ? packs.get(referent.itemCode) : undefined);
  const inCarriedCase = (entry: Seen) => {
    const pack = caseOf(entry);
    return pack !== undefined && carrying(pack.containerCode) !== undefined;
  };
  const departed: { entry: Seen; shipmentId: string }[] = [];
  const unexpected: Seen[] = [];
  const ambiguous: { entry: Seen; shipmentIds: string[] }[] = [];
  // the shipments each pass (window) matched
  const matched = new Map<number, Set<string>>();
  const depart = (entry: Seen, shipmentId: string) => {
    departed.push({ entry, shipmentId });
    const pass = entry.row.windowStart.getTime();
    matched.set(pass, (matched.get(pass) ?? new Set()).add(shipmentId));
  };
  /** The lines of its lot a loose pack may leave on, loose ones first, in the order shipped. */
  const linesOfLot = (lotCode: string) =>
    lines
      .filter((line) => line.lotCode === lotCode && leavesHere(line))
      .sort((a, b) => Number(a.containerCode !== null) - Number(b.containerCode !== null));
  const shipmentsOf = (fitting: ShipmentLine[]) => [...new Set(fitting.map((line) => line.id))];
  const undecided: Seen[] = [];
  const ordered = [...seen].sort((a, b) => Number(inCarriedCase(b)) - Number(inCarriedCase(a)) || takenBefore(a.row, b.row));
  for (const entry of ordered) {
    const { lotCode, pack: packId } = entry.referent;
    const caseOfEntry = caseOf(entry);
    const caseLine = caseOfEntry && carrying(caseOfEntry.containerCode);
    if (packId === null || caseLine) {
      const line = caseLine ?? carrying(lotCode);
      if (!line) {
        unexpected.push(entry);
        continue;
      }
      const ofLot =
        packId && lines.find((l) => l.id === line.id && l.lotCode === lotCode && l.containerCode === caseOfEntry?.containerCode);
      if (ofLot) count(ofLot, packId);
      depart(entry, line.id);
      continue;
    }
    const ofLot = linesOfLot(lotCode);
    // a pack of a lot not counted in pieces is no count of it: it leaves with the first line
    if (ofLot.some((l) => l.unit !== 'piece')) {
      if (ofLot[0]) {
        count(ofLot[0], packId);
        depart(entry, ofLot[0].id);
      } else unexpected.push(entry);
      continue;
    }
    const fitting = ofLot.filter((l) => countedOn(l).size < l.quantity);
    const again = ofLot.find((l) => countedOn(l).has(packId));
    const line = again ?? (shipmentsOf(fitting).length === 1 ? fitting[0] : undefined);
    if (line) {
      count(line, packId);
      depart(entry, line.id);
    } else if (fitting.length === 0) unexpected.push(entry);
    // decided once every tag of the pass that says which shipment leaves was counted
    else undecided.push(entry);
  }
  for (const entry of undecided) {
    const { lotCode, pack } = entry.referent;
    const packId = pack as string;
    const ofLot = linesOfLot(lotCode);
    const fitting = ofLot.filter((l) => countedOn(l).size < l.quantity);
    const inPass = fitting.filter((l) => matched.get(entry.row.windowStart.getTime())?.has(l.id));
    const line =
      ofLot.find((l) => countedOn(l).has(packId)) ??
      (shipmentsOf(fitting).length === 1 ? fitting[0] : undefined) ??
      (shipmentsOf(inPass).length === 1 ? inPass[0] : undefined);
    if (line) {
      count(line, packId);
      depart(entry, line.id);
    } else if (fitting.length === 0) unexpected.push(entry);
    else ambiguous.push({ entry, shipmentIds: shipmentsOf(fitting) });
  }
  return { departed, unexpected, ambiguous };
}
