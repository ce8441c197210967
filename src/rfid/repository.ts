import { and, asc, desc, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { LotCustody } from '../access/index.js';
import { anyOf, chunkForInsert } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { type IdempotentRequest, keptAnswer } from '../db/idempotency.js';
import { events, rfidAntennas, rfidBatches, rfidReaders, rfidReadPoints, rfidReads, rfidTags, shipments } from '../db/schema.js';
import type { ReadsFilter, UnknownTagsFilter } from './schemas.js';
import { bindingValues, normalizeTag, tagKey } from './tags.js';
import type { ReadWindow } from './windows.js';

export type ReaderRow = typeof rfidReaders.$inferSelect;
export type ReadPointRow = typeof rfidReadPoints.$inferSelect;
type AntennaRow = typeof rfidAntennas.$inferSelect;
export type TagRow = typeof rfidTags.$inferSelect;
export type ReadRow = typeof rfidReads.$inferSelect;

type BatchRecord = {
  id: string;
  partyCode: string;
  readerId: string;
  format: string;
  receivedAt: Date;
  reads: number;
  otherEvents: number;
  /** The latest time the reader gave a read of the batch (see rfidBatches.latestReadAt). */
  latestReadAt: Date | null;
};

/** How an observation was turned into an event (or why not). */
export type ReadOutcome = {
  readPointId: string;
  tagKey: string;
  windowStart: Date;
  outcome: string;
  lotCode: string | null;
  eventId: string | null;
  detail: string | null;
  /** The shipment a pack waits for (the rest of its case or loose line read): observed, without an event. */
  awaitsShipmentId?: string | null;
  /** The case a pack was received in (its packs counted towards that case's line). */
  receivedInCode?: string | null;
  /** The open shipments a pack flagged `ambiguous_departure` may have left in. */
  mayHaveLeftIn?: string[] | null;
};

const texts = (values: (string | null)[]) => sql`${sql.param(values)}::text[]`;
const iso = (time: Date) => time.toISOString();
// Read counts are added up in int8 and stop at the int4 maximum: readers report counts of their
// own (up to 1,000,000 a read), so a window or a batch may claim more than its column holds, and
// such a count says only that the tag stayed in the field.
const MAX_COUNT = 2_147_483_647;
const capped = (count: SQL) => sql`least(${count}, ${MAX_COUNT})::int`;

export function createRfidRepository(db: Db) {
  async function findTags(kind: 'epc' | 'tid', values: string[], tx: Db = db): Promise<TagRow[]> {
    if (values.length === 0) return [];
    return tx
      .select()
      .from(rfidTags)
      .where(and(eq(rfidTags.kind, kind), anyOf(rfidTags.value, values)));
  }

  return {
    async insertReader(row: typeof rfidReaders.$inferInsert, tx: Db = db): Promise<ReaderRow> {
      const [inserted] = await tx.insert(rfidReaders).values(row).returning();
      return inserted;
    },
    async findReaderByHostName(partyCode: string, hostName: string): Promise<ReaderRow | undefined> {
      const [row] = await db
        .select()
        .from(rfidReaders)
        .where(sql`${rfidReaders.partyCode} = ${partyCode} and lower(${rfidReaders.hostName}) = ${hostName.toLowerCase()}`);
      return row;
    },
    async findReadersByIds(ids: string[], tx: Db = db): Promise<ReaderRow[]> {
      if (ids.length === 0) return [];
      return tx.select().from(rfidReaders).where(anyOf(rfidReaders.id, ids));
    },
    /**
     * The readers a batch names (by host name, in any case), of every party (the service takes the
     * posting party's own, and refuses a name only another party's reader has), and the one the
     * posting key belongs to.
     */
    async findReadersForBatch(apiKeyId: string, hostNames: string[]): Promise<ReaderRow[]> {
      return db
        .select()
        .from(rfidReaders)
        .where(
          sql`${rfidReaders.apiKeyId} = ${apiKeyId} or ${anyOf(
            sql`lower(${rfidReaders.hostName})`,
            hostNames.map((name) => name.toLowerCase()),
          )}`,
        );
    },
    /**
     * Readers with when the service last stored a batch of each (`lastHeardAt`: heartbeats and other
     * events too) and the last that brought reads (`lastReadAt`), by its own clock: the newest of the
     * reader's batches, by their index. `clockOffsetSeconds`: of that last batch with reads, the
     * latest time the reader gave a read minus when the service received it, in seconds (negative: the
     * reader's clock runs behind); null when that batch was stored before its reader's time was kept
     * (migration 0110), or before the reader's first reads.
     */
    listReaders(
      partyCode: string | undefined,
    ): Promise<(ReaderRow & { lastHeardAt: Date | null; lastReadAt: Date | null; clockOffsetSeconds: number | null })[]> {
      const lastBatch = (reads: SQL) =>
        sql`(select max(b.received_at) from rfid_batches b where b.reader_id = rfid_readers.id${reads})`.mapWith(rfidBatches.receivedAt);
      const offset = sql<number | null>`(select round(extract(epoch from (b.latest_read_at - b.received_at))::numeric, 3)::float8
        from rfid_batches b where b.reader_id = rfid_readers.id and b.reads > 0 order by b.received_at desc, b.id desc limit 1)`.mapWith(
        (value: unknown) => (value === null ? null : Number(value)),
      );
      return db
        .select({
          ...getTableColumns(rfidReaders),
          lastHeardAt: lastBatch(sql``),
          lastReadAt: lastBatch(sql` and b.reads > 0`),
          clockOffsetSeconds: offset,
        })
        .from(rfidReaders)
        .where(partyCode ? eq(rfidReaders.partyCode, partyCode) : undefined)
        .orderBy(rfidReaders.createdAt);
    },

    async insertReadPoint(row: typeof rfidReadPoints.$inferInsert, antennas: AntennaRow[], tx: Db = db): Promise<ReadPointRow> {
      const [inserted] = await tx.insert(rfidReadPoints).values(row).returning();
      await tx.insert(rfidAntennas).values(antennas);
      return inserted;
    },
    async findAntennas(readerIds: string[], tx: Db = db): Promise<AntennaRow[]> {
      if (readerIds.length === 0) return [];
      return tx.select().from(rfidAntennas).where(anyOf(rfidAntennas.readerId, readerIds));
    },
    async antennasOfReadPoints(readPointIds: string[]): Promise<AntennaRow[]> {
      if (readPointIds.length === 0) return [];
      return db.select().from(rfidAntennas).where(anyOf(rfidAntennas.readPointId, readPointIds)).orderBy(rfidAntennas.antenna);
    },
    async findReadPoints(ids: string[], tx: Db = db): Promise<ReadPointRow[]> {
      if (ids.length === 0) return [];
      return tx.select().from(rfidReadPoints).where(anyOf(rfidReadPoints.id, ids));
    },
    listReadPoints(partyCode: string | undefined): Promise<ReadPointRow[]> {
      return db
        .select()
        .from(rfidReadPoints)
        .where(partyCode ? eq(rfidReadPoints.partyCode, partyCode) : undefined)
        .orderBy(rfidReadPoints.createdAt);
    },

    /**
     * Stores a post's batches, one of each reader whose reads it brings, and merges their windows into
     * those already open, each window under the batch of its reader, in one statement: the post
     * is stored whole or not at all, and is durable once this returns (or the caller's transaction commits). A window is a tag's by its key,
     * whichever spellings its reads came in. A window not yet turned into events takes its earliest
     * read as its first, with the batch that brought it (when the service received it), its place
     * there and its spelling; once turned into events, what the gate decided was ordered
     * by those, so a late read only adds to its count, last time and peak RSSI. When the service
     * first had a read of the window stays what it was, whichever batch brings an earlier read.
     */
    async storeBatches(batches: BatchRecord[], windows: ReadWindow[], tx: Db = db): Promise<void> {
      const column = <T>(pick: (window: ReadWindow) => T) => windows.map(pick);
      const batchOf = new Map(batches.map((batch) => [batch.readerId, batch.id]));
      const rows = batches.map(
        (batch) => sql`(${batch.id}, ${batch.partyCode}, ${batch.readerId}, ${batch.format}, ${iso(batch.receivedAt)}::timestamptz,
            ${capped(sql`${String(batch.reads)}::int8`)}, ${batch.otherEvents}, ${batch.latestReadAt ? iso(batch.latestReadAt) : null}::timestamptz)`,
      );
      await tx.execute(sql`
        with batch as (
          insert into rfid_batches (id, party_code, reader_id, format, received_at, reads, other_events, latest_read_at)
          values ${sql.join(rows, sql`, `)}
        )
        insert into rfid_reads (party_code, read_point_id, tag, tag_key, window_start, window_end, reader_id, antenna, tid,
          first_seen, first_seen_raw, batch_position, last_seen, read_count, peak_rssi, batch_id, first_received_at)
        select r.party_code, r.read_point_id, r.tag, r.tag_key, r.window_start::timestamptz, r.window_end::timestamptz, r.reader_id, r.antenna, r.tid,
          r.first_seen::timestamptz, r.first_seen_raw, r.batch_position::int, r.last_seen::timestamptz, ${capped(sql`r.read_count::int8`)},
          r.peak_rssi::float8, r.batch_id, ${iso(batches[0].receivedAt)}::timestamptz
        from unnest(
          ${texts(column((w) => w.partyCode))}, ${texts(column((w) => w.readPointId))}, ${texts(column((w) => w.tag))},
          ${texts(column((w) => w.tagKey))}, ${texts(column((w) => iso(w.windowStart)))}, ${texts(column((w) => iso(w.windowEnd)))}, ${texts(column((w) => w.readerId))},
          ${texts(column((w) => w.antenna))}, ${texts(column((w) => w.tid))}, ${texts(column((w) => iso(w.firstSeen)))},
          ${texts(column((w) => w.firstSeenRaw))}, ${texts(column((w) => String(w.batchPosition)))}, ${texts(column((w) => iso(w.lastSeen)))},
          ${texts(column((w) => String(w.readCount)))}, ${texts(column((w) => (w.peakRssi === null ? null : String(w.peakRssi))))},
          ${texts(column((w) => batchOf.get(w.readerId) ?? batches[0].id))}
        ) as r(party_code, read_point_id, tag, tag_key, window_start, window_end, reader_id, antenna, tid,
          first_seen, first_seen_raw, batch_position, last_seen, read_count, peak_rssi, batch_id)
        on conflict (read_point_id, tag_key, window_start) do update set
          first_received_at = coalesce(rfid_reads.first_received_at, (select b.received_at from rfid_batches b where b.id = rfid_reads.batch_id)),
          read_count = ${capped(sql`rfid_reads.read_count::int8 + excluded.read_count`)},
          first_seen_raw = case when rfid_reads.processed_at is null and excluded.first_seen < rfid_reads.first_seen then excluded.first_seen_raw else rfid_reads.first_seen_raw end,
          tag = case when rfid_reads.processed_at is null and excluded.first_seen < rfid_reads.first_seen then excluded.tag else rfid_reads.tag end,
          batch_position = case when rfid_reads.processed_at is null and excluded.first_seen < rfid_reads.first_seen then excluded.batch_position else rfid_reads.batch_position end,
          reader_id = case when rfid_reads.processed_at is null and excluded.first_seen < rfid_reads.first_seen then excluded.reader_id else rfid_reads.reader_id end,
          antenna = case when rfid_reads.processed_at is null and excluded.first_seen < rfid_reads.first_seen then excluded.antenna else rfid_reads.antenna end,
          batch_id = case when rfid_reads.processed_at is null and excluded.first_seen < rfid_reads.first_seen then excluded.batch_id else rfid_reads.batch_id end,
          first_seen = case when rfid_reads.processed_at is null then least(rfid_reads.first_seen, excluded.first_seen) else rfid_reads.first_seen end,
          last_seen = greatest(rfid_reads.last_seen, excluded.last_seen),
          peak_rssi = greatest(rfid_reads.peak_rssi, excluded.peak_rssi),
          tid = coalesce(rfid_reads.tid, excluded.tid)`);
    },

    /**
     * Observations whose window has closed and that are not yet events (nor waiting to be tried
     * again after a failure), oldest first, locked for this transaction (another instance skips them).
     */
    async closedWindows(tx: Db, now: Date, limit: number): Promise<ReadRow[]> {
      return tx
        .select()
        .from(rfidReads)
        .where(
          sql`${rfidReads.processedAt} is null and ${rfidReads.windowEnd} <= ${iso(now)}
            and (${rfidReads.retryAt} is null or ${rfidReads.retryAt} <= ${iso(now)})`,
        )
        .orderBy(asc(rfidReads.windowEnd))
        .limit(limit)
        .for('update', { skipLocked: true });
    },
    async recordOutcomes(tx: Db, outcomes: ReadOutcome[], at: Date): Promise<void> {
      if (outcomes.length === 0) return;
      const column = <T>(pick: (outcome: ReadOutcome) => T) => outcomes.map(pick);
      await tx.execute(sql`
        update rfid_reads r set processed_at = ${iso(at)}, outcome = o.outcome, lot_code = o.lot_code, event_id = o.event_id, detail = o.detail,
          awaits_shipment_id = o.awaits_shipment_id, received_in_code = o.received_in_code,
          may_have_left_in = case when o.may_have_left_in is null then null else string_to_array(o.may_have_left_in, ' ') end
        from unnest(${texts(column((o) => o.readPointId))}, ${texts(column((o) => o.tagKey))}, ${texts(column((o) => iso(o.windowStart)))},
          ${texts(column((o) => o.outcome))}, ${texts(column((o) => o.lotCode))}, ${texts(column((o) => o.eventId))}, ${texts(column((o) => o.detail))},
          ${texts(column((o) => o.awaitsShipmentId ?? null))}, ${texts(column((o) => o.receivedInCode ?? null))},
          ${texts(column((o) => (o.mayHaveLeftIn ? o.mayHaveLeftIn.join(' ') : null)))})
          as o(read_point_id, tag_key, window_start, outcome, lot_code, event_id, detail, awaits_shipment_id, received_in_code, may_have_left_in)
        where r.read_point_id = o.read_point_id and r.tag_key = o.tag_key and r.window_start = o.window_start::timestamptz`);
    },

    /**
     * Observations whose turning into events failed: what went wrong, and when to try again
     * (retryAt null: given up, and done with).
     */
    async recordFailures(
      tx: Db,
      failures: { readPointId: string; tagKey: string; windowStart: Date; attempts: number; retryAt: Date | null; detail: string }[],
      at: Date,
    ): Promise<void> {
      if (failures.length === 0) return;
      const column = <T>(pick: (failure: (typeof failures)[number]) => T) => failures.map(pick);
      await tx.execute(sql`
        update rfid_reads r set outcome = 'failed', detail = f.detail, attempts = f.attempts::int, retry_at = f.retry_at::timestamptz,
          processed_at = case when f.retry_at is null then ${iso(at)}::timestamptz end
        from unnest(${texts(column((f) => f.readPointId))}, ${texts(column((f) => f.tagKey))}, ${texts(column((f) => iso(f.windowStart)))},
          ${texts(column((f) => String(f.attempts)))}, ${texts(column((f) => (f.retryAt ? iso(f.retryAt) : null)))}, ${texts(column((f) => f.detail))})
          as f(read_point_id, tag_key, window_start, attempts, retry_at, detail)
        where r.read_point_id = f.read_point_id and r.tag_key = f.tag_key and r.window_start = f.window_start::timestamptz`);
    },

    /**
     * The party each GS1 key is of: the owner of the product registered under its GTIN, else the
     * party whose company prefix (the longest) starts its digits; null where neither is known.
     */
    async ownersOfTagKeys(keys: { gtin: string | null; digits: string }[], tx: Db = db): Promise<(string | null)[]> {
      if (keys.length === 0) return [];
      const rows = await queryRows<{ position: string; owner: string | null }>(
        tx,
        sql`select k.position::text as position, coalesce(
            (select party_code from products where k.gtin is not null and gtin = k.gtin),
            (select code from parties where gs1_company_prefix is not null and starts_with(k.digits, gs1_company_prefix)
              order by length(gs1_company_prefix) desc limit 1)) as owner
          from unnest(${texts(keys.map((key) => key.gtin))}, ${texts(keys.map((key) => key.digits))})
            with ordinality as k(gtin, digits, position)`,
      );
      const owners = new Map(rows.map((row) => [Number(row.position), row.owner]));
      return keys.map((_, index) => owners.get(index + 1) ?? null);
    },

    /** Binds tags in statements under PostgreSQL's bind limit: all or none only inside the caller's transaction. */
    async bindTags(rows: (typeof rfidTags.$inferInsert)[], tx: Db = db): Promise<TagRow[]> {
      const bound: TagRow[] = [];
      for (const chunk of chunkForInsert(rows)) {
        // a party may move its own tag to something else; another party's binding stays
        const stored = await tx
          .insert(rfidTags)
          .values(chunk)
          .onConflictDoUpdate({
            target: [rfidTags.kind, rfidTags.value],
            set: {
              lotCode: sql`excluded.lot_code`,
              itemCode: sql`excluded.item_code`,
              // a re-bound tag stands for what it is bound to now: a lot or one pack of it
              unit: sql`excluded.unit`,
              source: sql`excluded.source`,
              boundAt: sql`excluded.bound_at`,
            },
            setWhere: sql`${rfidTags.partyCode} = excluded.party_code`,
          })
          .returning();
        bound.push(...stored);
      }
      return bound;
    },
    /** The answer kept for the party's key (see keptAnswer), read before anything else of a binding. */
    keptAnswer: <T>(partyCode: string, request: IdempotentRequest<T>, now: Date) => keptAnswer(db, partyCode, request, now),
    async unbindTags(kind: 'epc' | 'tid', values: string[], tx: Db = db): Promise<void> {
      if (values.length === 0) return;
      await tx.delete(rfidTags).where(and(eq(rfidTags.kind, kind), anyOf(rfidTags.value, values)));
    },
    /** The custody of each lot a tag would be bound to (see LotCustody); a lot not found is left out. */
    async custodyOf(lotCodes: string[], tx: Db = db): Promise<Map<string, LotCustody>> {
      if (lotCodes.length === 0) return new Map();
      const rows = await queryRows<{ lotCode: string; relation: 'owner' | 'holder' | 'addressee'; partyCode: string }>(
        tx,
        sql`select code as "lotCode", 'owner' as relation, party_code as "partyCode" from lots where ${anyOf(sql`code`, lotCodes)}
        union all
        select lot_code, 'holder', party_code from lot_balances where ${anyOf(sql`lot_code`, lotCodes)}
          group by lot_code, party_code having sum(quantity) > 0
        union all
        select l.lot_code, 'addressee', s.to_party_code from shipment_lines l join shipments s on s.id = l.shipment_id
          where ${anyOf(sql`l.lot_code`, lotCodes)} and s.status = 'open' and l.received_quantity is null and l.quantity > 0`,
      );
      const custody = new Map<string, { ownerCode: string; holders: Set<string>; addressees: Set<string> }>();
      for (const row of rows)
        if (row.relation === 'owner') custody.set(row.lotCode, { ownerCode: row.partyCode, holders: new Set(), addressees: new Set() });
      for (const row of rows) {
        if (row.relation === 'holder') custody.get(row.lotCode)?.holders.add(row.partyCode);
        if (row.relation === 'addressee') custody.get(row.lotCode)?.addressees.add(row.partyCode);
      }
      return custody;
    },
    findTags,
    /** The EPC binding of a tag however it is spelled: by its key, else by a spelling stored before (see bindingValues). */
    async findEpcBinding(value: string): Promise<TagRow | undefined> {
      const values = bindingValues(value);
      const rows = await findTags('epc', values);
      return values.map((spelling) => rows.find((row) => row.value === spelling)).find((row) => row !== undefined);
    },

    /**
     * Open shipments from or to a party that carry some of any of the lots or containers, with every
     * line of theirs not yet received (a shipment may arrive in parts) that moved something (a stored
     * line of 0 sent nothing).
     */
    async openShipments(
      tx: Db,
      direction: 'from' | 'to',
      partyCode: string,
      codes: string[],
    ): Promise<
      {
        id: string;
        shippedAt: Date;
        fromLocationCode: string | null;
        toPartyCode: string;
        lotCode: string;
        containerCode: string | null;
        quantity: number;
        unit: string;
      }[]
    > {
      if (codes.length === 0) return [];
      const party = direction === 'from' ? sql`s.from_party_code` : sql`s.to_party_code`;
      return queryRows(
        tx,
        sql`select s.id, s.shipped_at as "shippedAt", s.from_location_code as "fromLocationCode", s.to_party_code as "toPartyCode",
          l.lot_code as "lotCode", l.container_code as "containerCode", l.quantity::float8 as quantity, lot.unit
        from shipments s join shipment_lines l on l.shipment_id = s.id join lots lot on lot.code = l.lot_code
        where ${party} = ${partyCode} and s.status = 'open' and l.received_quantity is null and l.quantity > 0
          and s.id in (select c.shipment_id from shipment_lines c
            where c.received_quantity is null and c.quantity > 0 and (${anyOf(sql`c.lot_code`, codes)} or ${anyOf(sql`c.container_code`, codes)}))
        order by s.shipped_at, s.id, l.position`,
      );
    },
    /** The container each pack is packed in, and how many packs that container holds. */
    packedPacks(tx: Db, itemCodes: string[]): Promise<{ itemCode: string; containerCode: string; packs: number }[]> {
      if (itemCodes.length === 0) return Promise.resolve([]);
      return queryRows(
        tx,
        sql`select i.code as "itemCode", i.container_code as "containerCode",
          (select count(*) from items p where p.container_code = i.container_code)::int as packs
        from items i where ${anyOf(sql`i.code`, itemCodes)} and i.container_code is not null`,
      );
    },
    /**
     * Windows at a read point that wait for the rest of their case or line in one of the shipments
     * given (observed without an event, the shipment they wait for recorded: a pack that waited is
     * `received` once the rest was read), whose first read the service received from
     * `receivedSince` on (by its own clock, whatever the reader's said; the first batch bringing a
     * read of the window, not the one that brought its earliest read), with that time. Only the
     * windows waiting for those shipments are looked at (a partial index holds them), not the read
     * point's history, nor packs left waiting for a line since closed another way.
     */
    async waitingPacks(
      tx: Db,
      readPointId: string,
      shipmentIds: string[],
      receivedSince: Date,
    ): Promise<(ReadRow & { receivedAt: Date })[]> {
      if (shipmentIds.length === 0) return [];
      const receivedAt = sql<Date>`coalesce(${rfidReads.firstReceivedAt}, ${rfidBatches.receivedAt})`.mapWith(rfidBatches.receivedAt);
      const rows = await tx
        .select({ row: rfidReads, receivedAt })
        .from(rfidReads)
        .innerJoin(rfidBatches, eq(rfidBatches.id, rfidReads.batchId))
        .where(
          sql`${rfidReads.readPointId} = ${readPointId} and ${rfidReads.outcome} = 'observed' and ${rfidReads.eventId} is null
            and ${anyOf(sql`${rfidReads.awaitsShipmentId}`, shipmentIds)} and ${receivedAt} >= ${iso(receivedSince)}`,
        );
      return rows.map(({ row, receivedAt }) => ({ ...row, receivedAt }));
    },
    /**
     * The windows the party's exit gates counted as departed in these open shipments of its own (a
     * departure's detail is its shipment): what its exit gates have let leave in each so far, to
     * which a later window may add no more than the shipment carries.
     */
    departures(tx: Db, partyCode: string, shipmentIds: string[]): Promise<ReadRow[]> {
      if (shipmentIds.length === 0) return Promise.resolve([]);
      return tx
        .select()
        .from(rfidReads)
        .where(
          sql`${rfidReads.partyCode} = ${partyCode} and ${rfidReads.outcome} = 'departed' and ${anyOf(sql`${rfidReads.detail}`, shipmentIds)}`,
        );
    },
    /**
     * The windows of these tags (by key) the senders' exit gates counted as departed in shipments to
     * the party still open (a departure's detail is its shipment): which shipment on its way to it
     * each pack read leaving left on, whether or not that shipment still has an open line of its lot.
     * With them, those flagged `ambiguous_departure` that may have left in a shipment to the party
     * still open, each with those of its shipments (`leftIn`, in the order shipped); a departure's
     * `leftIn` is its shipment. By the tags' key index (a tag's departures are few).
     */
    async departuresTo(tx: Db, partyCode: string, tagKeys: string[]): Promise<(ReadRow & { leftIn: string[] })[]> {
      if (tagKeys.length === 0) return [];
      const rows = await tx
        .select({
          row: rfidReads,
          leftIn: sql<string[]>`array(select s.id from shipments s
            where s.from_party_code = ${rfidReads.partyCode} and s.to_party_code = ${partyCode} and s.status = 'open'
              and (case when ${rfidReads.outcome} = 'departed' then s.id = ${rfidReads.detail} else s.id = any(${rfidReads.mayHaveLeftIn}) end)
            order by s.shipped_at, s.id)`,
        })
        .from(rfidReads)
        .where(sql`${anyOf(rfidReads.tagKey, tagKeys)} and ${rfidReads.outcome} in ('departed', 'ambiguous_departure')`);
      return rows.flatMap(({ row, leftIn }) => (leftIn.length > 0 ? [{ ...row, leftIn }] : []));
    },
    /**
     * Of these reads of packs, those whose tag the party had when it was read: one of its entry gates
     * received the tag before, and it has not left since — neither read at one of the party's exit
     * gates (a departure recorded, or a read not yet turned into events) nor certainly shipped on by
     * the party in a shipment of its own (by any door: the native API, EPCIS, a recall's return)
     * recorded after that receipt and before the service first had the read (the first batch that
     * brought a read of its window, as in waitingPacks). Certainly: the shipment carried the pack's lot
     * and the party holds none of it now, loose or packed (by its ledger balances, which an open
     * shipment to it adds nothing to); or it carried the case (or pallet) the pack lay in by the
     * party's own record, and the party holds nothing of that case now: the gate receipt took the pack
     * in that case, or the party itself packed the pack into it, by a packing recorded by the shipment,
     * no unpacking of the pack from the case was recorded between the two, and the party has not
     * received the case again since the shipment, by any door (back, the pack may have been taken out
     * and kept). The case a pack lies in now says not: another party holding the lot may pack the
     * party's pack into a crate the party shipped. A shipment of some of a lot loose says not which
     * packs left, and a read of each pack of it the party received is kept. Windows are ordered by
     * their first reads: by when the service received the batch that brought it, then, of one batch, by
     * when they were read, then by where they stand in it; a read given without its window (a pack read
     * before that waits) is judged as of now. A receipt, departure, packing or unpacking whose event
     * was declared in error (corrected), or a shipment cancelled, counts not: a corrected gate receipt
     * puts its line back on its way, and the packs read when they come count towards it. A tag's
     * reads are its reads in any spelling, by its key (as in precedingReceipts). A tag's receipts and departures, a lot's shipments and a case's packings and receipts are few, and
     * indexes hold them; returns the indexes of the reads given whose tag the party had.
     */
    async keptTags(
      tx: Db,
      partyCode: string,
      reads: { tag: string; itemCode: string | null; window: Pick<ReadRow, 'readPointId' | 'tagKey' | 'windowStart'> | null }[],
    ): Promise<Set<number>> {
      if (reads.length === 0) return new Set();
      const column = <T>(pick: (read: (typeof reads)[number]) => T) => reads.map(pick);
      const passed = sql`(b.received_at, r.first_seen, coalesce(r.batch_position, -1))`;
      const live = (event: SQL) => sql`not exists (select 1 from events c where c.corrects_event_id = ${event}.id)`;
      const rows = await queryRows<{ index: number }>(
        tx,
        sql`with w as (
          select w.index::int as index, w.tag, w.key, w.item_code, coalesce(b.received_at, 'infinity'::timestamptz) as received_at,
            coalesce(e.first_seen, 'infinity'::timestamptz) as first_seen, coalesce(e.batch_position, -1) as position,
            coalesce(e.first_received_at, b.received_at, 'infinity'::timestamptz) as first_received_at
          from unnest(${texts(reads.map((_, index) => String(index)))}, ${texts(column((read) => read.tag))}, ${texts(column((read) => tagKey(read.tag)))},
            ${texts(column((read) => read.itemCode))}, ${texts(column((read) => read.window?.readPointId ?? null))},
            ${texts(column((read) => read.window?.tagKey ?? null))}, ${texts(column((read) => (read.window ? iso(read.window.windowStart) : null)))})
            as w(index, tag, key, item_code, read_point_id, window_key, window_start)
          left join rfid_reads e on e.read_point_id = w.read_point_id and e.tag_key = w.window_key and e.window_start = w.window_start::timestamptz
          left join rfid_batches b on b.id = e.batch_id
        ),
        receipt as (
          select distinct on (w.index) w.index, w.tag, w.key, w.item_code, w.received_at as until_received, w.first_seen as until_seen,
            w.position as until_position, w.first_received_at as until_first_received, r.lot_code as "lotCode",
            r.received_in_code as received_in, ev.record_time as recorded_at, b.received_at, r.first_seen, coalesce(r.batch_position, -1) as position
          from w
          join rfid_reads r on r.tag_key in (w.key, w.tag) and r.party_code = ${partyCode} and r.outcome = 'received'
          join rfid_batches b on b.id = r.batch_id
          join events ev on ev.id = r.event_id
          where not exists (select 1 from events c where c.corrects_event_id = r.event_id)
            and ${passed} < (w.received_at, w.first_seen, w.position)
          order by w.index, b.received_at desc, r.first_seen desc, coalesce(r.batch_position, -1) desc
        )
        select k.index from receipt k
        where not exists (
            select 1 from rfid_reads r
            join rfid_batches b on b.id = r.batch_id
            join rfid_read_points p on p.id = r.read_point_id and p.role = 'exit'
            where r.tag_key in (k.key, k.tag) and r.party_code = ${partyCode}
              and (r.processed_at is null or (r.outcome in ('departed', 'unexpected_departure', 'ambiguous_departure')
                and not exists (select 1 from events c where c.corrects_event_id = r.event_id)))
              and ${passed} > (k.received_at, k.first_seen, k.position)
              and ${passed} < (k.until_received, k.until_seen, k.until_position))
          and not exists (
            select 1 from shipment_lines l
            join shipments s on s.id = l.shipment_id
            join events ev on ev.id = s.ship_event_id
            where l.lot_code = k."lotCode" and l.quantity > 0 and s.from_party_code = ${partyCode} and s.status <> 'cancelled'
              and ev.record_time > k.recorded_at and ev.record_time <= k.until_first_received
              and (
                not exists (select 1 from lot_balances h where h.lot_code = k."lotCode" and h.party_code = ${partyCode} and h.quantity > 0)
                or (l.container_code is not null
                  and not exists (select 1 from lot_balances h where h.lot_code = l.container_code and h.party_code = ${partyCode} and h.quantity > 0)
                  -- the case came not back to the party since, by any door: back, what it held may have been taken out
                  and not exists (
                    select 1 from lot_movements m join events me on me.id = m.event_id
                    where m.lot_code = l.container_code and m.party_code = ${partyCode} and m.kind = 'receive_in' and m.quantity > 0
                      and me.record_time > ev.record_time and ${live(sql`me`)})
                  -- since when the pack lay in the case by the party's own record: its gate receipt, or its own packing
                  and exists (
                    select 1 from (
                      select k.recorded_at as since where l.container_code = k.received_in
                      union all
                      select pe.record_time from event_lots pl join events pe on pe.id = pl.event_id
                      where pl.lot_code = l.container_code and pl.role = 'parent' and pe.type = 'aggregate' and pe.party_code = ${partyCode}
                        and pe.payload->'itemCodes' @> jsonb_build_array(k.item_code) and pe.record_time <= ev.record_time and ${live(sql`pe`)}
                    ) packed
                    where not exists (
                      select 1 from event_lots ul join events ue on ue.id = ul.event_id
                      where ul.lot_code = l.container_code and ul.role = 'parent' and ue.type = 'disaggregate'
                        and ue.payload->'itemCodes' @> jsonb_build_array(k.item_code)
                        and ue.record_time >= packed.since and ue.record_time <= ev.record_time and ${live(sql`ue`)})))))`,
      );
      return new Set(rows.map((row) => row.index));
    },
    /**
     * Receipts at a read point of the tags of these windows in the window just before (a tag read
     * across a window boundary or lingering at the gate, in any spelling: a window is one tag's in all
     * of them): by the tag's key, or the spelling a read stored before migration 0087 may be keyed by
     * (see bindingValues); the earliest for each window given, by its index.
     */
    async precedingReceipts(
      tx: Db,
      readPointId: string,
      windowMs: number,
      windows: { tag: string; windowStart: Date }[],
    ): Promise<Map<number, { eventId: string | null; detail: string | null }>> {
      if (windows.length === 0) return new Map();
      const column = <T>(pick: (window: (typeof windows)[number]) => T) => windows.map(pick);
      const rows = await queryRows<{ index: number; eventId: string | null; detail: string | null }>(
        tx,
        sql`select distinct on (w.index) w.index::int as index, r.event_id as "eventId", r.detail
        from unnest(${texts(windows.map((_, index) => String(index)))}, ${texts(column((w) => tagKey(w.tag)))}, ${texts(column((w) => w.tag))},
          ${texts(column((w) => iso(new Date(w.windowStart.getTime() - windowMs))))})
          as w(index, key, tag, previous_start)
        join rfid_reads r on r.tag_key in (w.key, w.tag) and r.read_point_id = ${readPointId}
          and r.window_start = w.previous_start::timestamptz and r.outcome in ('received', 'already_received')
        order by w.index, r.first_seen`,
      );
      return new Map(rows.map(({ index, ...receipt }) => [index, receipt]));
    },

    listReads(filter: ReadsFilter & { partyCode?: string }): Promise<ReadRow[]> {
      const conditions: SQL[] = [];
      if (filter.partyCode) conditions.push(eq(rfidReads.partyCode, filter.partyCode));
      if (filter.readerId) conditions.push(eq(rfidReads.readerId, filter.readerId));
      if (filter.readPointId) conditions.push(eq(rfidReads.readPointId, filter.readPointId));
      // a tag's reads by its key, whatever spelling they were read in; and by the spelling asked for, the
      // key of a read stored before (migration 0087) that only tagKey, not the migration, could key
      if (filter.tag) conditions.push(sql`(${rfidReads.tagKey} = ${tagKey(filter.tag)} or ${rfidReads.tag} = ${normalizeTag(filter.tag)})`);
      if (filter.outcome) conditions.push(eq(rfidReads.outcome, filter.outcome));
      return db
        .select()
        .from(rfidReads)
        .where(and(...conditions))
        .orderBy(desc(rfidReads.firstSeen), rfidReads.tag)
        .limit(filter.limit)
        .offset(filter.offset);
    },
    /**
     * Tags read that name nothing known, per reader and tag key (tagKey: every spelling of one tag is
     * one row, named by its key), reads summed as float8 (many windows add up past int4); the latest
     * read first, a page at a time, of the windows last read since the time given.
     */
    unknownTags(filter: Omit<UnknownTagsFilter, 'partyCode'> & { partyCode: string | undefined }) {
      return queryRows<{ readerId: string; tag: string; windows: number; reads: number; firstSeen: Date; lastSeen: Date }>(
        db,
        sql`select reader_id as "readerId", tag_key as tag, count(*)::int as windows, sum(read_count)::float8 as reads,
          min(first_seen) as "firstSeen", max(last_seen) as "lastSeen"
        from rfid_reads where outcome = 'unknown' ${filter.partyCode ? sql`and party_code = ${filter.partyCode}` : sql``}
          ${filter.since ? sql`and last_seen >= ${iso(new Date(filter.since))}::timestamptz` : sql``}
        group by reader_id, tag_key order by max(last_seen) desc, reader_id, tag_key
        limit ${filter.limit} offset ${filter.offset}`,
      );
    },
    /** Per read point: observations and reads by outcome (null: not yet turned into events), reads summed as float8 (past int4). */
    activity(partyCode: string | undefined) {
      return queryRows<{ partyCode: string; readPointId: string; outcome: string | null; windows: number; reads: number; lastSeen: Date }>(
        db,
        sql`select party_code as "partyCode", read_point_id as "readPointId", outcome, count(*)::int as windows,
          sum(read_count)::float8 as reads, max(last_seen) as "lastSeen"
        from rfid_reads ${partyCode ? sql`where party_code = ${partyCode}` : sql``}
        group by party_code, read_point_id, outcome order by party_code, read_point_id, outcome`,
      );
    },
    /** When the service recorded each of these shipments' ship events (by its own clock). */
    async shipEventsRecordedAt(tx: Db, shipmentIds: string[]): Promise<Map<string, Date>> {
      if (shipmentIds.length === 0) return new Map();
      const rows = await tx
        .select({ id: shipments.id, recordTime: events.recordTime })
        .from(shipments)
        .innerJoin(events, eq(events.id, shipments.shipEventId))
        .where(anyOf(shipments.id, shipmentIds));
      return new Map(rows.map((row) => [row.id, row.recordTime]));
    },
  };
}

export type RfidRepository = ReturnType<typeof createRfidRepository>;
