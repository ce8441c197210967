import { and, desc, eq, getTableColumns, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, isoMicros, queryRows } from '../db/client.js';
import { eventLots, events } from '../db/schema.js';
import type { ListPosition } from '../http/page-token.js';
import { standingFailure } from './retests.js';
import type { SyncPosition } from './sync.js';

export type EventRow = typeof events.$inferSelect;
export type EventLotRow = typeof eventLots.$inferSelect;
export type StoredEvent = EventRow & { lots: EventLotRow[]; declaredInErrorBy: string | null };

/**
 * An event stored under its party's key, its eventID another party's (partyEventKey), and the
 * eventID it was captured as: the few such events are indexed by it (events_party_key_event_id_idx).
 */
export const keptApart = sql`${events.id} like '%|%'`;
export const capturedEventId = sql`(${events.payload}->'epcis'->>'eventID')`;

/** What GET /events selects by: the acting party, the type, a lot named, the event time (from, to). */
export type EventListFilter = { partyCode?: string; type?: string; lotCode?: string; from?: Date; to?: Date };

function selectedBy(filter: EventListFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.partyCode) conditions.push(eq(events.partyCode, filter.partyCode));
  if (filter.type) conditions.push(eq(events.type, filter.type));
  if (filter.from) conditions.push(gte(events.eventTime, filter.from));
  if (filter.to) conditions.push(lt(events.eventTime, filter.to));
  if (filter.lotCode) conditions.push(sql`${events.id} in (select event_id from event_lots where lot_code = ${filter.lotCode})`);
  return conditions;
}

/** Where a sync page reads: after `after` in record order and recorded before `before`, at most `limit` events. */
export type RecordedPage = { after: SyncPosition; before: Date; limit: number };

/**
 * A page of the events the filter selects in record order, (record_time, id), each with its
 * record time to the microsecond (the cursor's): keyset paging on events_record_time_idx, or on
 * events_party_record_time_idx for one party's (an operator's sync reads none of other parties' events),
 * or on events_type_record_time_idx for one type of every party's (a regulator's of recalls reads no observations).
 */
export function recordedPageQuery(db: Db, filter: EventListFilter, page: RecordedPage) {
  const { time, id } = page.after;
  // a row comparison, which the index's range takes as its start (an `or` of the two would be a filter)
  const after =
    id === undefined
      ? sql`${events.recordTime} >= ${time}::timestamptz`
      : sql`(${events.recordTime}, ${events.id}) > (${time}::timestamptz, ${id})`;
  return db
    .select({
      ...getTableColumns(events),
      recordInstant: isoMicros(events.recordTime),
    })
    .from(events)
    .where(and(...selectedBy(filter), after, lt(events.recordTime, page.before)))
    .orderBy(events.recordTime, events.id)
    .limit(page.limit);
}

export function createEventsRepository(db: Db) {
  /** Attaches the lots each event names and the correction (if any) that declared it in error. */
  async function complete<Row extends EventRow>(rows: Row[]): Promise<(Row & Omit<StoredEvent, keyof EventRow>)[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [lotRows, corrections] = await Promise.all([
      db.select().from(eventLots).where(anyOf(eventLots.eventId, ids)),
      db.select({ id: events.id, corrects: events.correctsEventId }).from(events).where(anyOf(events.correctsEventId, ids)),
    ]);
    const correctedBy = new Map(corrections.map((row) => [row.corrects as string, row.id]));
    const lotsByEvent = new Map<string, EventLotRow[]>();
    for (const row of lotRows) lotsByEvent.set(row.eventId, [...(lotsByEvent.get(row.eventId) ?? []), row]);
    return rows.map((row) => ({ ...row, lots: lotsByEvent.get(row.id) ?? [], declaredInErrorBy: correctedBy.get(row.id) ?? null }));
  }

  return {
    complete,
    async findById(id: string): Promise<StoredEvent | undefined> {
      const rows = await db.select().from(events).where(eq(events.id, id));
      return (await complete(rows))[0];
    },
    /**
     * Every party's events under one eventID: those stored under its forms (`ids`, in their order),
     * then those kept apart under their party's key for it (`eventId`, canonical), by key.
     */
    async findHeld(ids: string[], eventId: string): Promise<StoredEvent[]> {
      const rows = await db
        .select()
        .from(events)
        .where(or(inArray(events.id, ids), and(keptApart, eq(capturedEventId, eventId))));
      const rank = (id: string) => (ids.includes(id) ? ids.indexOf(id) : ids.length);
      return complete(rows.sort((a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    },
    /**
     * A page of the events the filter selects, newest first by (event_time, id) both descending, a
     * total order: it starts after a position (keyset, on events_time_idx or events_party_time_idx) or at an offset.
     */
    async list(filter: EventListFilter & { limit: number; offset: number; after?: ListPosition }) {
      const conditions = selectedBy(filter);
      // a row comparison, which the index's range takes as its start
      if (filter.after) conditions.push(sql`(${events.eventTime}, ${events.id}) < (${filter.after.time}::timestamptz, ${filter.after.id})`);
      const rows = await db
        .select({ ...getTableColumns(events), sortInstant: isoMicros(events.eventTime) })
        .from(events)
        .where(and(...conditions))
        .orderBy(desc(events.eventTime), desc(events.id))
        .limit(filter.limit)
        .offset(filter.offset);
      return complete(rows);
    },
    /** A sync page (see recordedPageQuery). */
    async listRecorded(filter: EventListFilter, page: RecordedPage) {
      return complete(await recordedPageQuery(db, filter, page));
    },
    /** Every event naming any of the lots, oldest first. */
    async forLots(lotCodes: string[]): Promise<StoredEvent[]> {
      if (lotCodes.length === 0) return [];
      // corrections name no lots themselves; they belong to the trace of the events they correct
      const rows = await db
        .select()
        .from(events)
        .where(
          sql`${events.id} in (
            with named as (select event_id from ${eventLots} where ${anyOf(eventLots.lotCode, lotCodes)})
            select event_id from named
            union
            select c.id from ${events} c join named on c.corrects_event_id = named.event_id)`,
        );
      return (await complete(rows)).sort(
        (a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.recordTime.getTime() - b.recordTime.getTime(),
      );
    },
    /** Those of the lots a failed test of which still stands (see standingFailure). */
    async standingFailedLots(lotCodes: string[]): Promise<Set<string>> {
      if (lotCodes.length === 0) return new Set();
      const rows = await queryRows<{ lotCode: string }>(
        db,
        sql`select distinct el.lot_code as "lotCode" from event_lots el join events e on e.id = el.event_id
          where ${anyOf(sql`el.lot_code`, lotCodes)} and el.role = 'subject' and ${standingFailure(sql`e`, sql`el.lot_code`)}`,
      );
      return new Set(rows.map((row) => row.lotCode));
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
