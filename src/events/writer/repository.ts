// The event writer's SQL: what a batch reads up front (in a constant number of queries, whatever
// its size) and the one statement that stores it. The only code that inserts events, lots,
// movements, lineage edges and the values of the EPCIS value lists.
import { type SQL, sql } from 'drizzle-orm';
import type { AuditEntry, ChainHead } from '../../audit/chain.js';
import { appendParts, lockChainHeads } from '../../audit/repository.js';
import { authorizationHistory, madeAuthorization } from '../../brands/repository.js';
import type { BrandStanding } from '../../brands/standing.js';
import { type Db, isoMs, queryRows } from '../../db/client.js';
import type { EventValueField, LotAttributes, LotHold } from '../../db/schema.js';
import { codesClaimedOf } from '../../items/repository.js';
import { containersAboveWalk } from '../../lineage/repository.js';
import { ENDED_STATUSES } from '../../lots/ledger.js';
import { type EventDraft, type EventRecord, isEvidence, type NewLot, type NewShipment } from './draft.js';
import {
  type LotView,
  makes,
  type ProductView,
  placeOf,
  type ReplacedLot,
  type ShipmentView,
  type StatusFacts,
  usesLink,
} from './state.js';

/** What an array literal's quoted element escapes with a backslash: found in one pass, not one pass each. */
const ARRAY_ELEMENT_SPECIAL = /["\\]/g;

/**
 * An array parameter written as PostgreSQL's array literal (as the driver writes an array) when
 * the statement is built: the writer builds a part's statement while the one before it runs,
 * and the driver would write these (thousands of elements each for a part of 5,000 objects)
 * only once the connection is free, while the database waits.
 */
export function arrayLiteral(values: (string | null | undefined)[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (index > 0) literal += ',';
    literal += value == null ? 'NULL' : `"${value.replace(ARRAY_ELEMENT_SPECIAL, '\\$&')}"`;
  }
  return `${literal}}`;
}
const texts = (values: (string | null)[]) => sql`${sql.param(arrayLiteral(values))}::text[]`;
const booleans = (values: (boolean | null)[]) =>
  sql`${sql.param(arrayLiteral(values.map((value) => (value === null ? null : String(value)))))}::boolean[]`;
const numerics = (values: (number | null)[]) =>
  sql`${sql.param(arrayLiteral(values.map((value) => (value === null ? null : String(value)))))}::numeric[]`;
const times = (values: (Date | null)[]) =>
  sql`${sql.param(arrayLiteral(values.map((value) => value?.toISOString() ?? null)))}::timestamptz[]`;
/**
 * JSON values as a jsonb[] from one JSON array text: the payloads are most of a part's bytes, and
 * as an array literal each one's JSON was escaped in Node and unescaped again by PostgreSQL before
 * being parsed. Split as json (checked, not converted) and each element converted on its own: one
 * jsonb of the whole array costs more. JSON null stays JSON null, as it was element by element.
 */
export const jsonbArray = (values: (object | null)[]): SQL =>
  sql`array(select value::jsonb from json_array_elements(${sql.param(JSON.stringify(values))}::json) with ordinality order by ordinality)`;

/**
 * The values a batch's events hold for the EPCIS value lists (event_values), each once and sorted,
 * so that batches inserting the same new values take their row locks in one order: the fields of
 * every event but a correction, and the lots every event links.
 */
function eventValuesOf(records: EventRecord[], links: { partyCode: string; lotCode: string }[]) {
  const rows = new Map<string, { partyCode: string; field: EventValueField; value: string }>();
  const add = (partyCode: string, field: EventValueField, value: string | null) => {
    if (value !== null) rows.set(JSON.stringify([partyCode, field, value]), { partyCode, field, value });
  };
  for (const record of records.filter((record) => record.type !== 'correction')) {
    add(record.partyCode, 'bizStep', record.bizStep);
    add(record.partyCode, 'disposition', record.disposition);
    add(record.partyCode, 'readPoint', record.readPoint);
    add(record.partyCode, 'bizLocation', record.bizLocation);
  }
  for (const link of links) add(link.partyCode, 'lot', link.lotCode);
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

type LotRowText = Omit<LotView, 'quantity' | 'voided' | 'recalls' | 'recallRoot' | 'madeAt' | 'firstUsedAt'> & {
  /** A recalled lot's recalls, and whether one of them named it itself (see LOT_COLUMNS). */
  recalled: { ids: string[]; root: boolean } | null;
  quantity: string;
  voidedByEventId: string | null;
  madeAt: Date | string | null;
  firstUsedAt: Date | string | null;
};
const timeOrNull = (value: Date | string | null) => (value === null ? null : new Date(value));
const toLotView = (row: LotRowText): LotView => ({
  code: row.code,
  kind: row.kind,
  partyCode: row.partyCode,
  productCode: row.productCode,
  lotNumber: row.lotNumber,
  sscc: row.sscc,
  quantity: Number(row.quantity),
  unit: row.unit,
  status: row.status,
  voided: row.voidedByEventId !== null,
  attributes: row.attributes as LotAttributes,
  hold: (row.hold as LotHold | null) ?? null,
  recalls: row.recalled?.ids ?? [],
  recallRoot: row.kind === 'container' && row.recalled?.root === true,
  madeAt: timeOrNull(row.madeAt),
  firstUsedAt: timeOrNull(row.firstUsedAt),
});

/**
 * Where an event stands in the order the ledger took events in: its record time, then, among the
 * events of one batch (one record time), its place in its party's audit chain, which the batch
 * appended in the order it applied them.
 */
const recordOrderOf = (event: string) =>
  sql.raw(`(${event}.record_time, coalesce((select a.sequence from audit_entries a
  where a.party_code = ${event}.party_code and a.recorded_at = ${event}.record_time and a.kind = 'event' and a.subject_id = ${event}.id), 0))`);

/**
 * Of an unpacking (`targetId`), the last unpacking recorded after it and not declared in error that
 * ended a packing of a lot it took out into the same container: one that took the lot out of the
 * container again, after it was packed there anew; the last, as it may be declared in error first.
 * Declared in error, the unpacking would put the packings it ended back in force, though that later
 * one took the lot out. Null when there is none, and of any other event. The packings it ended are
 * found among its container's by the edges' index (an EPCIS unpacking of a whole container links no
 * child), the later ones of each lot there by both ends.
 */
const laterUnpackingOf = (
  targetId: string,
) => sql`(select jsonb_build_object('eventId', u.id, 'partyCode', u.party_code, 'lotCode', b.upstream_code, 'containerCode', b.downstream_code)
  from events t
  join event_lots parent on parent.event_id = t.id and parent.role = 'parent'
  join lineage_edges a on a.downstream_code = parent.lot_code and a.ended_by_event_id = t.id
    and a.kind = 'aggregate' and a.retracted_by_event_id is null
  join lineage_edges b on b.upstream_code = a.upstream_code and b.downstream_code = a.downstream_code
    and b.kind = 'aggregate' and b.retracted_by_event_id is null and b.ended_by_event_id <> t.id
  join events u on u.id = b.ended_by_event_id
  where t.id = ${targetId} and t.type = 'disaggregate'
    and not exists (select 1 from events c where c.corrects_event_id = u.id)
    and ${recordOrderOf('u')} > ${recordOrderOf('t')}
  order by ${recordOrderOf('u')} desc limit 1)`;

/**
 * Of an unpacking (`targetId`), each time a live event of its party (neither a correction nor
 * declared in error) dated after it took a container it unpacked from out of the party's hands:
 * shipped, sold, used or destroyed it, earliest first, with whether the party holds the container
 * now (it came back). Declared in error or dated later, the unpacking would leave what it took out
 * in the container when it left. Empty of any other event.
 */
const containersLeftOf = (targetId: string) => sql`(select coalesce(json_agg(json_build_object('containerCode', m.lot_code,
    'eventId', e.id, 'kind', m.kind, 'eventTime', e.event_time,
    'back', exists (select 1 from lot_balances b where b.lot_code = m.lot_code and b.party_code = t.party_code and b.quantity > 0))
    order by e.event_time, e.id), '[]'::json)
  from events t
  join lot_movements m on m.party_code = t.party_code and m.quantity < 0 and m.kind in ('ship_out', 'sell', 'consume', 'destroy')
    and m.lot_code in (select u.container_code from lot_movements u where u.event_id = t.id and u.kind = 'unpack')
  join events e on e.id = m.event_id
  where t.id = ${targetId} and t.type = 'disaggregate' and e.event_time > t.event_time and e.type <> 'correction'
    and not exists (select 1 from events c where c.corrects_event_id = e.id))`;

/**
 * The codes of the lots an event created, in the order it lists them (a commission's `lots`, a
 * transformation's `outputs`): a replacement gives its lots the codes of those it replaces by position,
 * so the lots are read in this order, never as stored (a lot's row updated since comes later there).
 */
const createdInOrderOf = (targetId: string) => sql`array(select o.lot->>'lotCode'
  from events e
  cross join lateral (select case e.type when 'commission' then e.payload->'lots' when 'transform' then e.payload->'outputs' end as list) l
  cross join lateral jsonb_array_elements(case when jsonb_typeof(l.list) = 'array' then l.list else '[]' end) with ordinality as o(lot, position)
  where e.id = ${targetId} order by o.position)`;

/**
 * The movements of a lot (its code the SQL expression given) booked by live events other than
 * `targetId`: neither a correction (which books an event's rows back) nor declared in error. A
 * `from` clause whose `where` the caller extends with `and`.
 */
const liveMovementsOf = (lotCode: SQL, targetId: string) => sql`lot_movements m join events e on e.id = m.event_id
  where m.lot_code = ${lotCode} and m.event_id <> ${targetId} and e.type <> 'correction'
    and not exists (select 1 from events c where c.corrects_event_id = e.id)`;

/**
 * When the earliest event not declared in error that used the lot (its code the SQL expression
 * given) took place: the first of the links the writer gave a use time, in the order of their
 * partial index, that no correction declared in error (a lot used 50,000 times costs a probe).
 */
const firstUseOf = (lotCode: string) => `(select el.used_at from event_lots el
    where el.lot_code = ${lotCode} and el.used_at is not null
      and not exists (select 1 from events c where c.corrects_event_id = el.event_id)
    order by el.used_at limit 1)`;
// madeAt: the earliest event not declared in error that made the lot, read from the links the writer
// marked `makes` alone (one probe of their partial index, however many events a lot has); recalled:
// the ids the recall events linking it name (each opening links every lot its scope reached), so that
// a refusal names them, and whether one named it as a root (a recalled container a recall named goes
// back to its packer, see recallReturnParties; a closed recall counts: the lot stays recalled and its
// way back stays the same); read for a recalled lot only, in one subquery (a
// second one tipped the planner into reading every lot to lock a few, test/events/lock-scan.test.ts)
const LOT_COLUMNS = sql.raw(`code, kind, party_code as "partyCode", product_code as "productCode", lot_number as "lotNumber", sscc,
  quantity::text as quantity, unit, status, voided_by_event_id as "voidedByEventId", attributes, hold,
  case when status = 'recalled' then (select json_build_object('ids', coalesce(json_agg(e.payload->>'recallId' order by e.event_time, e.id), '[]'),
      'root', coalesce(bool_or(e.payload->'rootLotCodes' @> jsonb_build_array(lots.code)), false))
    from event_lots el join events e on e.id = el.event_id
    where el.lot_code = lots.code and e.type = 'recall' and e.disposition = 'recalled') end as recalled,
  (select min(e.event_time) from event_lots el join events e on e.id = el.event_id
    where el.lot_code = lots.code and el.makes
      and not exists (select 1 from events c where c.corrects_event_id = e.id)) as "madeAt",
  ${firstUseOf('lots.code')} as "firstUsedAt"`);

/**
 * How the writer locks lots: against every other write, but not against an insert referencing a lot
 * (an ear tag, a tag binding, a job's item codes), whose foreign-key check takes the lot
 * FOR KEY SHARE. No write changes a lot's key (its code; its unique indexes are partial, which
 * PostgreSQL counts as no key), so no write needs FOR UPDATE: with it, a write waited for such an
 * insert's whole transaction, and a recall opening's later rounds skipped such a lot as held.
 */
const LOT_LOCK = sql.raw('for no key update');

/**
 * Whether the row a statement locked is a newer version of the lot than the one its snapshot sees:
 * a write committed after the statement began changed the row before the statement took its lock
 * (PostgreSQL then locks and reads that version, the row's own columns as the write left them).
 * The facts LOT_COLUMNS reads from the lot's events come from the snapshot all the same, without
 * what that write stored: a lot so marked is read again once held (see factsOnceHeld). A write that
 * adds to a lot's facts therefore changes its row, if only by setting its status to itself (see
 * persist's `touched_lots`; test/events/lot-versions.test.ts checks every kind of event does): a
 * lock it let go without changing the row leaves nothing to compare.
 * The version the snapshot sees is probed only for a row written by a transaction no older than the
 * oldest one in progress when the statement began (`age` counts back from this transaction's id, in
 * 32-bit ids as `xmin` is): such a write, or one of its subtransactions, has an id at least that
 * new, and a lot written before it is compared with nothing.
 */
const LOCKED_NEWER = sql.raw(`case when age(lots.xmin) <= (select age(xid(pg_snapshot_xmin(pg_current_snapshot()))))
    then lots.xmin <> (select seen.xmin from lots seen where seen.code = lots.code) else false end as "lockedNewer"`);
type LockedLotRow = LotRowText & { lockedNewer: boolean };

/**
 * The lots locked, each that a write changed while the lock waited for it (LOCKED_NEWER) read again
 * now that all are held, in one statement that only a lock that waited costs: what that write
 * stored (a recall of a lot already recalled, a making, a first use) was missing from the locking
 * statement's facts, and a refusal would not name that recall, nor the time check see that use.
 */
async function factsOnceHeld(tx: Db, rows: LockedLotRow[]): Promise<LotView[]> {
  const changed = rows.filter((row) => row.lockedNewer).map((row) => row.code);
  if (changed.length === 0) return rows.map(toLotView);
  const reread = new Map(
    (await queryRows<LotRowText>(tx, sql`select ${LOT_COLUMNS} from lots where code = any(${texts(changed)})`)).map((row) => [
      row.code,
      row,
    ]),
  );
  return rows.map((row) => toLotView(reread.get(row.code) ?? row));
}

/** A movement's `received_at`: its event's time when it received some of the lot, else null. */
const receivedAt = (movement: { eventId: string; kind: string; quantity: number }, timeOf: Map<string, Date>) =>
  movement.kind === 'receive_in' && movement.quantity > 0 ? (timeOf.get(movement.eventId) ?? null) : null;

export type Batch = {
  events: { record: EventRecord; draft: EventDraft }[];
  lots: NewLot[];
  shipments: (NewShipment & { shipEventId: string; status: string; receiveEventId: string | null; receivedAt: Date | null })[];
  shipmentLines: {
    shipmentId: string;
    lotCode: string;
    containerCode: string | null;
    quantity: number;
    receivedQuantity: number | null;
    receiveEventId: string | null;
    partyCode: string;
    /** The line's place in its shipment: the order the ship event sent the lines in. */
    position: number;
  }[];
  endedContainment: { parentCode: string; childCode: string; eventId: string }[];
  receivedShipments: { id: string; receiveEventId: string; receivedAt: Date }[];
  receivedLines: { shipmentId: string; lotCode: string; containerCode: string | null; receivedQuantity: number; receiveEventId: string }[];
  statuses: { code: string; status: string }[];
  itemContainers: { code: string; containerCode: string | null }[];
  holds: { code: string; hold: LotHold | null }[];
  /** Lots a recall marks without loading them (none of them in `statuses` or `holds`). */
  recalledLots: string[];
  /** Lots stored before whose facts the batch adds to, none of them changed otherwise (see LOCKED_NEWER). */
  touchedLots: string[];
  /** The audit entries of the batch's events and the heads they move their chains to. */
  audit: { entries: AuditEntry[]; heads: ChainHead[] };
};

/** How many times a batch takes its lots afresh while the containers it names are being packed into. */
export const LOCK_ROUNDS = 5;

/** Every lot packed (however deeply) in these containers, those named included: a statement's `inside`. */
const inside = (named: SQL) => sql`inside(code) as (
  select code from lots where code = any(${named}) and kind = 'container'
  union
  select e.upstream_code from lineage_edges e join inside on e.downstream_code = inside.code
  where e.kind = 'aggregate' and e.ended_by_event_id is null and e.retracted_by_event_id is null
)`;

/**
 * Whether the lots are locked in a caller's lock rounds (see beginLockRounds), which may let them go
 * again: `none`, not; `within`, rounds in which the caller locked more before them (see the writer's
 * readLocked), or a savepoint the caller may go back from and go on (a gate's chunk, see the writer's
 * write), so a lot missed among the contents is taken afresh from a savepoint of its own, kept;
 * `these`, rounds begun just before (see the writer's lockedAsRead), so it is taken afresh from the
 * rounds' savepoint itself, and a round costs no savepoint more (each error declaration of a capture
 * takes one).
 */
export type LockRounds = 'none' | 'within' | 'these';

/**
 * Locks the lots (and `marked`) with everything packed in the containers among them, then reads
 * what those containers hold once held, in a statement of its own (in READ COMMITTED it sees what a
 * writer that held one of them packed in it before committing). A lot missed is not locked there,
 * out of code order: a writer holding it while waiting for one of the lots already locked would
 * deadlock with this one. The locks are let go back to the savepoint and taken again, the missed
 * lots named, in one code order.
 *
 * In a caller's lock rounds (see LockRounds) no savepoint that took the locks is released: a savepoint
 * released hands its row locks to the transaction, and a writer already waiting for one of them (or
 * starting to) then waits for the whole transaction to end (PostgreSQL waits for the top transaction
 * once a subtransaction has committed). Let go by going back to the rounds' savepoint, the lot is
 * free, but that writer still waits: a capture that let go of a case to take the pallet it now lay on
 * first waited for a hold of the pallet that waited for the case, a deadlock
 * (test/epcis/capture-races.test.ts); so did a gate trying a read point on its own, waiting for a
 * writer behind one that waited for a crate the failed chunk had locked (test/rfid/gate-races.test.ts).
 * Not released, the savepoint is ended with the caller's, and so is the wait.
 */
async function lockWithContents(tx: Db, named: string[], marked: string[], rounds: LockRounds): Promise<LotView[] | null> {
  const savepoint = sql.raw(rounds === 'these' ? 'lock_rounds' : 'lots_with_contents');
  if (rounds !== 'these') await queryRows(tx, sql`savepoint ${savepoint}`);
  let wanted = named;
  for (let round = 1; ; round++) {
    const codes = texts(wanted);
    const namedOrInside = sql`code = any(${codes}) or code = any(array(select code from inside))`;
    let read = sql`with recursive ${inside(codes)} select ${LOT_COLUMNS}, ${LOCKED_NEWER} from lots where ${namedOrInside}`;
    if (marked.length > 0) {
      const held = await queryRows<{ code: string; read: boolean }>(
        tx,
        sql`with recursive ${inside(codes)} select code, ${namedOrInside} as read from lots
        where ${namedOrInside} or code = any(${texts(marked)}) order by code ${LOT_LOCK}`,
      );
      // read in a statement of its own: only what that one locked, which a later snapshot may not find
      // the same (a lot packed into a container while it waited for it, a lot named made meanwhile).
      // Found there, such a lot was locked after the others, out of code order; missed, it is taken
      // afresh below (a lot named, by a caller naming it again)
      const readable = held.filter((row) => row.read).map((row) => row.code);
      read = sql`select ${LOT_COLUMNS}, ${LOCKED_NEWER} from lots where code = any(${texts(readable)})`;
    }
    const rows = await queryRows<LockedLotRow>(tx, sql`${read} order by code ${LOT_LOCK}`);
    const locked = new Set(rows.map((row) => row.code));
    const containers = rows.filter((row) => row.kind === 'container').map((row) => row.code);
    const packed = await queryRows<{ code: string }>(
      tx,
      sql`select distinct upstream_code as code from lineage_edges
      where downstream_code = any(${texts(containers)}) and kind = 'aggregate' and ended_by_event_id is null and retracted_by_event_id is null`,
    );
    const missed = packed.map((row) => row.code).filter((code) => !locked.has(code));
    if (missed.length === 0) {
      if (rounds === 'none') await queryRows(tx, sql`release savepoint ${savepoint}`);
      return factsOnceHeld(tx, rows);
    }
    await queryRows(tx, sql`rollback to savepoint ${savepoint}`);
    if (round === LOCK_ROUNDS) {
      if (rounds !== 'these') await queryRows(tx, sql`release savepoint ${savepoint}`);
      return null;
    }
    wanted = [...new Set([...wanted, ...missed])].sort();
  }
}

/**
 * Locks the shipments named by id and the open ones carrying some of any of the lots (or of what is
 * packed, however deeply, in the containers among them, which a write of the container books too), or of the lots
 * still on their way on those named (which a receipt of one may book in, and whose status follows
 * from every shipment carrying them: a lot lost on one is still in transit on another), a stored line
 * of 0 sending nothing, in id order, for the rest of the transaction: every write takes them after
 * its audit chains and before any lot, so two single writes never wait crosswise (a transaction of
 * several writes takes all of theirs first: see the writer's lockAhead). Their ids. The shipments carrying the lots come as an array, probed by id:
 * `id in (select …)` beside `or` is no index condition, and with 50,000 open shipments every batch
 * read them all.
 */
async function lockShipments(tx: Db, ids: string[], lotCodes: string[]): Promise<string[]> {
  if (ids.length === 0 && lotCodes.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`with recursive ${inside(texts(lotCodes))}
    select s.id from shipments s
    where s.id = any(${texts(ids)})
       or (s.status = 'open' and s.id = any(array(select shipment_id from shipment_lines where quantity > 0 and lot_code = any(${texts(lotCodes)}
         || array(select code from inside)
         || array(select lot_code from shipment_lines where shipment_id = any(${texts(ids)}) and quantity > 0 and received_quantity is null)))))
    order by s.id for update of s`,
  );
  return rows.map((row) => row.id);
}

/** A ShipmentView as readShipments' query returns it: its time and quantities as the driver and json_agg hand them. */
type ShipmentRow = Omit<ShipmentView, 'shippedAt' | 'lines'> & {
  shippedAt: Date | string;
  lines: (Omit<ShipmentView['lines'][number], 'quantity' | 'receivedQuantity'> & { quantity: string; receivedQuantity: string | null })[];
};

/** Shipments by id, with all their lines in order, as they stand (no lock is taken). */
async function readShipments(tx: Db, ids: string[]): Promise<ShipmentView[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<ShipmentRow>(
    tx,
    sql`select s.id, s.ship_event_id as "shipEventId", s.from_party_code as "fromPartyCode", s.to_party_code as "toPartyCode",
        s.to_location_code as "toLocationCode", s.status, s.shipped_at as "shippedAt",
        (select coalesce(json_agg(json_build_object('lotCode', l.lot_code, 'containerCode', l.container_code,
           'quantity', l.quantity::text, 'receivedQuantity', l.received_quantity::text, 'receiveEventId', l.receive_event_id)
           order by l.position), '[]')
           from shipment_lines l where l.shipment_id = s.id) as lines
      from shipments s where s.id = any(${texts(ids)})
      order by s.id`,
  );
  return rows.map((row) => ({
    ...row,
    shippedAt: new Date(row.shippedAt),
    lines: row.lines.map((line) => ({
      lotCode: line.lotCode,
      containerCode: line.containerCode,
      quantity: Number(line.quantity),
      receivedQuantity: line.receivedQuantity === null ? null : Number(line.receivedQuantity),
      receiveEventId: line.receiveEventId,
    })),
  }));
}

/** A lot's ledger row as ledgersOf reads it (its time a string when it comes inside JSON). */
type LedgerRow = {
  code: string;
  balances: { partyCode: string; containerCode: string | null; quantity: string }[];
  lastDrain: string | null;
  lastDrainAt: Date | string | null;
  recalled: boolean;
  receipts: { partyCode: string; at: string }[];
};

/** Each lot's balances, last drain, whether it is recalled and its first receipts per party (see the repository's ledgers). */
function ledgersOf(lotCodes: string[]): SQL {
  return sql`select l.code,
      (select coalesce(json_agg(json_build_object('partyCode', b.party_code, 'containerCode', b.container_code, 'quantity', b.quantity::text)), '[]')
        from lot_balances b where b.lot_code = l.code) as balances,
      drain.kind as "lastDrain", drain.event_time as "lastDrainAt",
      recall.lot_code is not null as recalled,
      -- per party holding a balance row of the lot (every one that received some has one), its
      -- earliest receipt not declared in error: a probe of the receipts' partial index, not a read
      -- of every receipt of a party that received the lot 50,000 times
      (select coalesce(json_agg(json_build_object('partyCode', p.party_code, 'at', r.at)), '[]')
        from (select distinct b.party_code from lot_balances b where b.lot_code = l.code) p
        join lateral (select m.received_at as at from lot_movements m
          where m.lot_code = l.code and m.party_code = p.party_code and m.received_at is not null
            and not exists (select 1 from events c where c.corrects_event_id = m.event_id)
          order by m.received_at limit 1) r on true) as receipts
    from lots l left join lateral (
      select m.kind, e.event_time from lot_movements m join events e on e.id = m.event_id
      where m.lot_code = l.code and m.kind in ('consume', 'destroy', 'sell') and m.quantity < 0
        and not exists (select 1 from events c where c.corrects_event_id = m.event_id)
      order by e.event_time desc limit 1) drain on true
    -- a live recall event linking the lot, probed per lot: as exists (…) it could be planned as
    -- one hashed pass over every recalled event (with no statistics, over every event: 23 ms
    -- for 10,000 events, each batch), whatever the lots named
    left join lateral (
      select el.lot_code from event_lots el join events e on e.id = el.event_id
      where el.lot_code = l.code and e.disposition = 'recalled'
        and not exists (select 1 from events c where c.corrects_event_id = e.id)
      limit 1) recall on true
    where l.code = any(${texts(lotCodes)})`;
}

const toLedger = (row: LedgerRow) => ({
  code: row.code,
  balances: row.balances.map((balance) => ({ ...balance, quantity: Number(balance.quantity) })),
  receipts: row.receipts.map((receipt) => ({ partyCode: receipt.partyCode, at: new Date(receipt.at) })),
  facts: {
    recalled: Boolean(row.recalled),
    ...(row.lastDrain ? { lastDrain: { kind: row.lastDrain, at: new Date(row.lastDrainAt as string).getTime() } } : {}),
  } satisfies StatusFacts,
});

/** What a batch names besides its lots: parties, locations and products, lot numbers (per party) and ear tags, GTINs. */
type NamedReferences = {
  parties: string[];
  locations: string[];
  /** GLNs parties and sites are named by (an EPCIS event's). */
  partyGlns: string[];
  locationGlns: string[];
  products: string[];
  lotNumbers: { partyCode: string; lotNumber: string }[];
  earTags: string[];
  /** GTIN-14s that lots to be created are captured under. */
  gtins: string[];
  /**
   * The products of packs a write would label, each with the party labelling them: serials to be
   * created, and the lots a correction's replacement makes again. Its brand standings are read.
   */
  labelledProducts: { partyCode: string; productCode: string }[];
  /** The lots a correction's replacement makes again under their codes. */
  replacedLots: string[];
};

/**
 * A party's holding of a lot asked for at a time (see holdingsAtOf): loose (`containerCode` null),
 * packed in that container, or (none given) all of it, loose and packed together (see placeOf).
 */
export type HoldingAt = { lotCode: string; partyCode: string; time: Date; containerCode?: string | null };
/**
 * What holdingsAtOf reads for the `n`th holding asked for (from 1), quantities as text; `least` the
 * least the party holds from that time until the next time asked of the pair and `leastFrom` when
 * that least begins (see holdingsAtOf).
 */
type HoldingRow = { n: number; before: string; arriving: string; through: string; least: string; leastFrom: string };

/**
 * What each party held of each lot at its place (loose, in a container, or all of it: see placeOf)
 * just before each time named with it, what came to it there at that very time (its movements in),
 * and what it held there once every movement dated up to that time was booked (`through`), by the
 * live events (neither a correction nor declared in error): a party's
 * ledger of a lot over time (see WorldState.heldAt and heldThrough). A correction books back what
 * the event it declares in error moved, under its own later time: leaving both out leaves the
 * ledger as if the event had never been. What the party made of the lot (`produce`) counts in
 * `through` whenever it was booked and whether or not declared in error: a correction books it back
 * under the same kind, unless it keeps the lot (an EPCIS declaration), which keeps its quantity.
 * And the least the party holds from that time until the next time named with the pair (`least`:
 * `through`, or the running balance once the movements of a later time before that next one are
 * booked; after the last, down to the current balance), with the earliest time it holds that little
 * (`leastFrom`): the stored ledger's part of what a backdated outflow may take without leaving a
 * later event taking what the party no longer held, judged with what the batch moves at those times
 * (see WorldState.leastOnward).
 * Summed here: a party may have moved a lot thousands of times. A row by the place of its holding
 * in `at`; none for a pair the party never moved.
 */
function holdingsAtOf(at: HoldingAt[]): SQL {
  // whether a movement is live is read once for each: referred to from the windows' filters, the
  // lateral subquery it was in was evaluated for each (two probes for the corrections of every
  // movement); and what was made is added once to the group's least instead of by a second window
  return sql`(select coalesce(json_agg(h), '[]') from (
      select r.n, r.before, r.arriving, r.through::text,
        least(r.through, r.made + r.later)::text as least,
        ${isoMs(sql`case when r.made + r.later < r.through then r.later_from else r.at end`)} as "leastFrom"
      from (select w.n, w.at,
          coalesce(sum(w.quantity) filter (where w.live and w.event_time < w.at), 0)::text as before,
          coalesce(sum(w.quantity) filter (where w.live and w.event_time = w.at and w.quantity > 0), 0)::text as arriving,
          coalesce(sum(w.quantity) filter (where w.kind = 'produce' or (w.live and w.event_time <= w.at)), 0) as through,
          coalesce(sum(w.quantity) filter (where w.kind = 'produce'), 0) as made,
          min(w.booked) filter (where w.event_time > w.at and w.event_time < w.until) as later,
          (array_agg(w.event_time order by w.booked, w.event_time) filter (where w.event_time > w.at and w.event_time < w.until))[1] as later_from
        from (select x.*,
            -- the ledger once every movement dated up to this one's time is booked, but for what was made (see made)
            coalesce(sum(x.quantity) filter (where x.kind <> 'produce' and x.live) over (partition by x.n order by x.event_time), 0) as booked
          from (select p.n, p.at, p.until, m.quantity, m.kind, e.event_time,
              e.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = e.id) as live
            from (select q.*, coalesce(lead(q.at) over (partition by q.lot_code, q.party_code, q.place order by q.at), 'infinity') as until
              from unnest(${texts(at.map((row) => row.lotCode))}, ${texts(at.map((row) => row.partyCode))}, ${times(at.map((row) => row.time))},
                  ${texts(at.map((row) => placeOf(row.containerCode)))})
                with ordinality as q(lot_code, party_code, at, place, n)) p
            join lot_movements m on m.lot_code = p.lot_code and m.party_code = p.party_code
              and (p.place = '*' or coalesce(m.container_code, '') = p.place)
            join events e on e.id = m.event_id
            offset 0) x
        ) w
        group by w.n, w.at) r) h)`;
}

/** A brand covering a product packs are labelled of, with that party's authorizations for it (see brands/standing). */
export type LabelledBrandStanding = BrandStanding & { partyCode: string; productCode: string };

type References = {
  parties: { code: string; kind: string; gln: string | null }[];
  locations: { code: string; partyCode: string; gln: string | null }[];
  products: ProductView[];
  takenLotNumbers: string[];
  takenEarTags: string[];
  gtinOwners: { gtin: string; partyCode: string | null }[];
  brandStandings: LabelledBrandStanding[];
  /** Each lot a replacement makes again, as stored (see ReplacedLot). */
  replacedLots: (ReplacedLot & { code: string })[];
};

/** The parties, locations and products named, and which of the lot numbers and ear tags are taken: the columns of one row. */
function referencesOf(named: NamedReferences): SQL {
  return sql`      (select coalesce(json_agg(json_build_object('code', code, 'kind', kind, 'gln', gln)), '[]') from parties
        where code = any(${texts(named.parties)}) or gln = any(${texts(named.partyGlns)})) as parties,
      (select coalesce(json_agg(json_build_object('code', code, 'partyCode', party_code, 'gln', gln)), '[]') from locations
        where code = any(${texts(named.locations)}) or gln = any(${texts(named.locationGlns)})) as locations,
      (select coalesce(json_agg(json_build_object('code', code, 'partyCode', party_code, 'name', name, 'unit', unit, 'gtin', gtin,
          'shelfLifeDays', shelf_life_days)), '[]') from products
        where code = any(${texts(named.products)})) as products,
      -- each pair probed by its unique index: as (party_code, lot_number) in (select …) it was planned as a
      -- hashed pass over every lot with a lot number (6,400 rows for 20 names, growing with the table)
      (select coalesce(json_agg(taken.key), '[]')
        from unnest(${texts(named.lotNumbers.map((p) => p.partyCode))}, ${texts(named.lotNumbers.map((p) => p.lotNumber))}) as v(party_code, lot_number)
        cross join lateral (select l.party_code || '|' || l.lot_number as key from lots l
          where l.party_code = v.party_code and l.lot_number = v.lot_number and l.voided_by_event_id is null limit 1) taken
      ) as "takenLotNumbers",
      (select coalesce(json_agg(value), '[]') from lot_identifiers
        where kind = 'ear_tag' and value = any(${texts(named.earTags)})) as "takenEarTags",
      (select coalesce(json_agg(json_build_object('gtin', g.gtin, 'partyCode', coalesce(
          (select party_code from products where gtin = g.gtin),
          (select code from parties where gs1_company_prefix is not null and starts_with(substr(g.gtin, 2), gs1_company_prefix)
            order by length(gs1_company_prefix) desc limit 1)))), '[]')
        from unnest(${texts(named.gtins)}) as g(gtin)) as "gtinOwners",
      (select coalesce(json_agg(json_build_object('partyCode', v.party_code, 'productCode', v.product_code,
          'brand', json_build_object('code', b.code, 'kind', b.kind, 'nameZh', b.name_zh, 'nameEn', b.name_en),
          'coveredSince', ${isoMs(sql`bp.added_at`)},
          -- locked for share, as a code job's batch locks them: a change being recorded (a suspension)
          -- is waited for and read as it left the row, not passed by on the snapshot before it
          'authorizations', (select coalesce(json_agg(${authorizationHistory(sql`a`)}), '[]')
            from (select * from brand_authorizations where brand_code = b.code and party_code = v.party_code
              and ${madeAuthorization(sql`brand_authorizations.id`)} for share) a))), '[]')
        from unnest(${texts(named.labelledProducts.map((p) => p.partyCode))}, ${texts(named.labelledProducts.map((p) => p.productCode))})
          as v(party_code, product_code)
        join brand_products bp on bp.product_code = v.product_code
        join brands b on b.code = bp.brand_code) as "brandStandings",
      (select coalesce(json_agg(json_build_object('code', l.code, 'productCode', l.product_code, 'productionDate', l.production_date,
          'createdAt', ${isoMs(sql`l.created_at`)}, 'coded', exists (select 1 from items i where i.lot_code = l.code), 'lotNumber', l.lot_number,
          'gtin', (select gtin from products p where p.code = l.product_code), 'codesClaimed', ${codesClaimedOf(sql`l.code`)})), '[]')
        from lots l where l.code = any(${texts(named.replacedLots)})) as "replacedLots"`;
}

export function createEventWriterRepository() {
  return {
    /** The audit chains of the acting parties, locked before any lot (always in this order: no deadlock). */
    lockAuditHeads: lockChainHeads,

    /** The shipments a write of these lots locks (see lockShipments), for a caller that locks the lots before writing. */
    lockShipments,

    /**
     * The lots a batch draws on, and every lot packed (however deeply) in the containers among them,
     * locked in code order (two batches never deadlock) for the rest of its transaction. A container
     * takes its contents along, and their statuses follow from their whole ledgers: unlocked, another
     * party using the rest of such a lot meanwhile would each read the other's stock as still there.
     * The contents come as an array: `code in (select …)` beside `or` is no index condition, and
     * every batch scanned the whole lots table. `marked`: lots the batch writes without loading them
     * (a recall opening's scope), locked first with the rest in the same order, in a statement of
     * their own: taken by the storing statement instead, after the others, one another writer held
     * while waiting for one of those would deadlock with it.
     *
     * A statement reads the contents as they were when it began: what another writer packed into a
     * container while this one waited for it is read again once the containers are held, and the
     * lots are then taken afresh, all in code order, from a savepoint (see lockWithContents). Null
     * when the containers were still being packed into after LOCK_ROUNDS rounds. `rounds`: whether the
     * caller may let them go again, back to its lock rounds' savepoint (see LockRounds).
     */
    async lockLots(tx: Db, codes: string[], marked: string[] = [], rounds: LockRounds = 'none'): Promise<LotView[] | null> {
      if (codes.length === 0 && marked.length === 0) return [];
      let named = [...new Set(codes)].sort();
      // no container named, nothing packed to miss: the lots in one statement (two with a recall's
      // scope), which only says so when one is. The named lots that exist are found in one pass, and
      // only those are locked: `exists (… kind = 'container')` was planned to stop at a first
      // container, so it probed the primary key once per code (22 ms for a capture's 10,000 new
      // codes), and the lock was planned for every code named, which with 10,000 of them cost enough
      // to be JIT-compiled (18 ms more)
      const contained = (among: string[]) => sql`found as materialized (select code, kind from lots where code = any(${texts(among)})),
        contained as (select coalesce(bool_or(kind = 'container'), false) as yes from found)`;
      const existing = sql`array(select code from found)`;
      if (marked.length > 0) {
        const [first] = await queryRows<{ namesContainers: boolean; found: string[] }>(
          tx,
          sql`with ${contained(named)} select contained.yes as "namesContainers", ${existing} as found from contained left join lateral (select 1 from lots
            where (code = any(${existing}) or code = any(${texts(marked)})) and not contained.yes order by code ${LOT_LOCK}) locked on true`,
        );
        if (first.namesContainers) return lockWithContents(tx, named, marked, rounds);
        // only the named lots this statement locked: one made since it began would be locked by the
        // next, after the rest, out of code order (a caller naming it again takes all afresh)
        named = first.found;
        if (named.length === 0) return [];
      }
      const rows = await queryRows<LockedLotRow & { namesContainers: boolean }>(
        tx,
        sql`with ${contained(named)} select locked.*, contained.yes as "namesContainers" from contained left join lateral (select ${LOT_COLUMNS},
          ${LOCKED_NEWER} from lots where code = any(${existing}) and not contained.yes order by code ${LOT_LOCK}) locked on true`,
      );
      if (rows[0]?.namesContainers) return lockWithContents(tx, named, marked, rounds);
      return factsOnceHeld(
        tx,
        rows.filter((row) => row.code !== null),
      );
    },

    async lots(tx: Db, codes: string[]): Promise<LotView[]> {
      if (codes.length === 0) return [];
      return (await queryRows<LotRowText>(tx, sql`select ${LOT_COLUMNS} from lots where code = any(${texts(codes)})`)).map(toLotView);
    },

    /**
     * Current contents of containers, nested containers' contents included: a row per packing link in
     * force, each with the time of the latest of its child's in the container (`packedAt`) and of the
     * earliest (`firstPackedAt`).
     */
    async contents(tx: Db, containerCodes: string[]) {
      if (containerCodes.length === 0) return [];
      return queryRows<{
        parentCode: string;
        childCode: string;
        quantity: string | null;
        unit: string | null;
        packedAt: Date | string;
        firstPackedAt: Date | string;
      }>(
        tx,
        sql`with recursive inside(code) as (
          select unnest(${texts(containerCodes)})
          union
          select e.upstream_code from lineage_edges e join inside on e.downstream_code = inside.code
          where e.kind = 'aggregate' and e.ended_by_event_id is null and e.retracted_by_event_id is null
        )
        select e.downstream_code as "parentCode", e.upstream_code as "childCode", e.quantity::text as quantity, e.unit,
          max(packing.event_time) over (partition by e.downstream_code, e.upstream_code) as "packedAt",
          min(packing.event_time) over (partition by e.downstream_code, e.upstream_code) as "firstPackedAt"
        from lineage_edges e join inside on e.downstream_code = inside.code join events packing on packing.id = e.event_id
        where e.kind = 'aggregate' and e.ended_by_event_id is null and e.retracted_by_event_id is null
        -- each container's contents in one order, which a shipment's lines and an unpacking follow
        order by e.downstream_code collate "C", e.upstream_code collate "C"`,
      );
    },

    /**
     * The live unpackings out of these containers dated after `since`, in one statement: each lot (or
     * container) an unpacking took out of one, who unpacked it, when, and when it was packed there
     * (the earliest packing the unpacking ended). Read from the packing links (their unpacking ends
     * them; one declared in error opens them again), found by container.
     */
    async unpackingsSince(tx: Db, containerCodes: string[], since: Date) {
      if (containerCodes.length === 0) return [];
      return queryRows<{
        containerCode: string;
        childCode: string;
        childKind: string;
        partyCode: string;
        eventId: string;
        packedAt: Date | string;
        unpackedAt: Date | string;
      }>(
        tx,
        sql`select e.downstream_code as "containerCode", e.upstream_code as "childCode", child.kind as "childKind",
          u.party_code as "partyCode", u.id as "eventId", min(packing.event_time) as "packedAt", u.event_time as "unpackedAt"
        from lineage_edges e join events u on u.id = e.ended_by_event_id join events packing on packing.id = e.event_id
          join lots child on child.code = e.upstream_code
        where e.downstream_code = any(${texts(containerCodes)}) and e.kind = 'aggregate' and e.retracted_by_event_id is null
          and u.event_time > ${since.toISOString()}::timestamptz
        group by e.downstream_code, e.upstream_code, child.kind, u.id, u.party_code, u.event_time`,
      );
    },

    /** The containers that (transitively) hold these lots or containers: child → its container. */
    async containersAbove(tx: Db, codes: string[]) {
      if (codes.length === 0) return [];
      return queryRows<{ childCode: string; parentCode: string }>(
        tx,
        sql`${containersAboveWalk(codes)} select child as "childCode", parent as "parentCode" from above`,
      );
    },

    /**
     * Of each lot, what its maker made of it (every `produce` booked, a correction's included) and the
     * most the maker's live events (neither a correction nor declared in error) had taken of it out of
     * its loose stock at any one time, in event time (those of one instant together): packed into
     * containers (its own cases too, though unpacked since), shipped, consumed, sold or destroyed. What
     * the lot must have been made with for no movement of it to take more than the maker held (see the
     * ledger over time, holdingsAtOf), its loose stock never below nothing. Rows in a container are
     * left out: what is shipped, sold or unpacked from one was taken from the loose stock when packed,
     * or never was the maker's loose stock (received packed).
     */
    async leastHeldByMakers(tx: Db, lotCodes: string[]) {
      if (lotCodes.length === 0) return [];
      return queryRows<{ lotCode: string; made: string; taken: string }>(
        tx,
        sql`select l.code as "lotCode",
          coalesce((select sum(m.quantity) from lot_movements m
            where m.lot_code = l.code and m.party_code = l.party_code and m.kind = 'produce'), 0)::text as made,
          greatest(0, -coalesce((select min(w.booked) from (
            select sum(m.quantity) filter (where m.kind <> 'produce' and m.container_code is null
                and e.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = e.id))
              over (order by e.event_time) as booked
            from lot_movements m join events e on e.id = m.event_id
            where m.lot_code = l.code and m.party_code = l.party_code) w), 0))::text as taken
        from lots l where l.code = any(${texts(lotCodes)})`,
      );
    },

    /**
     * The least each party held of each lot at its place (loose, or packed in a container: see
     * placeOf) from a time on (`from`), in event time (those of one instant together), by its live
     * events (neither a correction nor declared in error), with what it made of the lot counted
     * throughout as leastHeldByMakers counts it (made loose); and the earliest time it held that
     * little (`at`, null when it moved none of the lot there from then on: `least` is then what it
     * held there through the time). A row by the place of the pair in `pairs`.
     */
    async leastHeldFrom(tx: Db, pairs: HoldingAt[]) {
      if (pairs.length === 0) return [];
      return queryRows<{ n: number; least: string; at: string | null }>(
        tx,
        sql`select p.n::int as n, (mk.made + coalesce(lw.booked, mk.through))::text as least, ${isoMs(sql`lw.event_time`)} as at
        from unnest(${texts(pairs.map((row) => row.lotCode))}, ${texts(pairs.map((row) => row.partyCode))}, ${times(pairs.map((row) => row.time))},
            ${texts(pairs.map((row) => placeOf(row.containerCode)))})
          with ordinality as p(lot_code, party_code, from_time, place, n)
        cross join lateral (select coalesce(sum(m.quantity) filter (where m.kind = 'produce'), 0) as made,
            coalesce(sum(m.quantity) filter (where m.kind <> 'produce' and e.event_time < p.from_time
              and e.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = e.id)), 0) as through
          from lot_movements m join events e on e.id = m.event_id
          where m.lot_code = p.lot_code and m.party_code = p.party_code and (p.place = '*' or coalesce(m.container_code, '') = p.place)) mk
        left join lateral (select w.booked, w.event_time from (
            select e.event_time, coalesce(sum(m.quantity) filter (where m.kind <> 'produce'
                and e.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = e.id))
              over (order by e.event_time), 0) as booked
            from lot_movements m join events e on e.id = m.event_id
            where m.lot_code = p.lot_code and m.party_code = p.party_code and (p.place = '*' or coalesce(m.container_code, '') = p.place)) w
          where w.event_time >= p.from_time order by w.booked, w.event_time limit 1) lw on true
        order by p.n`,
      );
    },

    async balances(tx: Db, lotCodes: string[]) {
      if (lotCodes.length === 0) return [];
      return queryRows<{ lotCode: string; partyCode: string; containerCode: string | null; quantity: string }>(
        tx,
        sql`select lot_code as "lotCode", party_code as "partyCode", container_code as "containerCode", quantity::text as quantity
        from lot_balances where lot_code = any(${texts(lotCodes)})`,
      );
    },

    /**
     * Each lot's balances (what each party holds of it, loose or per container), how its stock
     * last went out for good (consumed, sold, destroyed), whether a live event recalled it, and
     * when each party first received some of it (by a live receipt).
     */
    async ledgers(tx: Db, lotCodes: string[]) {
      if (lotCodes.length === 0) return [];
      return (await queryRows<LedgerRow>(tx, ledgersOf(lotCodes))).map(toLedger);
    },

    /**
     * Shipments named by id (locked: one receipt each) and the open ones carrying some of any of the
     * lots (a stored line of 0 sent nothing), with all their lines: locked first (see lockShipments),
     * then read.
     */
    async shipments(tx: Db, ids: string[], lotCodes: string[]): Promise<ShipmentView[]> {
      // read once locked, in a statement of its own: the locking one read the lines as they were when
      // it began, before a receipt or a correction it waited for was committed
      return readShipments(tx, await lockShipments(tx, ids, lotCodes));
    },

    /** Shipments by id with all their lines, read without locking them: for a caller that already holds them. */
    heldShipments: readShipments,

    /**
     * Where the locks a caller takes in rounds start (see the writer's readLocked and lockedAsRead):
     * a savepoint, which letGoLockRounds goes back to. Kept to the end of the transaction: a row locked
     * in a savepoint that is then released, and updated after, is given a multixact (each lot a recall marks);
     * and a lock a released savepoint took is not let go for a writer already waiting for it (see lockWithContents).
     */
    async beginLockRounds(tx: Db) {
      await queryRows(tx, sql`savepoint lock_rounds`);
    },

    /** Back to beginLockRounds' savepoint: every row locked since is let go, and what was written since undone. */
    async letGoLockRounds(tx: Db) {
      await queryRows(tx, sql`rollback to savepoint lock_rounds`);
    },

    /**
     * Locks those of the lots that no other transaction holds, without waiting for the rest (a lot
     * another holds is skipped): the codes locked, for a caller that may not wait for a lot after
     * those it holds.
     */
    async lockFreeLots(tx: Db, codes: string[]): Promise<string[]> {
      if (codes.length === 0) return [];
      const rows = await queryRows<{ code: string }>(
        tx,
        sql`select code from lots where code = any(${texts(codes)}) order by code ${LOT_LOCK} skip locked`,
      );
      return rows.map((row) => row.code);
    },

    /**
     * The lots' ledgers (see ledgers) and what the batch names besides (see referencesOf), in one
     * round trip: neither depends on the other, and a native batch waits on each of its reads.
     */
    async ledgersAndReferences(tx: Db, lotCodes: string[], named: NamedReferences, holdingsAt: HoldingAt[] = []) {
      const ledgers = lotCodes.length
        ? sql`(select coalesce(json_agg(ledger), '[]') from (${ledgersOf(lotCodes)}) ledger)`
        : sql`'[]'::json`;
      const holdings = holdingsAt.length ? holdingsAtOf(holdingsAt) : sql`'[]'::json`;
      const [{ ledgers: rows, holdings: held, ...references }] = await queryRows<
        References & { ledgers: LedgerRow[]; holdings: HoldingRow[] }
      >(tx, sql`select ${referencesOf(named)}, ${ledgers} as ledgers, ${holdings} as holdings`);
      return {
        ledgers: rows.map(toLedger),
        references,
        holdings: held.map((row) => ({
          ...holdingsAt[row.n - 1],
          before: Number(row.before),
          arriving: Number(row.arriving),
          through: Number(row.through),
          window: { least: Number(row.least), from: new Date(row.leastFrom) },
        })),
      };
    },

    /** Issued (visible) packs, named or packed in the given containers, with their lot and current container. */
    async items(tx: Db, codes: string[], containerCodes: string[]) {
      if (codes.length === 0 && containerCodes.length === 0) return [];
      return queryRows<{ code: string; lotCode: string; containerCode: string | null }>(
        tx,
        sql`select i.code, i.lot_code as "lotCode", i.container_code as "containerCode" from items i join code_jobs j on j.id = i.job_id
        where (i.code = any(${texts(codes)}) or i.container_code = any(${texts(containerCodes)})) and j.status = 'succeeded'`,
      );
    },

    /** Everything downstream of each lot (to refuse edges that would close a cycle). */
    async downstreamOf(tx: Db, codes: string[]): Promise<Map<string, Set<string>>> {
      if (codes.length === 0) return new Map();
      const rows = await queryRows<{ origin: string; code: string }>(
        tx,
        sql`with recursive down(origin, code) as (
          select o, o from unnest(${texts(codes)}) o
          union
          select d.origin, e.downstream_code from down d join lineage_edges e on e.upstream_code = d.code
          where e.retracted_by_event_id is null
        )
        select origin, code from down`,
      );
      const downstream = new Map<string, Set<string>>();
      for (const row of rows) {
        if (!downstream.has(row.origin)) downstream.set(row.origin, new Set());
        (downstream.get(row.origin) as Set<string>).add(row.code);
      }
      return downstream;
    },

    /** Of these event ids, those stored and not declared in error. */
    async liveEvents(tx: Db, ids: string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await queryRows<{ id: string }>(
        tx,
        sql`select e.id from events e where e.id = any(${texts(ids)})
          and not exists (select 1 from events c where c.corrects_event_id = e.id)`,
      );
      return rows.map((row) => row.id);
    },

    /**
     * What correcting an event depends on: the event, what it moved, the lots it linked (what made and used them is
     * read once they are locked: see lotsFacts) and the shipment it opened or closed. The event is the party's own
     * first stored under one of `ids`, the forms its id may be stored in (eventIdsToLookUp): another party's under one
     * of them is not the one it names. The shipments it opened or
     * closed are locked with every other the correction and its replacement lock (`also`: what the replacement names),
     * in one statement and before any lot, as every writer locks them.
     */
    async correctionFacts(tx: Db, partyCode: string, ids: string[], also: { lotCodes: string[]; shipmentIds: string[] }) {
      const [target] = await queryRows<{
        id: string;
        type: string;
        partyCode: string;
        eventTime: Date | string;
        correctedBy: string | null;
        /** The recall a holder reported this destruction or return to (see the recall service). */
        recallId: string | null;
      }>(
        tx,
        sql`select e.id, e.type, e.party_code as "partyCode", e.event_time as "eventTime",
          coalesce(e.payload->>'recallId', (select r.recall_id from recall_report_events l join recall_reports r on r.id = l.report_id
            where l.event_id = e.id)) as "recallId",
          (select c.id from events c where c.corrects_event_id = e.id limit 1) as "correctedBy"
        from events e where e.id = any(${texts(ids)}) and e.party_code = ${partyCode}
        order by array_position(${texts(ids)}, e.id) limit 1`,
      );
      if (!target) return undefined;
      const targetId = target.id;
      const movements = await queryRows<{
        lotCode: string;
        partyCode: string;
        kind: string;
        quantity: string;
        containerCode: string | null;
      }>(
        tx,
        sql`select lot_code as "lotCode", party_code as "partyCode", kind, quantity::text as quantity, container_code as "containerCode"
        from lot_movements where event_id = ${targetId}`,
      );
      // the lots it linked, which the correction locks: what they were made and used by is read once they are held (see lotsFacts)
      const linked = await queryRows<{ lotCode: string }>(
        tx,
        sql`select lot_code as "lotCode" from event_lots where event_id = ${targetId}`,
      );
      // a shipment received in parts names each part's receipt on its lines. Locked with them: the open
      // shipments carrying a lot the correction books back or its replacement names, which the statuses'
      // refresh and the replacement lock after these lots; another writer, holding one of them while waiting
      // for a lot this one held, would deadlock with it
      const lotCodes = [...new Set([...movements.map((row) => row.lotCode), ...linked.map((row) => row.lotCode), ...also.lotCodes])];
      // probed by id from arrays, the event's columns by their indexes: `id in (select …)` beside `or`
      // is no index condition, and every correction read every shipment and line
      const receivedInParts = sql`array(select l.shipment_id from shipment_lines l where l.receive_event_id = ${targetId})`;
      // the lines a reversal of a receipt puts back on their way: its own, and those of its shipments
      // stored with no receipt (before receipts were recorded per line), whose lots the replacement may
      // book in. The open shipments carrying them are locked here too, not by the replacement after the lots
      const reopenedLines = sql`shipment_lines l where l.quantity > 0
        and l.shipment_id = any(array(select s.id from shipments s where s.receive_event_id = ${targetId}) || ${receivedInParts})
        and (l.receive_event_id = ${targetId} or l.receive_event_id is null)`;
      // every shipment the correction and its replacement take, in this one statement: one taken by a
      // later statement (a shipment committed meanwhile) would come out of id order, after the lots.
      // With what is packed in the containers among the lots, as lockShipments takes it: the lots lock
      // it with them, and the statuses' refresh and the replacement take the shipments carrying it
      const locked = await queryRows<{ id: string; ofTarget: boolean }>(
        tx,
        sql`with recursive ${inside(texts(lotCodes))}
        select s.id, (s.ship_event_id = ${targetId} or s.receive_event_id = ${targetId} or s.id = any(${receivedInParts})) as "ofTarget"
        from shipments s
        where s.ship_event_id = ${targetId} or s.receive_event_id = ${targetId}
          or s.id = any(${receivedInParts})
          or s.id = any(${texts(also.shipmentIds)})
          or (s.status = 'open' and s.id = any(array(select shipment_id from shipment_lines where quantity > 0 and lot_code = any(${texts(lotCodes)}
         || array(select code from inside)
         || array(select lot_code from shipment_lines where shipment_id = any(${texts(also.shipmentIds)}) and quantity > 0 and received_quantity is null)
         || array(select l.lot_code from ${reopenedLines})))))
        order by s.id for update of s`,
      );
      const reopenedLots = await queryRows<{ lotCode: string }>(tx, sql`select distinct l.lot_code as "lotCode" from ${reopenedLines}`);
      // read once locked, in a statement of its own: the locking one read the lines as they were when
      // it began, before a receipt it waited for was committed
      const shipments = await queryRows<{ id: string; status: string; byShipping: boolean; partlyReceived: boolean }>(
        tx,
        sql`select s.id, s.status, s.ship_event_id = ${targetId} as "byShipping",
          exists (select 1 from shipment_lines l where l.shipment_id = s.id and l.received_quantity is not null) as "partlyReceived"
        from shipments s where s.id = any(${texts(locked.filter((row) => row.ofTarget).map((row) => row.id))})`,
      );
      return {
        target: { ...target, eventTime: new Date(target.eventTime) },
        movements: movements.map((row) => ({ ...row, quantity: Number(row.quantity) })),
        shipments,
        linkedLots: linked.map((row) => row.lotCode),
        reopenedLots: reopenedLots.map((row) => row.lotCode),
      };
    },

    /**
     * What the lots a corrected event created or made are used by and made by otherwise, read once the
     * correction holds them (in READ COMMITTED a statement of its own sees what a write it waited for
     * stored): `created`, those it created and not voided, in the order it lists them (createdInOrderOf),
     * with whether an edge takes them downstream, their item codes issued or queued, when an event
     * first used them, what they were made as (product, unit, lot number), whether a live event other
     * than a making has moved any of them (`usedSince`: packed, shipped, received, consumed, sold or
     * destroyed) and whether any of them left their maker's hands (`inOtherHands`: shipped, sold, or
     * booked to another party); `made`, those it linked as
     * making them, with when another live event made them and when one first used them. And, of an unpacking, the last standing unpacking recorded
     * after it that took out again a lot it took out of its container (`laterUnpacking`), and each later
     * event of its party that took such a container out of its hands (`containersLeft`), in this same
     * statement: the writer's corrections send no more statements for it.
     */
    async lotsFacts(tx: Db, targetId: string) {
      type LotFacts = {
        code: string;
        created: boolean;
        makes: boolean;
        usedDownstream: boolean;
        codesClaimed: number;
        madeOtherwiseAt: Date | string | null;
        firstUsedAt: Date | string | null;
        productCode: string | null;
        unit: string;
        lotNumber: string | null;
        usedSince: boolean;
        inOtherHands: boolean;
      };
      const [row] = await queryRows<{
        lots: LotFacts[];
        laterUnpacking: { eventId: string; partyCode: string; lotCode: string; containerCode: string } | null;
        containersLeft: { containerCode: string; eventId: string; kind: string; eventTime: Date | string; back: boolean }[];
      }>(
        tx,
        sql`select coalesce((select json_agg(facts order by array_position(${createdInOrderOf(targetId)}, facts.code), facts.code) from (
          select l.code, (l.created_by_event_id = ${targetId} and l.voided_by_event_id is null) as created, made.makes,
            exists (select 1 from lineage_edges e where e.upstream_code = l.code and e.retracted_by_event_id is null) as "usedDownstream",
            ${codesClaimedOf(sql`l.code`)} as "codesClaimed",
            case when made.makes then (select min(e.event_time) from event_lots m join events e on e.id = m.event_id
              where m.lot_code = l.code and m.makes and m.event_id <> ${targetId}
                and not exists (select 1 from events c where c.corrects_event_id = e.id)) end as "madeOtherwiseAt",
            ${sql.raw(firstUseOf('l.code'))} as "firstUsedAt",
            l.product_code as "productCode", l.unit, l.lot_number as "lotNumber",
            exists (select 1 from ${liveMovementsOf(sql`l.code`, targetId)} and m.kind <> 'produce') as "usedSince",
            exists (select 1 from ${liveMovementsOf(sql`l.code`, targetId)}
              and (m.kind in ('ship_out', 'sell') or m.party_code <> l.party_code)) as "inOtherHands"
          from lots l
          cross join lateral (select exists (select 1 from event_lots el where el.event_id = ${targetId} and el.lot_code = l.code and el.makes) as makes) made
          where (l.created_by_event_id = ${targetId} and l.voided_by_event_id is null)
            or l.code = any(array(select el.lot_code from event_lots el where el.event_id = ${targetId} and el.makes))
        ) facts), '[]'::json) as lots,
        ${laterUnpackingOf(targetId)} as "laterUnpacking", ${containersLeftOf(targetId)} as "containersLeft"`,
      );
      const rows = row?.lots ?? [];
      return {
        created: rows
          .filter((row) => row.created)
          .map((row) => ({
            code: row.code,
            usedDownstream: Boolean(row.usedDownstream),
            codesClaimed: Number(row.codesClaimed),
            firstUsedAt: timeOrNull(row.firstUsedAt),
            productCode: row.productCode,
            unit: row.unit,
            lotNumber: row.lotNumber,
            usedSince: Boolean(row.usedSince),
            inOtherHands: Boolean(row.inOtherHands),
          })),
        made: rows
          .filter((row) => row.makes)
          .map((row) => ({ code: row.code, madeOtherwiseAt: timeOrNull(row.madeOtherwiseAt), firstUsedAt: timeOrNull(row.firstUsedAt) })),
        laterUnpacking: row?.laterUnpacking ?? null,
        containersLeft: (row?.containersLeft ?? []).map((left) => ({ ...left, eventTime: new Date(left.eventTime) })),
      };
    },

    /**
     * What declaring stored events in error will lock (see the writer's lockAhead), read without
     * locking: the shipments each opened or closed (a receipt in parts names itself on its lines), the
     * lots it moved or linked and those on the lines of those shipments (which a reversal may reopen),
     * and the containers it packed into or unpacked from. Each event is the party's own stored under one of its `ids`.
     */
    async eventsReach(tx: Db, events: { actor: string; ids: string[] }[]) {
      const none = { shipmentIds: [] as string[], lotCodes: [] as string[], containers: [] as string[] };
      if (events.length === 0) return none;
      const pairs = events.flatMap(({ actor, ids }) => ids.map((id) => ({ actor, id })));
      const [row] = await queryRows<{ shipmentIds: string[]; lotCodes: string[]; containers: string[] }>(
        tx,
        sql`with target as materialized (select e.id from events e
          join unnest(${texts(pairs.map((pair) => pair.id))}, ${texts(pairs.map((pair) => pair.actor))}) as v(id, party_code)
            on e.id = v.id and e.party_code = v.party_code),
        shipped as materialized (select s.id from shipments s where s.ship_event_id = any(array(select id from target))
          or s.receive_event_id = any(array(select id from target))
          or s.id = any(array(select l.shipment_id from shipment_lines l where l.receive_event_id = any(array(select id from target)))))
        select array(select id from shipped) as "shipmentIds",
          array(select lot_code from lot_movements where event_id = any(array(select id from target))
            union select lot_code from event_lots where event_id = any(array(select id from target))
            union select lot_code from shipment_lines where shipment_id = any(array(select id from shipped))) as "lotCodes",
          array(select distinct container_code from lot_movements
            where event_id = any(array(select id from target)) and kind in ('pack', 'unpack') and container_code is not null) as "containers"`,
      );
      return row ?? none;
    },

    /** Takes a corrected event's effects out of the world: its lots voided, its edges out of every trace, its shipment undone. */
    async reverse(
      tx: Db,
      change: { correctionId: string; targetId: string; voidedLots: string[]; cancelled: string[]; reopened: string[] },
    ) {
      await queryRows(
        tx,
        sql`with voided as (update lots set voided_by_event_id = ${change.correctionId} where code = any(${texts(change.voidedLots)})),
        -- the lots it made or used that stay begin or were first used otherwise now (see LOCKED_NEWER)
        touched as (update lots set status = status
          where code in (select lot_code from event_lots where event_id = ${change.targetId}) and code <> all(${texts(change.voidedLots)})),
        released as (delete from lot_identifiers where lot_code = any(${texts(change.voidedLots)})),
        retracted as (update lineage_edges set retracted_by_event_id = ${change.correctionId}
          where event_id = ${change.targetId} and retracted_by_event_id is null),
        restored as (update lineage_edges set ended_by_event_id = null where ended_by_event_id = ${change.targetId}),
        unpacked as (update items set container_code = null
          where code in (select jsonb_array_elements_text(payload->'itemCodes') from events where id = ${change.targetId} and type = 'aggregate')),
        repacked as (update items set container_code = (select payload->>'parentCode' from events where id = ${change.targetId})
          -- a pack packed elsewhere since stays where it is
          where container_code is null
            and code in (select jsonb_array_elements_text(payload->'itemCodes') from events where id = ${change.targetId} and type = 'disaggregate')),
        cancelled as (update shipments set status = 'cancelled' where id = any(${texts(change.cancelled)})),
        reopened as (update shipments set status = 'open', receive_event_id = null, received_at = null where id = any(${texts(change.reopened)})),
        reopened_lines as (update shipment_lines set received_quantity = null, receive_event_id = null
          where shipment_id = any(${texts(change.reopened)})
            -- lines received before receipts were recorded per line carry none
            and (receive_event_id = ${change.targetId} or receive_event_id is null))
        select 1`,
      );
    },

    /**
     * Stores a whole batch in one statement: inserts through data-modifying CTEs fed by arrays (a
     * fixed number of parameters however many rows), and the final values of existing rows the
     * batch changed. Rows created in the batch already carry their final values, because the
     * statement's parts do not see each other's rows.
     */
    persistStatement(batch: Batch): SQL {
      const records = batch.events.map((event) => event.record);
      const links = batch.events.flatMap(({ record, draft }) => {
        const evidence = isEvidence(record);
        return [...draft.links.values()].map((link) => ({
          ...link,
          eventId: record.id,
          partyCode: record.partyCode,
          evidence,
          makes: makes(record.type, link, draft),
          usedAt: usesLink(record.type, link, draft) ? record.eventTime : null,
        }));
      });
      const values = eventValuesOf(records, links);
      const movements = batch.events.flatMap(({ draft }) => draft.movements);
      const timeOf = new Map(records.map((record) => [record.id, record.eventTime]));
      // a lot is recorded when the event making it is, by the writer's clock (as brands date what they decide by)
      const recordTimeOf = new Map(records.map((record) => [record.id, record.recordTime]));
      const lotRecordedAt = (lot: NewLot) => recordTimeOf.get(lot.createdByEventId) ?? records[0].recordTime;
      // a lot's new status and hold go into one row of one update
      const changedLots = new Map<string, { code: string; status: string | null; hold: LotHold | null; holdChanged: boolean }>();
      for (const { code, status } of batch.statuses) changedLots.set(code, { code, status, hold: null, holdChanged: false });
      for (const { code, hold } of batch.holds)
        changedLots.set(code, { code, status: changedLots.get(code)?.status ?? null, hold, holdChanged: true });
      const lotChanges = [...changedLots.values()];
      const edges = batch.events.flatMap(({ draft }) => draft.edges);
      const identifiers = batch.events.flatMap(({ draft }) => draft.identifiers.map((row) => ({ ...row, partyCode: draft.actor })));
      // only the parts with rows: a native event touches four or five of the fourteen, and planning costs less
      const parts = [
        // a correction's replacement keeps the codes of the lots it replaces: those rows are overwritten
        batch.lots.length > 0 &&
          sql`new_lots as (insert into lots (code, kind, party_code, product_code, lot_number, sscc, quantity, unit, production_date,
          expiry_date, sell_by_date, origin_location_code, attributes, status, created_by_event_id, created_at)
          select * from unnest(${texts(batch.lots.map((l) => l.code))}, ${texts(batch.lots.map((l) => l.kind))},
            ${texts(batch.lots.map((l) => l.partyCode))}, ${texts(batch.lots.map((l) => l.productCode))},
            ${texts(batch.lots.map((l) => l.lotNumber))}, ${texts(batch.lots.map((l) => l.sscc))}, ${numerics(batch.lots.map((l) => l.quantity))},
            ${texts(batch.lots.map((l) => l.unit))}, ${texts(batch.lots.map((l) => l.productionDate))}::date[],
            ${texts(batch.lots.map((l) => l.expiryDate))}::date[], ${texts(batch.lots.map((l) => l.sellByDate))}::date[],
            ${texts(batch.lots.map((l) => l.originLocationCode))},
            ${jsonbArray(batch.lots.map((l) => l.attributes))}, ${texts(batch.lots.map((l) => l.status))}, ${texts(batch.lots.map((l) => l.createdByEventId))},
            ${times(batch.lots.map(lotRecordedAt))})
          on conflict (code) do update set kind = excluded.kind, party_code = excluded.party_code, product_code = excluded.product_code,
            lot_number = excluded.lot_number, sscc = excluded.sscc, quantity = excluded.quantity, unit = excluded.unit,
            production_date = excluded.production_date, expiry_date = excluded.expiry_date,
            sell_by_date = excluded.sell_by_date, origin_location_code = excluded.origin_location_code,
            attributes = excluded.attributes, status = excluded.status, created_by_event_id = excluded.created_by_event_id, voided_by_event_id = null)`,
        identifiers.length > 0 &&
          sql`new_identifiers as (insert into lot_identifiers (kind, value, lot_code, party_code)
          select * from unnest(${texts(identifiers.map((i) => i.kind))}, ${texts(identifiers.map((i) => i.value))},
            ${texts(identifiers.map((i) => i.lotCode))}, ${texts(identifiers.map((i) => i.partyCode))}))`,
        records.length > 0 &&
          sql`new_events as (insert into events (id, type, event_time, record_time, event_time_zone_offset, party_code, biz_step, disposition,
          read_point, biz_location, reference_documents, payload, corrects_event_id, epcis_type, transformation_id, corrective_event_ids)
          select id, type, event_time, record_time, event_time_zone_offset, party_code, biz_step, disposition, read_point, biz_location,
            reference_documents, payload, corrects_event_id, epcis_type, transformation_id,
            -- a list per event as JSON (unnest would flatten a text[][]); JSON null when it names none
            case when jsonb_typeof(corrective) = 'array' then array(select jsonb_array_elements_text(corrective)) end
          from unnest(${texts(records.map((r) => r.id))}, ${texts(records.map((r) => r.type))}, ${times(records.map((r) => r.eventTime))},
            ${times(records.map((r) => r.recordTime))},
            ${texts(records.map((r) => r.eventTimeZoneOffset))}, ${texts(records.map((r) => r.partyCode))}, ${texts(records.map((r) => r.bizStep))},
            ${texts(records.map((r) => r.disposition))}, ${texts(records.map((r) => r.readPoint))}, ${texts(records.map((r) => r.bizLocation))},
            ${jsonbArray(records.map((r) => r.referenceDocuments))}, ${jsonbArray(records.map((r) => r.payload))}, ${texts(records.map((r) => r.correctsEventId))},
            ${texts(records.map((r) => r.epcisType))}, ${texts(records.map((r) => r.transformationId))},
            ${jsonbArray(records.map((r) => r.correctiveEventIds))})
            as v(id, type, event_time, record_time, event_time_zone_offset, party_code, biz_step, disposition, read_point, biz_location,
              reference_documents, payload, corrects_event_id, epcis_type, transformation_id, corrective))`,
        links.length > 0 &&
          sql`new_event_lots as (insert into event_lots (event_id, lot_code, role, quantity, party_code, named_as_instance, evidence, makes,
            used_at)
          select * from unnest(${texts(links.map((l) => l.eventId))}, ${texts(links.map((l) => l.lotCode))}, ${texts(links.map((l) => l.role))},
            ${numerics(links.map((l) => l.quantity))}, ${texts(links.map((l) => l.partyCode))},
            ${booleans(links.map((l) => l.namedAsInstance ?? null))}, ${booleans(links.map((l) => l.evidence))},
            ${booleans(links.map((l) => l.makes))}, ${times(links.map((l) => l.usedAt))}))`,
        values.length > 0 &&
          sql`new_event_values as (insert into event_values (party_code, field, value)
          select * from unnest(${texts(values.map((v) => v.partyCode))}, ${texts(values.map((v) => v.field))},
            ${texts(values.map((v) => v.value))})
          on conflict do nothing)`,
        movements.length > 0 &&
          sql`new_movements as (insert into lot_movements (event_id, lot_code, party_code, kind, quantity, container_code, received_at)
          select * from unnest(${texts(movements.map((m) => m.eventId))}, ${texts(movements.map((m) => m.lotCode))},
            ${texts(movements.map((m) => m.partyCode))}, ${texts(movements.map((m) => m.kind))}, ${numerics(movements.map((m) => m.quantity))},
            ${texts(movements.map((m) => m.containerCode))}, ${times(movements.map((m) => receivedAt(m, timeOf)))}))`,
        edges.length > 0 &&
          sql`new_edges as (insert into lineage_edges (upstream_code, downstream_code, kind, quantity, unit, event_id, party_code, ended_by_event_id)
          select * from unnest(${texts(edges.map((e) => e.upstreamCode))}, ${texts(edges.map((e) => e.downstreamCode))},
            ${texts(edges.map((e) => e.kind))}, ${numerics(edges.map((e) => e.quantity))}, ${texts(edges.map((e) => e.unit))},
            ${texts(edges.map((e) => e.eventId))}, ${texts(edges.map((e) => e.partyCode))},
            ${texts(edges.map((e) => e.endedByEventId ?? null))})
          on conflict do nothing)`,
        batch.shipments.length > 0 &&
          sql`new_shipments as (insert into shipments (id, ship_event_id, from_party_code, from_location_code, to_party_code, to_location_code,
          status, shipped_at, receive_event_id, received_at)
          select * from unnest(${texts(batch.shipments.map((s) => s.id))}, ${texts(batch.shipments.map((s) => s.shipEventId))},
            ${texts(batch.shipments.map((s) => s.fromPartyCode))}, ${texts(batch.shipments.map((s) => s.fromLocationCode))},
            ${texts(batch.shipments.map((s) => s.toPartyCode))}, ${texts(batch.shipments.map((s) => s.toLocationCode))},
            ${texts(batch.shipments.map((s) => s.status))}, ${times(batch.shipments.map((s) => s.shippedAt))},
            ${texts(batch.shipments.map((s) => s.receiveEventId))}, ${times(batch.shipments.map((s) => s.receivedAt))}))`,
        batch.shipmentLines.length > 0 &&
          sql`new_shipment_lines as (insert into shipment_lines (shipment_id, lot_code, quantity, received_quantity, party_code, container_code,
            receive_event_id, position)
          select * from unnest(${texts(batch.shipmentLines.map((l) => l.shipmentId))}, ${texts(batch.shipmentLines.map((l) => l.lotCode))},
            ${numerics(batch.shipmentLines.map((l) => l.quantity))}, ${numerics(batch.shipmentLines.map((l) => l.receivedQuantity))},
            ${texts(batch.shipmentLines.map((l) => l.partyCode))}, ${texts(batch.shipmentLines.map((l) => l.containerCode))},
            ${texts(batch.shipmentLines.map((l) => l.receiveEventId))}, ${sql.param(batch.shipmentLines.map((l) => l.position))}::integer[]))`,
        batch.endedContainment.length > 0 &&
          sql`ended_edges as (update lineage_edges e set ended_by_event_id = v.event_id
          from unnest(${texts(batch.endedContainment.map((c) => c.parentCode))}, ${texts(batch.endedContainment.map((c) => c.childCode))},
            ${texts(batch.endedContainment.map((c) => c.eventId))}) as v(parent_code, child_code, event_id)
          where e.downstream_code = v.parent_code and e.upstream_code = v.child_code and e.kind = 'aggregate'
            and e.ended_by_event_id is null and e.retracted_by_event_id is null)`,
        batch.receivedShipments.length > 0 &&
          sql`received_shipments as (update shipments s set status = 'received', receive_event_id = v.event_id, received_at = v.received_at
          from unnest(${texts(batch.receivedShipments.map((r) => r.id))}, ${texts(batch.receivedShipments.map((r) => r.receiveEventId))},
            ${times(batch.receivedShipments.map((r) => r.receivedAt))}) as v(id, event_id, received_at)
          where s.id = v.id)`,
        batch.receivedLines.length > 0 &&
          sql`received_lines as (update shipment_lines l set received_quantity = v.quantity, receive_event_id = v.event_id
          from unnest(${texts(batch.receivedLines.map((r) => r.shipmentId))}, ${texts(batch.receivedLines.map((r) => r.lotCode))},
            ${texts(batch.receivedLines.map((r) => r.containerCode))}, ${numerics(batch.receivedLines.map((r) => r.receivedQuantity))},
            ${texts(batch.receivedLines.map((r) => r.receiveEventId))})
            as v(shipment_id, lot_code, container_code, quantity, event_id)
          where l.shipment_id = v.shipment_id and l.lot_code = v.lot_code and l.container_code is not distinct from v.container_code)`,
        batch.itemContainers.length > 0 &&
          sql`packed_items as (update items i set container_code = v.container_code
          from unnest(${texts(batch.itemContainers.map((i) => i.code))}, ${texts(batch.itemContainers.map((i) => i.containerCode))})
            as v(code, container_code)
          where i.code = v.code)`,
        lotChanges.length > 0 &&
          // status and hold in one update: two updates of one row in a statement would keep only one
          sql`changed_lots as (update lots l set status = coalesce(v.status, l.status),
            hold = case when v.hold_changed then nullif(v.hold, 'null'::jsonb) else l.hold end
          from unnest(${texts(lotChanges.map((c) => c.code))}, ${texts(lotChanges.map((c) => c.status))},
            ${jsonbArray(lotChanges.map((c) => c.hold))}, ${sql.param(lotChanges.map((c) => c.holdChanged))}::boolean[])
            as v(code, status, hold, hold_changed)
          where l.code = v.code)`,
        batch.recalledLots.length > 0 &&
          // what nextLotStatus gives a recalled lot, from the status its ledger gave it: a lot that ended keeps its end.
          // One recalled already is set recalled again: its recalls grow (see LOCKED_NEWER)
          sql`recalled_lots as (update lots set status = 'recalled'
          where code = any(${texts(batch.recalledLots)}) and voided_by_event_id is null
            and status <> all(${texts([...ENDED_STATUSES])}))`,
        batch.touchedLots.length > 0 &&
          // the row's own values stay: a new version of it is what a write waiting for its lock compares
          sql`touched_lots as (update lots set status = status where code = any(${texts(batch.touchedLots)}))`,
        ...appendParts(batch.audit.entries, batch.audit.heads),
      ].filter((part): part is SQL => part !== false);
      return sql`with ${sql.join(parts, sql`, `)} select 1`;
    },

    /** Runs the statement persistStatement built for a batch. */
    async persist(tx: Db, statement: SQL): Promise<void> {
      await queryRows(tx, statement);
    },
  };
}

export type EventWriterRepository = ReturnType<typeof createEventWriterRepository>;
