import { and, asc, type Column, desc, eq, getTableColumns, gt, gte, inArray, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { alias, unionAll } from 'drizzle-orm/pg-core';
import { anyOf, textArray } from '../db/chunk.js';
import { type Db, isoMicros, queryRows } from '../db/client.js';
import { type ClaimOf, claimJobRows, type JobLease, leaseEnd, releaseJobs, renewJobs } from '../db/leases.js';
import { epcisCaptures, events, eventValues, lotIdentifiers } from '../db/schema.js';
import { capturedEventId, keptApart } from '../events/repository.js';
import { partyInvolvedIn } from '../lots/repository.js';
import { NATIVE_ACTIONS } from './render.js';

export type CaptureRow = typeof epcisCaptures.$inferSelect;
/** A capture job as it stands, without its document. */
export type CaptureState = Omit<CaptureRow, 'document' | 'documentAsJsonb'>;
/** Every column of a capture job but its document. */
const { document: _document, documentAsJsonb: _documentAsJsonb, ...captureState } = getTableColumns(epcisCaptures);

export type EventOrder = { by: 'eventTime' | 'recordTime'; direction: 'ASC' | 'DESC' };

/** An open shipment's lines still on their way: a lot loose (or a container shipped itself) has no containerCode. */
export type OpenShipment = { id: string; lines: { lotCode: string; containerCode: string | null; quantity: number }[] };

/** Locations a WD_ parameter stands for: stored as one of `ids`, or starting with one of `under`. */
export type LocationsWithin = { ids: string[]; under: string[] };
/**
 * A typed list parameter resolved: captured events' entries of one of `types` (each form a CBV type
 * may be written in) with one of `values`; native events' reference documents of `nativeType` with
 * one of `nativeNumbers`, or native shipments between `partyCodes` (owning_party).
 */
export type TypedCondition = { types: string[]; values: string[]; nativeType?: string; nativeNumbers?: string[]; partyCodes?: string[] };

/** `instance`: named as an instance (true), as a class (false), or either (omitted). */
export type EventMatch = { roles: string[]; instance?: boolean };

export type EventFilter = {
  partyCode?: string;
  eventTypes?: string[];
  eventTimeFrom?: Date;
  eventTimeBefore?: Date;
  recordTimeFrom?: Date;
  recordTimeBefore?: Date;
  bizSteps?: string[];
  dispositions?: string[];
  readPoints?: string[];
  bizLocations?: string[];
  /** EQ_action: ADD, OBSERVE or DELETE, as events render it (a native event's by its type, see NATIVE_ACTIONS). */
  actions?: string[];
  /** EQ_transformationID, as captured. */
  transformationIds?: string[];
  /** WD_readPoint: read points stored as one of `ids` or starting with one of `under` (sub-locations). */
  readPointsWithin?: LocationsWithin;
  bizLocationsWithin?: LocationsWithin;
  /** Each an EQ_bizTransaction_<type> parameter: an entry of one of its type's forms with one of the values. */
  bizTransactions?: TypedCondition[];
  /** EQ_source_<type> / EQ_destination_<type>, likewise; `partyCodes`: native shipments' parties (owning_party). */
  sources?: TypedCondition[];
  destinations?: TypedCondition[];
  /** EQ_quantity, GT_quantity, …: a quantity of the event's quantity lists holding to each bound (a decimal as written, numeric's range). */
  quantities?: { op: 'EQ' | 'GT' | 'GE' | 'LT' | 'LE'; value: string }[];
  /** EQ_persistentDisposition_set / _unset: the forms of the dispositions, one of which the event's list holds. */
  persistentDispositionsSet?: string[];
  persistentDispositionsUnset?: string[];
  /** The keys events are stored under (see partyEventKeys). */
  eventIds?: string[];
  /** With eventIds: also any party's event stored under its party's key for one of these eventIDs (canonical). */
  anyPartyEventIds?: string[];
  /** Only events declared in error at or after this time (the declaration's declarationTime). */
  errorDeclarationTimeFrom?: Date;
  /** Only events declared in error before this time. */
  errorDeclarationTimeBefore?: Date;
  /** Only events declared in error for one of these reasons, as stored (each form a reason may be written in). */
  errorReasons?: string[];
  /** Only events declared in error (EXISTS_errorDeclaration). */
  errorDeclared?: boolean;
  /** Only events whose declaration names one of these corrective events (EQ_correctiveEventID), as eventIDs compare. */
  correctiveEventIds?: string[];
  /** Each entry: lots (already resolved from EPCs) that must appear in one of the roles, named as an instance or a class. */
  lotMatches?: ({ lotCodes: string[] } & EventMatch)[];
  /** Ties in time are broken by id, in the same direction, so that pages never skip or repeat an event. */
  order: EventOrder;
  /** The last event of the previous page: its ordering time to the microsecond (MicroInstant) and its id. */
  after?: { time: string; id: string };
  limit: number;
};

/**
 * A declaration `c` the query sees: one recorded before its LT_recordTime bound, if any. Before the
 * declaration was recorded the event stood as captured (EPCIS: the declaration is captured later, at
 * a recordTime of its own), and a query bounded then sees it so.
 */
const declarationSeen = (filter: EventFilter): SQL =>
  filter.recordTimeBefore ? sql` and c.record_time < ${filter.recordTimeBefore.toISOString()}::timestamptz` : sql``;

/**
 * The error declaration parameters as one condition on the event's declaration (a correction of
 * it) the query sees, or none without them. Its declarationTime is the one rendered: as captured,
 * else when the declaration was recorded (a native correction, or a captured one without it). A
 * captured declaration's declarationTime is also its event_time, as an instant the database compares.
 */
function declaredInError(filter: EventFilter): SQL | undefined {
  const { errorDeclarationTimeFrom: from, errorDeclarationTimeBefore: before, errorReasons: reasons } = filter;
  if (!filter.errorDeclared && !from && !before && !reasons) return undefined;
  const declaredAt = sql`(case when c.payload->>'declarationTime' is null then c.record_time else c.event_time end)`;
  const conditions = [
    from ? sql`${declaredAt} >= ${from.toISOString()}::timestamptz` : undefined,
    before ? sql`${declaredAt} < ${before.toISOString()}::timestamptz` : undefined,
    reasons ? anyOf(sql`c.payload->>'reason'`, reasons) : undefined,
  ].filter((condition): condition is SQL => condition !== undefined);
  return sql`exists (select 1 from events c where c.corrects_event_id = ${events.id}${declarationSeen(filter)}${sql.join(
    conditions.map((condition) => sql` and ${condition}`),
  )})`;
}

/** A captured event's list member (bizTransactionList, …): its entries, none when the event has none. */
const capturedList = (member: CapturedList) => {
  const list = sql`${events.payload}->'epcis'->${sql.raw(`'${member}'`)}`;
  return sql`jsonb_array_elements(case when jsonb_typeof(${list}) = 'array' then ${list} else '[]'::jsonb end)`;
};
type CapturedList = 'bizTransactionList' | 'sourceList' | 'destinationList';
const isNative = sql`${events.payload}->'epcis' is null`;

/** The action an event renders with: a captured event's as captured, a native one's by its type (none for a transformation). */
const actionOf = sql`(case when ${isNative} then (case ${events.type} when 'transform' then null ${sql.join(
  Object.entries(NATIVE_ACTIONS).map(([type, action]) => sql`when ${type} then ${action}`),
  sql` `,
)} when 'aggregate' then 'ADD' else 'OBSERVE' end) else ${events.payload}->'epcis'->>'action' end)`;

const locationsWithin = (column: Column, within: LocationsWithin): SQL =>
  or(
    anyOf(column, within.ids),
    within.under.length > 0
      ? sql`${column} like any(${sql.param(textArray(within.under.map((prefix) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`)))}::text[])`
      : undefined,
  ) as SQL;

/** A typed list condition (see TypedCondition) over a captured list, its value member `valueMember`. */
function typedCondition(
  member: CapturedList,
  valueMember: 'bizTransaction' | 'source' | 'destination',
  condition: TypedCondition,
  native?: SQL,
): SQL {
  const captured = sql`exists (select 1 from ${capturedList(member)} entry
    where ${anyOf(sql`entry->>'type'`, condition.types)} and ${anyOf(sql`entry->>${sql.raw(`'${valueMember}'`)}`, condition.values)})`;
  return native ? (or(captured, and(isNative, native)) as SQL) : captured;
}

/**
 * The least text after every text that starts with `prefix`, as text_pattern_ops compares (bytewise,
 * which is code point order): the prefix with its last character one up. Prefixes of EPC patterns
 * are ASCII; none is empty but one after a Digital Link's start taken off (`*.*` of SSCCs), which
 * every text starts with.
 */
const pastPrefix = (prefix: string) =>
  prefix === '' ? '\u{10FFFF}' : `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;

