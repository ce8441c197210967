// The SQL of recalls: what a recall's scope holds when it opens (set-based over the lots the
// lineage walk reached), the recall with its scope as recorded, holders' reports, and the pages the
// scope CSV streams. int8 counts and numerics are cast to text or int so PGlite and pg agree.
import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.js';
import type { PartyContact } from '../db/schema.js';
import { followedEdge, rootedWalk, stageReachable } from '../lineage/repository.js';
import { lotsInvolving, partyInvolvedIn } from '../lots/repository.js';

const texts = (values: (string | null)[]) => sql`${sql.param(values)}::text[]`;
const numerics = (values: number[]) => sql`${sql.param(values.map(String))}::numeric[]`;

export type RecallRow = {
  id: string;
  partyCode: string;
  openedByKeyId: string;
  level: number;
  reason: string;
  hazard: string;
  rootLotCodes: string[];
  status: string;
  eventId: string;
  openedAt: Date;
  startDueAt: Date;
  finishDueAt: Date;
  startedAt: Date | null;
  closedAt: Date | null;
  closedByKeyId: string | null;
  closeEventId: string | null;
  overrideReason: string | null;
  /** Opened by a party of kind regulator (not a producer recalling its own lots). */
  openedByRegulator: boolean;
  /** The party the closing is recorded under (its code and name), read from the close event. */
  closedBy: { partyCode: string; name: string } | null;
  /** The party that opened it: its code and name. */
  openedBy: { partyCode: string; name: string };
};

/**
 * Who holds what of the staged scope's lots now: positive balances (loose or per container), and
 * lines of open shipments still on their way, held by their addressee.
 */
const HELD = sql`select b.party_code, b.lot_code, b.container_code, null::text as shipment_id, b.quantity, s.unit
  from recall_scope s join lot_balances b on b.lot_code = s.code
  where b.quantity > 0
  union all
  select sh.to_party_code, sl.lot_code, sl.container_code, sh.id, sl.quantity, s.unit
  from recall_scope s join shipment_lines sl on sl.lot_code = s.code join shipments sh on sh.id = sl.shipment_id and sh.status = 'open'
  where sl.received_quantity is null and sl.quantity > 0`;

/**
 * The recalls whose recorded scope holds a lot or container the party may read: it owns one (as
 * recorded), or it owned, held or was sent one (lotsInvolving, the rule of GET /lots). Asked from the
 * party's side, so a recall of 100,000 lots is not looked at lot by lot for a party that had none.
 */
const recallsWithLotReadBy = (partyCode: string) =>
  sql`select r.recall_id from recall_lots r where r.party_code = ${partyCode}
    union all
    select r.recall_id from recall_lots r where r.lot_code in (${lotsInvolving(partyCode)})`;

/**
 * What each holder recovered of each lot a recall asked of it (`affected`: recall_id, party_code,
 * lot_code): what it reported returned or destroyed under that recall, or under any other recall of
 * the lot, while this one was open — reports recorded after it (their order numbers, see
 * recallOrder in the schema: a report that took the stock before this recall recorded it is not
 * counted, however close the clock put them) and not after it closed. With two recalls of a lot
 * open, stock returned under one is gone for the other too, which could otherwise never be told.
 * A lot in a container the holder reported goes with it: what those reports' own events moved out
 * of its hands packed in a container (at any level) counts, returned or destroyed as they moved it
 * — nothing a report of 0 moved, nor what the holder had unpacked before.
 */
const RECOVERED = sql`holder_lots as (
    select distinct a.recall_id, a.party_code, a.lot_code, x.order_number, x.closed_at from affected a join recalls x on x.id = a.recall_id
  ),
  -- a container's lots count only where the recall recorded the holder holding them in it, and no
  -- more than it held there: a case another holder returned and this one took back is not its stock
  contained as (
    select hd.recall_id, hd.party_code, hd.lot_code, hd.held,
      sum(case when m.kind = 'ship_out' then -m.quantity else 0 end) as returned,
      sum(case when m.kind = 'destroy' then -m.quantity else 0 end) as destroyed
    from (
      select rh.recall_id, rh.party_code, rh.lot_code, rh.container_code, sum(rh.quantity) as held
      from recall_holdings rh join holder_lots h using (recall_id, party_code, lot_code)
      where rh.container_code is not null group by rh.recall_id, rh.party_code, rh.lot_code, rh.container_code
    ) hd
    join holder_lots h using (recall_id, party_code, lot_code)
    join lot_movements m on m.lot_code = hd.lot_code and m.party_code = hd.party_code and m.container_code = hd.container_code
      and m.kind in ('ship_out', 'destroy') and m.quantity < 0
    join recall_report_events re on re.event_id = m.event_id
    join recall_reports rr on rr.id = re.report_id
      and rr.order_number > h.order_number and (h.closed_at is null or rr.reported_at <= h.closed_at)
    group by hd.recall_id, hd.party_code, hd.lot_code, hd.container_code, hd.held
  ),
  reported (recall_id, party_code, lot_code, returned, destroyed) as (
    select h.recall_id, h.party_code, h.lot_code, rr.returned, rr.destroyed
    from holder_lots h join recall_reports rr on rr.party_code = h.party_code and rr.lot_code = h.lot_code
      and rr.order_number > h.order_number and (h.closed_at is null or rr.reported_at <= h.closed_at)
    union all
    select recall_id, party_code, lot_code, least(returned, held), least(destroyed, held - least(returned, held))
    from contained
  ),
  recovered as (
    select recall_id, party_code, lot_code, sum(returned) as returned, sum(destroyed) as destroyed
    from reported group by recall_id, party_code, lot_code
  )`;