const QUANTITY_OPS = { EQ: sql`=`, GT: sql`>`, GE: sql`>=`, LT: sql`<`, LE: sql`<=` };

export function createEpcisRepository(db: Db) {
  return {
    /** Events already stored under these ids: what they were captured as (native events hold no EPCIS document). */
    async storedEvents(
      tx: Db,
      ids: string[],
    ): Promise<Map<string, { partyCode: string; epcis?: Record<string, unknown>; context?: unknown }>> {
      if (ids.length === 0) return new Map();
      const rows = await tx
        .select({ id: events.id, partyCode: events.partyCode, payload: events.payload })
        .from(events)
        .where(anyOf(events.id, ids));
      return new Map(
        rows.map((row) => [
          row.id,
          { partyCode: row.partyCode, ...(row.payload as { epcis?: Record<string, unknown>; context?: unknown }) },
        ]),
      );
    },
    /**
     * Inputs and outputs the party recorded under each transformation id, in events not declared in
     * error. A transformation id groups one party's events: another party naming the same id joins
     * nothing of this one's lineage.
     */
    async transformationMembers(
      tx: Db,
      partyCode: string,
      transformationIds: string[],
    ): Promise<Map<string, { inputs: string[]; outputs: string[] }>> {
      const members = new Map<string, { inputs: string[]; outputs: string[] }>();
      if (transformationIds.length === 0) return members;
      const rows = await queryRows<{ transformationId: string; lotCode: string; role: string }>(
        tx,
        sql`select e.transformation_id as "transformationId", el.lot_code as "lotCode", el.role
        from event_lots el join events e on e.id = el.event_id
        where ${anyOf(sql`e.transformation_id`, transformationIds)} and e.party_code = ${partyCode}
          and not exists (select 1 from events c where c.corrects_event_id = e.id)`,
      );
      for (const row of rows) {
        const group = members.get(row.transformationId) ?? { inputs: [], outputs: [] };
        if (row.role === 'input') group.inputs.push(row.lotCode);
        if (row.role === 'output') group.outputs.push(row.lotCode);
        members.set(row.transformationId, group);
      }
      return members;
    },
    /**
     * Open shipments addressed to a party whose lines still waiting to be received carry some of
     * any of the lots, oldest first, each with those lines (what a receipt naming its lots may
     * take): a line already booked in (a partial receipt), or a stored line of 0, which sent
     * nothing, does not make a receipt naming its lot take the shipment.
     */
    async openShipmentsTo(tx: Db, partyCode: string, lotCodes: string[]): Promise<OpenShipment[]> {
      if (lotCodes.length === 0) return [];
      return queryRows<OpenShipment>(
        tx,
        sql`select s.id, json_agg(json_build_object('lotCode', l.lot_code, 'containerCode', l.container_code,
            'quantity', l.quantity::float8) order by l.position) as lines
          from shipments s join shipment_lines l on l.shipment_id = s.id
        where s.to_party_code = ${partyCode} and s.status = 'open' and l.quantity > 0 and l.received_quantity is null
          and s.id in (select shipment_id from shipment_lines
            where ${anyOf(sql`lot_code`, lotCodes)} and quantity > 0 and received_quantity is null)
        group by s.id order by min(s.shipped_at)`,
      );
    },
    /** A new job, claimed at once by the process that queues it (given its lease). */
    /** Stores a job; its document comes back as given, not read back (a 10,000-event one is megabytes of JSON). */
    async insertCapture(row: typeof epcisCaptures.$inferInsert, lease?: JobLease): Promise<CaptureRow> {
      const [inserted] = await db
        .insert(epcisCaptures)
        .values(lease ? { ...row, claimedBy: lease.owner, leaseUntil: leaseEnd(lease) } : row)
        .returning(captureState);
      return { ...inserted, document: row.document ?? null, documentAsJsonb: null };
    },
    /**
     * Writes a job's state. Given this process's lease, only while the process holds the job (it
     * then renews the lease and, in a transaction, locks the row to its end); says whether it wrote.
     */
    async updateCapture(id: string, values: Partial<typeof epcisCaptures.$inferInsert>, tx: Db = db, lease?: JobLease): Promise<boolean> {
      const written = await tx
        .update(epcisCaptures)
        .set(lease ? { ...values, leaseUntil: leaseEnd(lease) } : values)
        .where(and(eq(epcisCaptures.id, id), lease ? eq(epcisCaptures.claimedBy, lease.owner) : undefined))
        .returning({ id: epcisCaptures.id });
      return written.length > 0;
    },
    /** Claims the unfinished jobs this process may take (see claimJobs), oldest first, as they stand now. */
    claimCaptures: (lease: JobLease, running: string[], which: ClaimOf): Promise<CaptureRow[]> =>
      claimJobRows(db, epcisCaptures, lease, running, which),
    /** Renews this process's lease on its jobs. */
    renewCaptures: (lease: JobLease, ids: string[]) => renewJobs(db, epcisCaptures, lease, ids),
    /** Lets go of this process's unfinished jobs (see releaseJobs). */
    releaseCaptures: (lease: JobLease) => releaseJobs(db, epcisCaptures, lease),
    /**
     * A page of capture jobs, newest first (ties by id), after the job `after` ended the previous
     * page: every party's, or one party's. Without the documents, event ids and errors, which may
     * each hold thousands of entries: a job's own URL has them.
     */
    async listCaptures(partyCode: string | undefined, page: { limit: number; after?: string }) {
      // the cursor job's own creation time, as stored (finer than a JavaScript date holds); only a job
      // the page may list places it, so a token naming another party's job continues nothing, as an
      // unknown id does, and tells nothing of that job
      const cursor = sql`select c.created_at, c.id from epcis_captures c where c.id = ${page.after}`;
      const after =
        page.after === undefined
          ? undefined
          : sql`(${epcisCaptures.createdAt}, ${epcisCaptures.id}) < (${cursor}${partyCode ? sql` and c.party_code = ${partyCode}` : sql``})`;
      return db
        .select({
          id: epcisCaptures.id,
          partyCode: epcisCaptures.partyCode,
          status: epcisCaptures.status,
          errorBehaviour: epcisCaptures.errorBehaviour,
          total: epcisCaptures.total,
          captured: epcisCaptures.captured,
          duplicates: epcisCaptures.duplicates,
          errorCount: sql<number>`jsonb_array_length(${epcisCaptures.errors})::int`,
          createdAt: epcisCaptures.createdAt,
          finishedAt: epcisCaptures.finishedAt,
        })
        .from(epcisCaptures)
        .where(and(partyCode ? eq(epcisCaptures.partyCode, partyCode) : undefined, after))
        .orderBy(desc(epcisCaptures.createdAt), desc(epcisCaptures.id))
        .limit(page.limit);
    },
    /** A job as it stands, without its document (which only its run reads). */
    async findCapture(id: string): Promise<CaptureState | undefined> {
      const [row] = await db.select(captureState).from(epcisCaptures).where(eq(epcisCaptures.id, id));
      return row;
    },
    /**
     * Events in (time, id) order after the page cursor; corrections show as error declarations
     * instead. An event found only by a declaration recorded within the recordTime bounds comes with
     * that declaration's recordTime; a declaration recorded after LT_recordTime is not seen (see declarationSeen).
     */
    query(filter: EventFilter) {
      // every list is one array parameter (anyOf): a named query may store more values than a
      // statement has bind parameters, and a pattern may stand for more lots than that
      const conditions: (SQL | undefined)[] = [ne(events.type, 'correction')];
      if (filter.partyCode) conditions.push(eq(events.partyCode, filter.partyCode));
      if (filter.eventTypes) conditions.push(anyOf(events.epcisType, filter.eventTypes));
      if (filter.eventTimeFrom) conditions.push(gte(events.eventTime, filter.eventTimeFrom));
      if (filter.eventTimeBefore) conditions.push(lt(events.eventTime, filter.eventTimeBefore));
      if (filter.bizSteps) conditions.push(anyOf(events.bizStep, filter.bizSteps));
      if (filter.dispositions) conditions.push(anyOf(events.disposition, filter.dispositions));
      if (filter.readPoints) conditions.push(anyOf(events.readPoint, filter.readPoints));
      if (filter.bizLocations) conditions.push(anyOf(events.bizLocation, filter.bizLocations));
      if (filter.actions) conditions.push(anyOf(actionOf, filter.actions));
      // by the index of transformation ids
      if (filter.transformationIds) conditions.push(anyOf(events.transformationId, filter.transformationIds));
      if (filter.readPointsWithin) conditions.push(locationsWithin(events.readPoint, filter.readPointsWithin));
      if (filter.bizLocationsWithin) conditions.push(locationsWithin(events.bizLocation, filter.bizLocationsWithin));
      for (const condition of filter.bizTransactions ?? []) {
        const native =
          condition.nativeType === undefined
            ? undefined
            : sql`exists (select 1 from jsonb_array_elements(${events.referenceDocuments}) doc
                where doc->>'type' = ${condition.nativeType} and ${anyOf(sql`doc->>'number'`, condition.nativeNumbers ?? [])})`;
        conditions.push(typedCondition('bizTransactionList', 'bizTransaction', condition, native));
      }
      // a native shipment renders its sender as its source and its receiver as its destination (owning_party)
      const parties = (condition: TypedCondition) => sql`any(${sql.param(textArray(condition.partyCodes ?? []))}::text[])`;
      for (const condition of filter.sources ?? []) {
        const native = condition.partyCodes
          ? sql`((${events.type} = 'ship' and ${events.partyCode} = ${parties(condition)})
              or (${events.type} = 'receive' and ${events.payload}->>'fromPartyCode' = ${parties(condition)}))`
          : undefined;
        conditions.push(typedCondition('sourceList', 'source', condition, native));
      }
      for (const condition of filter.destinations ?? []) {
        const native = condition.partyCodes
          ? sql`((${events.type} = 'ship' and ${events.payload}->>'toPartyCode' = ${parties(condition)})
              or (${events.type} = 'receive' and ${events.partyCode} = ${parties(condition)}))`
          : undefined;
        conditions.push(typedCondition('destinationList', 'destination', condition, native));
      }
      const quantities = filter.quantities;
      if (quantities) {
        const bounds = (quantity: SQL) =>
          sql.join(
            quantities.map(({ op, value }) => sql`${quantity} ${QUANTITY_OPS[op]} ${value}::numeric`),
            sql` and `,
          );
        // a captured event: each entry of its quantity lists as captured (a class may be listed twice,
        // its lot linked once), a quantity that is a JSON number; a native event: a lot named as a
        // class (by its kind), by the links' key
        const captured = sql`${events.payload}->'epcis'`;
        conditions.push(
          sql`(case when ${isNative} then exists (select 1 from event_lots el join lots l on l.code = el.lot_code
              where el.event_id = ${events.id} and el.quantity is not null and not coalesce(el.named_as_instance, l.kind = 'container')
              and ${bounds(sql`el.quantity`)})
            else exists (select 1 from unnest(array['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) member,
              jsonb_array_elements(case when jsonb_typeof(${captured}->member) = 'array' then ${captured}->member else '[]'::jsonb end) entry
              where jsonb_typeof(entry->'quantity') = 'number' and ${bounds(sql`(entry->'quantity')::numeric`)}) end)`,
        );
      }
      for (const [member, forms] of [
        ['set', filter.persistentDispositionsSet],
        ['unset', filter.persistentDispositionsUnset],
      ] as const) {
        if (!forms) continue;
        const list = sql`${events.payload}->'epcis'->'persistentDisposition'->${sql.raw(`'${member}'`)}`;
        conditions.push(
          sql`jsonb_exists_any(case when jsonb_typeof(${list}) = 'array' then ${list} else '[]'::jsonb end, ${sql.param(textArray(forms))}::text[])`,
        );
      }
      if (filter.eventIds) {
        conditions.push(
          filter.anyPartyEventIds
            ? or(anyOf(events.id, filter.eventIds), and(keptApart, anyOf(capturedEventId, filter.anyPartyEventIds)))
            : anyOf(events.id, filter.eventIds),
        );
      }
      const declaredAs = declaredInError(filter);
      if (declaredAs) conditions.push(declaredAs);
      if (filter.correctiveEventIds) {
        // the declarations naming them, by their own index, then the events they declare by key
        conditions.push(
          sql`${events.id} in (select c.corrects_event_id from events c
            where c.corrective_event_ids && ${sql.param(filter.correctiveEventIds)}::text[]${declarationSeen(filter)})`,
        );
      }
      for (const match of filter.lotMatches ?? []) {
        if (match.lotCodes.length === 0) return Promise.resolve([]);
        conditions.push(
          // as rendered: a captured event as it named the lot, a native one by the lot's kind
          sql`${events.id} in (select el.event_id from event_lots el join lots l on l.code = el.lot_code
            where ${anyOf(sql`el.lot_code`, match.lotCodes)} and el.role in ${match.roles}
              ${match.instance === undefined ? sql`` : sql`and coalesce(el.named_as_instance, l.kind = 'container') = ${match.instance}`})`,
        );
      }
      const [beyond, sort] = filter.order.direction === 'DESC' ? [sql`<`, desc] : [sql`>`, asc];
      const byRecordTime = filter.order.by === 'recordTime';
      // to the microsecond, as stored and as the page token carries it (see PageCursor)
      const afterCursor = (time: Column) => {
        const after = filter.after;
        return after && sql`(${time}, ${events.id}) ${beyond} (${after.time}::timestamptz, ${after.id})`;
      };
      const time = byRecordTime ? events.recordTime : events.eventTime;
      const recorded = (where: SQL | undefined) =>
        db
          .select({ ...getTableColumns(events), orderInstant: isoMicros(time) })
          .from(events)
          .where(and(...conditions, afterCursor(time), where))
          .orderBy(sort(time), sort(events.id))
          .limit(filter.limit);
      if (!filter.recordTimeFrom && !filter.recordTimeBefore) return recorded(undefined);
      // an event is recorded when it is captured and again when it is declared in error (EPCIS: the
      // declaration is captured as the event with its errorDeclaration, at a recordTime of its own):
      // bounds holding either time find it, so a subscriber is told of a later declaration, and an
      // event found by its declaration alone comes with the declaration's recordTime, as the bounds
      // ask (only events with recordTime within them are returned). Two pages merged: the events
      // recorded within the bounds, read in order by the order's index as far as the page goes, and
      // those recorded outside them but declared in error within them, found from their declarations.
      // (One set of ids for both would be read whole before any page is taken: every event of a large
      // log for bounds reaching far back.)
      const within = (recordedAt: Column) =>
        and(
          filter.recordTimeFrom ? sql`${recordedAt} >= ${filter.recordTimeFrom.toISOString()}::timestamptz` : undefined,
          filter.recordTimeBefore ? sql`${recordedAt} < ${filter.recordTimeBefore.toISOString()}::timestamptz` : undefined,
        ) as SQL;
      const declaration = alias(events, 'declaration');
      const declaredTime = byRecordTime ? declaration.recordTime : events.eventTime;
      const declared = db
        .select({ ...getTableColumns(events), recordTime: declaration.recordTime, orderInstant: isoMicros(declaredTime) })
        .from(events)
        .innerJoin(declaration, eq(declaration.correctsEventId, events.id))
        .where(and(...conditions, afterCursor(declaredTime), sql`not (${within(events.recordTime)})`, within(declaration.recordTime)))
        .orderBy(sort(declaredTime), sort(events.id))
        .limit(filter.limit);
      return unionAll(recorded(within(events.recordTime)), declared)
        .orderBy(sort(time), sort(events.id))
        .limit(filter.limit);
    },
    /**
     * Values of one event field (discovery endpoints), optionally limited to one party's events: a
     * page of them in order, after the last value of the previous page. Read from event_values, which
     * the event writer keeps with the events: a page by its index, however many events hold them.
     */
    async distinct(
      field: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation',
      partyCode: string | undefined,
      page: { limit: number; after?: string },
    ): Promise<string[]> {
      const rows = await db
        .selectDistinct({ value: eventValues.value })
        .from(eventValues)
        .where(
          and(
            eq(eventValues.field, field),
            partyCode ? eq(eventValues.partyCode, partyCode) : undefined,
            page.after === undefined ? undefined : gt(eventValues.value, page.after),
          ),
        )
        .orderBy(asc(eventValues.value))
        .limit(page.limit);
      return rows.map((row) => row.value);
    },
    /**
     * Lots named under GS1 keys (canonical Digital Links such as https://id.gs1.org/01/<GTIN>):
     * captured under the key or one of its serials or lots, or native lots of a product of that
     * GTIN with a lot number (rendered as GTIN + lot).
     */
    /**
     * Lots named by an identifier one of the EPC patterns stands for (see epcPatternRanges): captured
     * identifiers, and for GTIN patterns native lots by their product's GTIN, for SSCC patterns native
     * containers by their SSCC. Each pattern is read as ranges of an index (lot_identifiers_epc_value_idx,
     * lots_sscc_pattern_idx) and only the identifiers within them are held to its `rest`: a regular
     * expression of its scheme's, of which a query holds few, whatever the number of its patterns
     * (PostgreSQL keeps only a few dozen compiled; past them it would compile them again for every row).
     */
    async lotsMatching(patterns: { ai: string; prefixes: string[]; rest: string }[]): Promise<string[]> {
      // one row for each prefix of each pattern, the same rows once, those of one expression together
      const rows = new Map<string, { ai: string; prefix: string; rest: string }>();
      for (const { ai, prefixes, rest } of patterns)
        for (const prefix of prefixes) rows.set(JSON.stringify([ai, prefix, rest]), { ai, prefix, rest });
      const ranges = [...rows.values()].sort((a, b) => (a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : a.prefix < b.prefix ? -1 : 1));
      if (ranges.length === 0) return [];
      /** The ranges as a relation p(prefix, bound, rest), `base` taken off each prefix (to compare with a column of keys). */
      const relation = (of: typeof ranges, base = '') => {
        const prefixes = of.map((range) => range.prefix.slice(base.length));
        return sql`unnest(${sql.param(textArray(prefixes))}::text[], ${sql.param(textArray(prefixes.map(pastPrefix)))}::text[],
          ${sql.param(textArray(of.map((range) => range.rest)))}::text[]) p(prefix, bound, rest)`;
      };
      /** `value` starts with the range's prefix and the rest of it matches (the expression only then: see CASE). */
      const within = (value: SQL) =>
        sql`case when starts_with(${value}, p.prefix) then substr(${value}, length(p.prefix) + 1) ~ p.rest else false end`;
      const gtins = ranges.filter((range) => range.ai === '01');
      const ssccs = ranges.filter((range) => range.ai === '00');
      const GTIN_BASE = 'https://id.gs1.org/01/';
      const SSCC_BASE = 'https://id.gs1.org/00/';
      const found = await queryRows<{ code: string }>(
        db,
        sql.join(
          [
            // by the index's range (bytewise, as text_pattern_ops compares), one range after the other
            sql`select li.lot_code as code from ${relation(ranges)} join lot_identifiers li
              on li.kind = 'epc' and li.value ~>=~ p.prefix and li.value ~<~ p.bound and ${within(sql`li.value`)}`,
            gtins.length > 0 &&
              sql`select l.code from ${relation(gtins)} join products pr
                on pr.gtin is not null and ${within(sql`(${GTIN_BASE} || lpad(pr.gtin, 14, '0'))`)}
                join lots l on l.product_code = pr.code and l.lot_number is not null`,
            // an SSCC pattern's prefixes all begin with the Digital Link before the key: the SSCCs' range is the rest of them
            ssccs.length > 0 &&
              sql`select l.code from ${relation(ssccs, SSCC_BASE)} join lots l
                on l.sscc is not null and l.sscc ~>=~ p.prefix and l.sscc ~<~ p.bound and ${within(sql`l.sscc`)}`,
          ].filter((part): part is SQL => part !== false),
          sql` union `,
        ),
      );
      return found.map((row) => row.code);
    },
    /**
     * The lots and containers events name, in any role, in code order after `after.code` (or from
     * it, `including` it): every party's, or one party's events' of those it may read (it owned,
     * held or was sent them: partyInvolvedIn), so that the statement returns one page however many
     * lots the party's events name that it may not read (an owner's recall names every lot of its
     * scope). Read from event_values (field `lot`) by its index. Codes are upper-case letters and
     * digits of one length, so every collation orders them alike.
     */
    async namedLots(
      partyCode: string | undefined,
      page: { limit: number; after?: { code: string; including: boolean } },
    ): Promise<string[]> {
      const after =
        page.after === undefined
          ? undefined
          : page.after.including
            ? gte(eventValues.value, page.after.code)
            : gt(eventValues.value, page.after.code);
      const rows = await db
        .selectDistinct({ lotCode: eventValues.value })
        .from(eventValues)
        .where(
          and(
            eq(eventValues.field, 'lot'),
            after,
            // whether the party may read a lot is asked of each in code order, until the page is full
            partyCode ? and(eq(eventValues.partyCode, partyCode), partyInvolvedIn(sql`${eventValues.value}`, partyCode)) : undefined,
          ),
        )
        .orderBy(asc(eventValues.value))
        .limit(page.limit);
      return rows.map((row) => row.lotCode);
    },
    /** The EPCs (and classes) lots were captured under: lot code → identifiers. */
    async capturedEpcs(lotCodes: string[]): Promise<Map<string, string[]>> {
      const epcs = new Map<string, string[]>();
      if (lotCodes.length === 0) return epcs;
      const rows = await db
        .select({ lotCode: lotIdentifiers.lotCode, value: lotIdentifiers.value })
        .from(lotIdentifiers)
        .where(and(eq(lotIdentifiers.kind, 'epc'), anyOf(lotIdentifiers.lotCode, lotCodes)));
      for (const row of rows) epcs.set(row.lotCode, [...(epcs.get(row.lotCode) ?? []), row.value]);
      return epcs;
    },
    /** Corrections of the given events (those recorded before `recordedBefore`, when given): id → declaration. */
    async corrections(
      eventIds: string[],
      recordedBefore?: Date,
    ): Promise<Map<string, { id: string; recordTime: Date; payload: Record<string, unknown> }>> {
      if (eventIds.length === 0) return new Map();
      const rows = await db
        .select({ id: events.id, corrects: events.correctsEventId, recordTime: events.recordTime, payload: events.payload })
        .from(events)
        .where(and(inArray(events.correctsEventId, eventIds), recordedBefore ? lt(events.recordTime, recordedBefore) : undefined));
      return new Map(rows.map((row) => [row.corrects as string, row]));
    },
  };
}

export type EpcisRepository = ReturnType<typeof createEpcisRepository>;