// whose override rule applies to closing a recall early: read from the opening party's kind, here only
const OPENED_BY_REGULATOR = `coalesce((select p.kind = 'regulator' from parties p where p.code = recalls.party_code), false)`;

// the party that opened a recall, with its name (the printed report names it)
const OPENED_BY = `(select json_build_object('partyCode', p.code, 'name', p.name) from parties p where p.code = recalls.party_code)`;

const RECALL_COLUMNS = sql.raw(`id, party_code as "partyCode", opened_by_key_id as "openedByKeyId", level, reason, hazard,
  root_lot_codes as "rootLotCodes", status, event_id as "eventId", opened_at as "openedAt", start_due_at as "startDueAt",
  finish_due_at as "finishDueAt", started_at as "startedAt", closed_at as "closedAt", closed_by_key_id as "closedByKeyId",
  close_event_id as "closeEventId", override_reason as "overrideReason",
  ${OPENED_BY_REGULATOR} as "openedByRegulator",
  (select json_build_object('partyCode', p.code, 'name', p.name) from events e join parties p on p.code = e.party_code
    where e.id = recalls.close_event_id) as "closedBy",
  ${OPENED_BY} as "openedBy"`);

// PGlite and pg both give timestamptz as Date through drizzle's execute? pg does not: normalise.
const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));
const toRecall = (row: RecallRow): RecallRow => ({
  ...row,
  openedAt: toDate(row.openedAt) as Date,
  startDueAt: toDate(row.startDueAt) as Date,
  finishDueAt: toDate(row.finishDueAt) as Date,
  startedAt: toDate(row.startedAt),
  closedAt: toDate(row.closedAt),
});

/** A lot or container a downstream hold reaches, as it stands (`heldBy` the party whose hold is on it). */
export type DownstreamLot = { code: string; kind: string; partyCode: string; status: string; heldBy: string | null; voided: boolean };

/** A lot or container packed, at some level, in a recall's root container (`rootPartyCode` the root's owner). */
export type PackedContent = { root: string; rootPartyCode: string; code: string; partyCode: string };

/** What is packed, at any level, in those of the roots that are containers, as a statement begun now reads it. */
async function packedIn(tx: Db, rootCodes: string[]): Promise<PackedContent[]> {
  return queryRows<PackedContent>(
    tx,
    sql`with recursive inside(root, code) as (
      select root, root from unnest(${texts(rootCodes)}) root
      union
      select inside.root, e.upstream_code from lineage_edges e join inside on e.downstream_code = inside.code
      where e.kind = 'aggregate' and e.ended_by_event_id is null and e.retracted_by_event_id is null
    )
    select inside.root, r.party_code as "rootPartyCode", inside.code, l.party_code as "partyCode"
    from inside join lots l on l.code = inside.code join lots r on r.code = inside.root
    where inside.code <> inside.root order by inside.root, inside.code`,
  );
}

/** A lot, or what a container holds (`containerCode` the container it lies in), as circulationRefusal reads it. */
export type ReturnedLot = {
  containerCode: string | null;
  code: string;
  kind: string;
  status: string;
  hold: { reason: string } | null;
  partyCode: string;
  recallRoot: boolean;
};

/** Stock sent back under a recall to one party, of one lot (see `returns`). */
export type ReturnedStock = {
  recallId: string;
  partyCode: string;
  name: string;
  lotCode: string;
  unit: string;
  container: boolean;
  sent: number;
  received: number;
  destroyed: number;
  lost: number;
};

/**
 * Which recalls a list takes: of a status, late or not at an instant, those a party reads (every one
 * without), those in progress at some time from `inProgress.from` until `inProgress.to` (opened before
 * it, when given; not closed before `from`), and those whose scope reaches a region (`region`, a GB/T
 * 2260 code or its prefix: a lot of the scope owned there, or a holder there).
 */
export type RecallFilter = {
  status?: string;
  readerCode?: string;
  overdue?: { at: Date; late: boolean };
  inProgress?: { from: Date; to?: Date };
  region?: string;
};

function recallConditions(filter: RecallFilter): SQL {
  const conditions: SQL[] = [sql`true`];
  if (filter.status) conditions.push(sql`status = ${filter.status}`);
  if (filter.overdue) {
    const now = sql`${filter.overdue.at.toISOString()}::timestamptz`;
    const late = sql`status = 'open' and ((started_at is null and start_due_at < ${now}) or finish_due_at < ${now})`;
    conditions.push(filter.overdue.late ? late : sql`not (${late})`);
  }
  if (filter.inProgress) {
    const { from, to } = filter.inProgress;
    if (to) conditions.push(sql`opened_at < ${to.toISOString()}::timestamptz`);
    conditions.push(sql`(closed_at is null or closed_at >= ${from.toISOString()}::timestamptz)`);
  }
  if (filter.region) {
    const inRegion = sql`(select code from parties where region_code like ${`${filter.region}%`})`;
    conditions.push(
      sql`(id in (select recall_id from recall_lots where party_code in ${inRegion})
        or id in (select recall_id from recall_holders where party_code in ${inRegion}))`,
    );
  }
  if (filter.readerCode) {
    conditions.push(
      sql`(party_code = ${filter.readerCode} or id in (select recall_id from recall_holders where party_code = ${filter.readerCode})
        or id in (${recallsWithLotReadBy(filter.readerCode)}))`,
    );
  }
  return sql.join(conditions, sql` and `);
}

export function createRecallsRepository(db: Db) {
  return {
    packedIn,

    /**
     * The lots a holder returns, and everything packed in those that are containers, at every level
     * (`containerCode` the container each lies in): where each goes back (recallReturnParties) reads them.
     */
    async returnedLots(tx: Db, codes: string[]): Promise<ReturnedLot[]> {
      return queryRows<ReturnedLot>(
        tx,
        sql`with recursive inside(container_code, code) as (
          select null::text, code from unnest(${texts(codes)}) code
          union
          select e.downstream_code, e.upstream_code from lineage_edges e join inside on e.downstream_code = inside.code
          where e.kind = 'aggregate' and e.ended_by_event_id is null and e.retracted_by_event_id is null
        )
        select i.container_code as "containerCode", l.code, l.kind, l.status, l.hold, l.party_code as "partyCode",
          (l.kind = 'container' and l.status = 'recalled' and exists (select 1 from recalls r where r.root_lot_codes @> jsonb_build_array(l.code)))
            as "recallRoot"
        from inside i join lots l on l.code = i.code order by i.container_code nulls first, l.code`,
      );
    },

    /**
     * Stages a recall's scope in the caller's transaction, for `insert` to record: the live lots
     * and containers the forward walk reaches, with their owner, unit, depth and pack-code count,
     * in a temporary table dropped at commit. A root that is a container starts the walk from
     * what is packed in it now as well (cases on a pallet, lots in a case, all levels down): a
     * recalled pallet recalls its contents, which unpacked could otherwise be sold; each is walked
     * as a root is, at depth 0. Staged again in the same transaction, it replaces what it staged.
     */
    async stage(tx: Db, rootCodes: string[], maxDepth: number): Promise<PackedContent[]> {
      await queryRows(tx, sql`drop table if exists recall_scope, scope_walk`);
      // How far a walk reaches is known only once walked: kept in a temporary table, the joins after
      // it are planned for what it holds (index look-ups for a few lots, hash joins for 100,000)
      // instead of for a recursive CTE's fixed guess of 200 rows. The whole walk is not analysed:
      // estimated from its size, it gets the same plans (analysing it cost more than it saved).
      await queryRows(tx, sql`set local work_mem = '64MB'`);
      const packed = await packedIn(tx, rootCodes);
      // packed as it is now: a case a lot was unpacked from before the recall holds none of it
      await stageReachable(
        tx,
        'scope_walk',
        [...new Set([...rootCodes, ...packed.map((row) => row.code)])],
        'forward',
        maxDepth,
        'current',
      );
      await queryRows(
        tx,
        sql`create temporary table recall_scope on commit drop as
        with coded as (
          -- a job's codes become visible all together when it succeeds: counted from the jobs, not read code by code
          select j.lot_code, sum(j.done) as count from code_jobs j join scope_walk w on w.code = j.lot_code
          where j.status = 'succeeded' group by j.lot_code
        )
        select l.code, l.kind, l.party_code, l.unit, w.depth, coalesce(c.count, 0)::int as item_count
        from scope_walk w join lots l on l.code = w.code left join coded c on c.lot_code = l.code
        where l.voided_by_event_id is null`,
      );
      return packed;
    },

    /**
     * Whether the walk `stage` made (up to `maxDepth`) still stands, read once its lots are locked:
     * no link it follows leads from a lot of it to one outside it (a transformation or packing of one
     * of its lots stored while the recall waited for it), and every lot it reached is still reached
     * by such a link from another (an unpacking or correction stored meanwhile may have cut it off).
     * The writer lets no cycle into the lineage, so the two together say the walk would reach the
     * same lots now.
     */
    async stagedScopeStands(tx: Db, maxDepth: number): Promise<boolean> {
      // one step from every lot of the walk, as a level of it is taken, then two anti-joins against the
      // walk, counted: asked whether one row exists, the planner chose loops that stop at the first
      // row and compared every lot reached with every lot of the walk (seconds for 10,000 lots)
      const [row] = await queryRows<{ moved: boolean }>(
        tx,
        sql`with reached as materialized (
          select distinct e.downstream_code as code from scope_walk w join lineage_edges e on e.upstream_code = w.code
          where w.depth < ${maxDepth} and ${followedEdge('current')}
        )
        select (select count(*) from reached r where not exists (select 1 from scope_walk w where w.code = r.code))
          + (select count(*) from scope_walk w where w.depth > 0 and not exists (select 1 from reached r where r.code = w.code)) > 0
          as moved`,
      );
      return !row.moved;
    },

    /**
     * When every lot and container of the staged scope is in the scope of an open recall already, the
     * open recalls that reach each of `rootCodes` (in the order they opened); none when the staged scope
     * reaches any lot no open recall reaches.
     */
    async openRecallsOfStagedScope(tx: Db, rootCodes: string[]): Promise<{ lotCode: string; recallId: string }[]> {
      // the first lot of the scope no open recall reaches ends the search: a recall of anything new asks it once
      return queryRows(
        tx,
        sql`select rl.lot_code as "lotCode", r.id as "recallId" from recall_lots rl join recalls r on r.id = rl.recall_id
        where rl.lot_code = any(${texts(rootCodes)}) and r.status = 'open'
          and not exists (select 1 from recall_scope s where not exists (
            select 1 from recall_lots o join recalls covering on covering.id = o.recall_id where o.lot_code = s.code and covering.status = 'open'))
        order by r.order_number`,
      );
    },

    /** The codes of the staged scope, in code order (the event writer links them to the recall). */
    async stagedCodes(tx: Db): Promise<string[]> {
      // in code order, as every write that follows takes them: index pages are then visited once each, not at random
      return (await queryRows<{ code: string }>(tx, sql`select code from recall_scope order by code`)).map((row) => row.code);
    },

    /** How much the staged scope holds: lots and containers, holdings, holders (what `insert` would record). */
    async stagedCounts(tx: Db): Promise<{ lots: number; holdings: number; holders: number }> {
      const [row] = await queryRows<{ lots: number; holdings: number; holders: number }>(
        tx,
        sql`with held as materialized (${HELD})
        select (select count(*) from recall_scope)::int as lots, (select count(*) from held)::int as holdings,
          (select count(*) from (select distinct party_code from held) as holder)::int as holders`,
      );
      return { lots: Number(row.lots), holdings: Number(row.holdings), holders: Number(row.holders) };
    },

    /**
     * Records a recall with the scope `stage` put in the same transaction, inside the database:
     * its lots, who holds what of them now (read after the writer marked them) and
     * those holders with their contacts as they stand. Returns the counts `counts` would read back, and
     * whether the recall counts as a regulator's and who opened it (as `find` reads them).
     */
    async insert(
      tx: Db,
      recall: Omit<
        RecallRow,
        'startedAt' | 'closedAt' | 'closedByKeyId' | 'closeEventId' | 'overrideReason' | 'openedByRegulator' | 'closedBy' | 'openedBy'
      >,
    ): Promise<{ counts: { lots: number; containers: number; items: number } } & Pick<RecallRow, 'openedByRegulator' | 'openedBy'>> {
      // the recall row first: the others refer to it, and parts of one statement do not see each other's rows
      const [inserted] = await queryRows<Pick<RecallRow, 'openedByRegulator' | 'openedBy'>>(
        tx,
        sql`insert into recalls (id, party_code, opened_by_key_id, level, reason, hazard, root_lot_codes, status, event_id,
          opened_at, start_due_at, finish_due_at)
        values (${recall.id}, ${recall.partyCode}, ${recall.openedByKeyId}, ${recall.level}, ${recall.reason}, ${recall.hazard},
          ${JSON.stringify(recall.rootLotCodes)}::jsonb, ${recall.status}, ${recall.eventId}, ${recall.openedAt.toISOString()},
          ${recall.startDueAt.toISOString()}, ${recall.finishDueAt.toISOString()})
        returning ${sql.raw(OPENED_BY_REGULATOR)} as "openedByRegulator", ${sql.raw(OPENED_BY)} as "openedBy"`,
      );
      // counted from the staged scope: read back by joining lots, 100,000 fresh rows whose statistics are not yet known cost seconds
      const [counts] = await queryRows<{ lots: number; containers: number; items: number }>(
        tx,
        sql`with held as materialized (${HELD}),
        new_lots as (insert into recall_lots (recall_id, lot_code, party_code, depth, item_count)
          select ${recall.id}, code, party_code, depth, item_count from recall_scope order by code),
        new_holdings as (insert into recall_holdings (recall_id, position, party_code, lot_code, container_code, shipment_id, quantity, unit)
          select ${recall.id}, row_number() over (order by lot_code, party_code, container_code, shipment_id), party_code, lot_code,
            container_code, shipment_id, quantity, unit
          from held),
        new_holders as (insert into recall_holders (recall_id, party_code, contact)
          select ${recall.id}, p.code, coalesce(p.contact, '{}'::jsonb) from parties p where p.code in (select party_code from held))
        select count(*) filter (where kind = 'lot')::int as lots, count(*) filter (where kind = 'container')::int as containers,
          coalesce(sum(item_count), 0)::int as items
        from recall_scope`,
      );
      return {
        counts: { lots: Number(counts.lots), containers: Number(counts.containers), items: Number(counts.items) },
        openedByRegulator: inserted.openedByRegulator,
        openedBy: inserted.openedBy,
      };
    },

    /**
     * The named lots and every lot and container downstream of them within `maxDepth` steps, as the
     * anomalies walk them (rootedWalk: what transformations made of them and the containers they lie
     * in now, and on from those), each as it stands; named lots that do not exist are not among them.
     */
    async downstreamOf(tx: Db, codes: string[], maxDepth: number): Promise<DownstreamLot[]> {
      return queryRows<DownstreamLot>(
        tx,
        sql`with recursive ${rootedWalk(sql`reach`, sql`select code, code from lots where code = any(${texts(codes)})`, 'forward', maxDepth, 'current')}
        select l.code, l.kind, l.party_code as "partyCode", l.status, l.hold->>'partyCode' as "heldBy",
          l.voided_by_event_id is not null as voided
        from lots l where l.code in (select code from reach) order by l.code collate "C"`,
      );
    },

    /** The named lots as they stand: owner, and the party whose hold is on each (null when none). */
    async holdsOf(codes: string[], tx: Db = db): Promise<{ code: string; partyCode: string; heldBy: string | null }[]> {
      if (codes.length === 0) return [];
      return queryRows(
        tx,
        sql`select code, party_code as "partyCode", hold->>'partyCode' as "heldBy" from lots
          where code = any(${texts(codes)})`,
      );
    },

    async find(id: string, tx: Db = db): Promise<RecallRow | undefined> {
      const [row] = await queryRows<RecallRow>(tx, sql`select ${RECALL_COLUMNS} from recalls where id = ${id}`);
      return row ? toRecall(row) : undefined;
    },

    /**
     * Recalls newest first (then by id, so pages follow one another), `limit` of them after the first
     * `offset`: by status; those a party may read (`readerCode`: it opened them, they reach it, or it may
     * read a lot of their scope, see canReadRecall); `overdue`: only the open ones past a due time
     * at that moment (`late`), or only the others, judged on the due times stored when each opened
     * (as overdueFor does), before the limit.
     */
    async list(filter: RecallFilter & { limit: number; offset: number }): Promise<RecallRow[]> {
      const rows = await queryRows<RecallRow>(
        db,
        sql`select ${RECALL_COLUMNS} from recalls where ${recallConditions(filter)} order by opened_at desc, id desc
          limit ${filter.limit} offset ${filter.offset}`,
      );
      return rows.map(toRecall);
    },

    /** How many recalls `list` would give on every page together. */
    async count(filter: RecallFilter): Promise<number> {
      const [row] = await queryRows<{ count: number }>(
        db,
        sql`select count(*)::int as count from recalls where ${recallConditions(filter)}`,
      );
      return row.count;
    },

    /** May the party read a lot of the recall's scope (it owns it, held it or was sent it: see partyReadsLot)? */
    async scopeLotReadBy(recallId: string, partyCode: string): Promise<boolean> {
      const [row] = await queryRows<{ reads: boolean }>(db, sql`select ${recallId}::text in (${recallsWithLotReadBy(partyCode)}) as reads`);
      return Boolean(row.reads);
    },

    /** Holders of recalls with their contact, name and acknowledgement. */
    async holders(recallIds: string[], tx: Db = db) {
      if (recallIds.length === 0) return [];
      const rows = await queryRows<{
        recallId: string;
        partyCode: string;
        name: string;
        kind: string;
        address: string | null;
        contact: PartyContact;
        acknowledgedAt: Date | string | null;
      }>(
        tx,
        sql`select h.recall_id as "recallId", h.party_code as "partyCode", p.name, p.kind, p.address, h.contact,
          h.acknowledged_at as "acknowledgedAt"
        from recall_holders h join parties p on p.code = h.party_code
        where h.recall_id = any(${texts(recallIds)}) order by h.recall_id, h.party_code`,
      );
      return rows.map((row) => ({ ...row, acknowledgedAt: toDate(row.acknowledgedAt) }));
    },

    /**
     * Per holder and lot (of `partyCode` alone when given): what the recall asked it to recover, and
     * what it has reported returned or destroyed (see RECOVERED), counted up to what was asked —
     * returned first, then destroyed — as listTotals counts it: stock reported under another recall
     * may be more than this one asked of the holder.
     */
    async recovery(recallIds: string[], tx: Db = db, partyCode?: string) {
      if (recallIds.length === 0) return [];
      const rows = await queryRows<{
        recallId: string;
        partyCode: string;
        lotCode: string;
        unit: string;
        container: boolean;
        affected: string;
        returned: string;
        destroyed: string;
      }>(
        tx,
        sql`with affected as (
          select recall_id, party_code, lot_code, unit, sum(quantity) as quantity from recall_holdings
          where recall_id = any(${texts(recallIds)}) ${partyCode === undefined ? sql`` : sql`and party_code = ${partyCode}`}
          group by recall_id, party_code, lot_code, unit
        ), ${RECOVERED}, counted as (
          select a.recall_id, a.party_code, a.lot_code, a.unit, a.quantity, least(coalesce(r.returned, 0), a.quantity) as returned,
            coalesce(r.destroyed, 0) as destroyed
          from affected a left join recovered r using (recall_id, party_code, lot_code)
        )
        select c.recall_id as "recallId", c.party_code as "partyCode", c.lot_code as "lotCode", c.unit, l.kind = 'container' as container,
          c.quantity::text as affected, c.returned::text as returned, least(c.destroyed, c.quantity - c.returned)::text as destroyed
        from counted c join lots l on l.code = c.lot_code order by c.recall_id, c.party_code, c.lot_code`,
      );
      return rows.map((row) => ({
        ...row,
        affected: Number(row.affected),
        returned: Number(row.returned),
        destroyed: Number(row.destroyed),
      }));
    },

    /**
     * The stock holders' reports under each recall sent back (their return shipments, line by line:
     * a container and what travels packed in it), per party it went to (`partyCode`, of `partyCode`
     * alone when given) and lot: how much was sent, how much that party received, how much of what
     * its receipts took was lost on the way (`lost`: sent − received of the lines received), and how
     * much of what came back it destroyed while the recall was open: by its own reports (under this
     * recall, or another of the lot, as RECOVERED counts a holder's reports), or by a destroy event
     * of its own after its first receipt of the return. What it destroyed of the lot counts first
     * against what the recall asked of the party itself (its own line), the rest against what came
     * back to it, up to what it received.
     */
    async returns(recallIds: string[], options: { tx?: Db; partyCode?: string } = {}): Promise<ReturnedStock[]> {
      const { tx = db, partyCode } = options;
      if (recallIds.length === 0) return [];
      const rows = await queryRows<
        Record<'sent' | 'received' | 'destroyed' | 'lost', string> & Omit<ReturnedStock, 'sent' | 'received' | 'destroyed' | 'lost'>
      >(
        tx,
        sql`with sent as (
          select rr.recall_id, s.to_party_code as party_code, sl.lot_code, sum(sl.quantity) as sent,
            sum(coalesce(sl.received_quantity, 0)) as received,
            sum(case when sl.received_quantity is null then 0 else sl.quantity - sl.received_quantity end) as lost,
            min(rev.event_time) as first_received_at
          from recall_reports rr join recall_report_events re on re.report_id = rr.id
          join shipments s on s.ship_event_id = re.event_id join shipment_lines sl on sl.shipment_id = s.id
          left join events rev on rev.id = sl.receive_event_id and sl.received_quantity > 0
          where rr.recall_id = any(${texts(recallIds)}) ${partyCode === undefined ? sql`` : sql`and s.to_party_code = ${partyCode}`}
          group by rr.recall_id, s.to_party_code, sl.lot_code
        ), reported as (
          select x.recall_id, x.party_code, x.lot_code, m.kind, m.quantity
          from sent x join recalls r on r.id = x.recall_id
          -- its reports under any recall of the lot while this one was open, as RECOVERED counts them
          join recall_reports rr on rr.party_code = x.party_code
            and rr.order_number > r.order_number and (r.closed_at is null or rr.reported_at <= r.closed_at)
          join recall_report_events re on re.report_id = rr.id
          join lot_movements m on m.event_id = re.event_id and m.party_code = x.party_code and m.lot_code = x.lot_code
            and m.kind in ('destroy', 'ship_out') and m.quantity < 0
        ), destroyed_plainly as (
          -- what it destroyed by an event of its own, not a report's, after the return first came back
          -- and while the recall was open
          select x.recall_id, x.party_code, x.lot_code, m.kind, m.quantity
          from sent x join recalls r on r.id = x.recall_id
          join lot_movements m on m.party_code = x.party_code and m.lot_code = x.lot_code and m.kind = 'destroy' and m.quantity < 0
          join events e on e.id = m.event_id
          where e.event_time >= x.first_received_at and (r.closed_at is null or e.event_time <= r.closed_at)
            and not exists (select 1 from recall_report_events re where re.event_id = m.event_id)
            -- live: neither a correction (which books an event's rows back) nor declared in error
            and e.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = e.id)
        ), moved as (
          select recall_id, party_code, lot_code,
            sum(case when kind = 'destroy' then -quantity else 0 end) as destroyed,
            sum(case when kind = 'ship_out' then -quantity else 0 end) as returned
          from (select * from reported union all select * from destroyed_plainly) both_ways
          group by recall_id, party_code, lot_code
        ), asked as (
          select h.recall_id, h.party_code, h.lot_code, sum(h.quantity) as quantity
          from recall_holdings h join sent x using (recall_id, party_code, lot_code)
          group by h.recall_id, h.party_code, h.lot_code
        )
        select x.recall_id as "recallId", x.party_code as "partyCode", p.name, x.lot_code as "lotCode", l.unit,
          l.kind = 'container' as container, x.sent::text as sent, x.received::text as received, x.lost::text as lost,
          least(x.received, greatest(coalesce(m.destroyed, 0) - greatest(coalesce(a.quantity, 0) - coalesce(m.returned, 0), 0), 0))::text
            as destroyed
        from sent x join lots l on l.code = x.lot_code join parties p on p.code = x.party_code
          left join moved m on m.recall_id = x.recall_id and m.party_code = x.party_code and m.lot_code = x.lot_code
          left join asked a on a.recall_id = x.recall_id and a.party_code = x.party_code and a.lot_code = x.lot_code
        order by x.recall_id, x.party_code, x.lot_code`,
      );
      return rows.map((row) => ({
        ...row,
        sent: Number(row.sent),
        received: Number(row.received),
        destroyed: Number(row.destroyed),
        lost: Number(row.lost),
      }));
    },

    /**
     * What a list of recalls shows of each, summed in SQL rather than read holder by holder: how
     * many holders it reached and how many acknowledged, and per unit what it asked to recover and
     * what was, and of that what was destroyed (each holder's lot counted up to what was asked of it), of every holder and of
     * `partyCode`'s own holding (own: null when it holds nothing in that unit).
     */
    async listTotals(recallIds: string[], partyCode: string | null) {
      if (recallIds.length === 0) return { holders: new Map<string, { holders: number; acknowledged: number }>(), units: [] };
      const [holders, units] = await Promise.all([
        queryRows<{ recallId: string; holders: number; acknowledged: number }>(
          db,
          sql`select recall_id as "recallId", count(*)::int as holders, count(acknowledged_at)::int as acknowledged
          from recall_holders where recall_id = any(${texts(recallIds)}) group by recall_id`,
        ),
        queryRows<{
          recallId: string;
          unit: string;
          container: boolean;
          affected: string;
          recovered: string;
          destroyed: string;
          ownAffected: string | null;
          ownRecovered: string | null;
          ownDestroyed: string | null;
        }>(
          db,
          sql`with affected as (
            select recall_id, party_code, lot_code, unit, sum(quantity) as quantity from recall_holdings
            where recall_id = any(${texts(recallIds)}) group by recall_id, party_code, lot_code, unit
          ), ${RECOVERED}, counted as (
            select a.recall_id, a.party_code, a.unit, a.quantity,
              least(coalesce(r.returned + r.destroyed, 0), a.quantity) as recovered,
              -- destroyed as recovery reads it: returned first, then destroyed, up to what was asked
              least(coalesce(r.destroyed, 0), a.quantity - least(coalesce(r.returned, 0), a.quantity)) as destroyed,
              l.kind = 'container' as container
            from affected a left join recovered r using (recall_id, party_code, lot_code) join lots l on l.code = a.lot_code
          ), lines as (
            -- a container counts as one, back once all of it is (see progressOf), destroyed once all of it is
            select recall_id, unit, container, case when container then 1 else quantity end as affected,
              case when not container then recovered when recovered >= quantity then 1 else 0 end as recovered,
              case when not container then destroyed when destroyed >= quantity then 1 else 0 end as destroyed,
              party_code = ${partyCode} as own
            from counted
          )
          select recall_id as "recallId", unit, container, sum(affected)::text as affected, sum(recovered)::text as recovered,
            sum(destroyed)::text as destroyed,
            (sum(affected) filter (where own))::text as "ownAffected", (sum(recovered) filter (where own))::text as "ownRecovered",
            (sum(destroyed) filter (where own))::text as "ownDestroyed"
          from lines group by recall_id, unit, container order by recall_id, unit, container`,
        ),
      ]);
      return {
        holders: new Map(holders.map((row) => [row.recallId, { holders: Number(row.holders), acknowledged: Number(row.acknowledged) }])),
        units: units.map((row) => ({
          recallId: row.recallId,
          unit: row.unit,
          container: row.container,
          affected: Number(row.affected),
          recovered: Number(row.recovered),
          destroyed: Number(row.destroyed),
          own:
            row.ownAffected === null
              ? null
              : { affected: Number(row.ownAffected), recovered: Number(row.ownRecovered), destroyed: Number(row.ownDestroyed) },
        })),
      };
    },

    /**
     * What the scope's lots had sold to consumers before the recall opened (their sell movements of an
     * event time before it; a correction's at the time of the sale it corrects, so a sale declared in
     * error is taken back), per lot with any, and how many consumer scans of the scope's packs were
     * stored since it opened (a lot's own label scanned is no pack). One statement however large the scope.
     */
    async soldAndScanned(
      recallId: string,
      tx: Db = db,
    ): Promise<{ sold: { lotCode: string; unit: string; quantity: number }[]; scans: number }> {
      const [row] = await queryRows<{ sold: { lotCode: string; unit: string; quantity: number }[] | string; scans: number }>(
        tx,
        sql`with recall as (select id, opened_at from recalls where id = ${recallId}),
        sold as (
          select rl.lot_code, l.unit, sum(-m.quantity)::float8 as quantity
          from recall r join recall_lots rl on rl.recall_id = r.id join lots l on l.code = rl.lot_code
          join lot_movements m on m.lot_code = rl.lot_code and m.kind = 'sell'
          join events e on e.id = m.event_id left join events corrected on corrected.id = e.corrects_event_id
          where coalesce(corrected.event_time, e.event_time) < r.opened_at
          group by rl.lot_code, l.unit having sum(m.quantity) <> 0
        )
        select coalesce((select json_agg(json_build_object('lotCode', lot_code, 'unit', unit, 'quantity', quantity)
            order by lot_code collate "C") from sold), '[]'::json) as sold,
          (select count(*) from recall r join recall_lots rl on rl.recall_id = r.id
            join scans s on s.lot_code = rl.lot_code and s.item_code is not null and s.scanned_at >= r.opened_at)::int as scans`,
      );
      const sold = typeof row.sold === 'string' ? JSON.parse(row.sold) : row.sold;
      return { sold, scans: Number(row.scans) };
    },

    /** How many lots, containers and pack codes a recall reached. */
    async counts(recallId: string, tx: Db = db) {
      const [row] = await queryRows<{ lots: number; containers: number; items: number }>(
        tx,
        sql`select count(*) filter (where l.kind = 'lot')::int as lots, count(*) filter (where l.kind = 'container')::int as containers,
          coalesce(sum(r.item_count), 0)::int as items
        from recall_lots r join lots l on l.code = r.lot_code where r.recall_id = ${recallId}`,
      );
      return { lots: Number(row.lots), containers: Number(row.containers), items: Number(row.items) };
    },

    /**
     * The recorded scope's lots and containers, for the final report; `reader`: only those of the
     * codes it was recorded holding (`held`) and those the party may read.
     */
    async lots(recallId: string, reader?: { partyCode: string; held: string[] }) {
      return queryRows<{
        code: string;
        kind: string;
        partyCode: string;
        product: string | null;
        lotNumber: string | null;
        depth: number;
        itemCount: number;
        status: string;
      }>(
        db,
        sql`select r.lot_code as code, l.kind, r.party_code as "partyCode", p.name as product, l.lot_number as "lotNumber", r.depth,
          r.item_count as "itemCount", l.status
        from recall_lots r join lots l on l.code = r.lot_code left join products p on p.code = l.product_code
        where r.recall_id = ${recallId} ${
          reader === undefined
            ? sql``
            : sql`and (r.lot_code = any(${texts(reader.held)}) or r.party_code = ${reader.partyCode}
              or ${partyInvolvedIn(sql`r.lot_code`, reader.partyCode)})`
        }
        order by r.depth, r.lot_code`,
      );
    },

    async reports(recallId: string) {
      const rows = await queryRows<{
        id: string;
        partyCode: string;
        keyId: string;
        lotCode: string | null;
        returned: string;
        destroyed: string;
        note: string | null;
        reportedAt: Date | string;
      }>(
        db,
        sql`select id, party_code as "partyCode", key_id as "keyId", lot_code as "lotCode", returned::text as returned,
          destroyed::text as destroyed, note, reported_at as "reportedAt"
        from recall_reports where recall_id = ${recallId} order by reported_at, id`,
      );
      return rows.map((row) => ({
        ...row,
        returned: Number(row.returned),
        destroyed: Number(row.destroyed),
        reportedAt: toDate(row.reportedAt) as Date,
      }));
    },

    /**
     * Appends a holder's report, with the events each line wrote (`eventIds`); its first report
     * acknowledges the recall, the recall's first acknowledgement starts it.
     */
    async report(
      tx: Db,
      report: { recallId: string; partyCode: string; keyId: string; note: string | null; at: Date },
      lines: { id: string; lotCode: string | null; returned: number; destroyed: number; eventIds: string[] }[],
    ) {
      const at = report.at.toISOString();
      const events = lines.flatMap((line) => line.eventIds.map((eventId) => ({ eventId, reportId: line.id })));
      await queryRows(
        tx,
        sql`with new_reports as (insert into recall_reports (id, recall_id, party_code, key_id, lot_code, returned, destroyed, note, reported_at)
          select id, ${report.recallId}, ${report.partyCode}, ${report.keyId}, lot_code, returned, destroyed, ${report.note}, ${at}
          from unnest(${texts(lines.map((l) => l.id))}, ${texts(lines.map((l) => l.lotCode))}, ${numerics(lines.map((l) => l.returned))},
            ${numerics(lines.map((l) => l.destroyed))}) as v(id, lot_code, returned, destroyed)),
        acknowledged as (update recall_holders set acknowledged_at = ${at}
          where recall_id = ${report.recallId} and party_code = ${report.partyCode} and acknowledged_at is null),
        started as (update recalls set started_at = ${at} where id = ${report.recallId} and started_at is null)
        select 1`,
      );
      // a statement of its own: parts of one statement do not see each other's rows, the reports they refer to
      if (events.length > 0) {
        await queryRows(
          tx,
          sql`insert into recall_report_events (event_id, report_id, party_code)
          select event_id, report_id, ${report.partyCode}
          from unnest(${texts(events.map((e) => e.eventId))}, ${texts(events.map((e) => e.reportId))}) as v(event_id, report_id)`,
        );
      }
    },

    async close(tx: Db, recallId: string, close: { at: Date; keyId: string; eventId: string; overrideReason: string | null }) {
      await queryRows(
        tx,
        sql`update recalls set status = 'closed', closed_at = ${close.at.toISOString()}, closed_by_key_id = ${close.keyId},
          close_event_id = ${close.eventId}, override_reason = ${close.overrideReason}
        where id = ${recallId}`,
      );
    },

    /** Locks the recall row for the rest of the transaction (one close, reports in order). */
    async lock(tx: Db, recallId: string): Promise<RecallRow | undefined> {
      const [row] = await queryRows<RecallRow>(tx, sql`select ${RECALL_COLUMNS} from recalls where id = ${recallId} for update`);
      return row ? toRecall(row) : undefined;
    },

    /**
     * A page of one section of the scope as CSV rows — 1 lots and containers, 2 holdings, 3 pack
     * codes — keyset-paged on its key (each page one range of an index: the recall's primary key, or
     * the items' code), so a stream never holds the whole scope in memory and no page rereads the ones before.
     * The page is cut from the recall's rows first and joined after: the rows were just written, so
     * their statistics are stale, and a plan joining first would read the whole scope for each page.
     */
    async scopePage(recallId: string, section: 1 | 2 | 3, after: string, limit: number): Promise<ScopeCsvRow[]> {
      const pages: Record<1 | 2 | 3, SQL> = {
        1: sql`select r.lot_code as key, l.kind as type, r.lot_code as code, r.lot_code as "lotCode", p.name as product,
            l.lot_number as "lotNumber", r.party_code as owner, null as holder, null as "holderName", null as "contactPerson",
            null as "contactPhone", null as quantity, l.unit, null as "shipmentId", r.depth, l.status, r.item_count as "itemCount"
          from (select * from recall_lots where recall_id = ${recallId} and lot_code > ${after} order by lot_code limit ${limit}) r
            join lots l on l.code = r.lot_code left join products p on p.code = l.product_code
          order by r.lot_code`,
        2: sql`select lpad(h.position::text, 10, '0') as key,
            case when h.shipment_id is null then 'holding' else 'in_transit' end as type, coalesce(h.container_code, h.lot_code) as code,
            h.lot_code as "lotCode", p.name as product, l.lot_number as "lotNumber", l.party_code as owner, h.party_code as holder,
            hp.name as "holderName", hr.contact->>'person' as "contactPerson", hr.contact->>'phone' as "contactPhone",
            h.quantity::text as quantity, h.unit, h.shipment_id as "shipmentId", null::int as depth, l.status, null::int as "itemCount"
          from (select * from recall_holdings where recall_id = ${recallId} and position > ${after === '' ? 0 : Number(after)}
              order by position limit ${limit}) h
            join lots l on l.code = h.lot_code left join products p on p.code = l.product_code
            join parties hp on hp.code = h.party_code join recall_holders hr on hr.recall_id = h.recall_id and hr.party_code = h.party_code
          order by h.position`,
        3: sql`select i.code as key, 'item' as type, i.code, i.lot_code as "lotCode", null as product, null as "lotNumber",
            i.party_code as owner, null as holder, null as "holderName", null as "contactPerson", null as "contactPhone", null as quantity,
            null as unit, null as "shipmentId", null::int as depth, null as status, null::int as "itemCount"
          from recall_lots r join items i on i.lot_code = r.lot_code join code_jobs j on j.id = i.job_id
          where r.recall_id = ${recallId} and j.status = 'succeeded' and i.code > ${after} order by i.code limit ${limit}`,
      };
      return queryRows<ScopeCsvRow>(db, pages[section]);
    },
  };
}

export type ScopeCsvRow = {
  key: string;
  type: string;
  code: string;
  lotCode: string;
  product: string | null;
  lotNumber: string | null;
  owner: string;
  holder: string | null;
  holderName: string | null;
  contactPerson: string | null;
  contactPhone: string | null;
  quantity: string | null;
  unit: string | null;
  shipmentId: string | null;
  depth: number | null;
  status: string | null;
  itemCount: number | null;
};

export type RecallsRepository = ReturnType<typeof createRecallsRepository>;
