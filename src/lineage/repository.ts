import { and, isNull, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { lineageEdges } from '../db/schema.js';
import { namedByRecall } from '../lots/repository.js';

/** backward: towards inputs (farms); forward: towards outputs (shops). */
export type Direction = 'backward' | 'forward';
export type ReachedNode = { code: string; depth: number };
/**
 * Which packing (aggregate) links a walk follows: every one there ever was (`history`, as a trace
 * shows them), or only those still `current` (a lot unpacked from a case no longer leads to it). Only
 * a packing link ends (an unpacking ends it); transform links are followed either way.
 */
export type PackingLinks = 'history' | 'current';

const live = isNull(lineageEdges.retractedByEventId);

/** The edge column a walk in `direction` steps to, and the one it steps from. */
const walkColumns = (direction: Direction) =>
  direction === 'backward'
    ? [sql.raw('upstream_code'), sql.raw('downstream_code')]
    : [sql.raw('downstream_code'), sql.raw('upstream_code')];

/**
 * Every node reachable from the start lots with its shortest distance, as a query of (code, depth)
 * to select from or build on. Recursive CTE with UNION (set semantics on (code, depth)) and a
 * depth cap: merging DAGs stay cheap, where UNION ALL … CYCLE would enumerate every path.
 */
function reachableQuery(startCodes: string[], direction: Direction, maxDepth: number): SQL {
  const [next, current] = walkColumns(direction);
  return sql`
    with recursive walk(code, depth) as (
      select code, 0 from lots where ${anyOf(sql`code`, startCodes)}
      union
      select e.${next}, w.depth + 1
      from walk w join lineage_edges e on e.${current} = w.code
      where w.depth < ${maxDepth} and e.retracted_by_event_id is null
    )
    select code, min(depth)::int as depth from walk group by code`;
}

/**
 * The recursive CTE `name(root, code, depth)`: from each start (`starts`, a query of (root, code)),
 * every node reachable in `direction` within `maxDepth` steps over the edges `packing` says to follow
 * (followedEdge), under the start's root. The walk of reachableQuery, UNION with a depth cap, for
 * many starts at once, each walked apart: what a set-based reader asks of every start in one
 * statement (a figure per sold lot, the lots each failed test reaches). A node reached at two
 * depths appears at each; select the codes distinct.
 */
export function rootedWalk(name: SQL, starts: SQL, direction: Direction, maxDepth: number, packing: PackingLinks): SQL {
  const [next, current] = walkColumns(direction);
  return sql`${name}(root, code, depth) as (
      select root, code, 0 from (${starts}) as starts(root, code)
      union
      select w.root, e.${next}, w.depth + 1 from ${name} w join lineage_edges e on e.${current} = w.code
      where w.depth < ${maxDepth} and ${followedEdge(packing)}
    )`;
}

/** A packing link in force: the container `e.downstream_code` holds `e.upstream_code` now. */
const PACKED_NOW = sql`e.kind = 'aggregate' and e.ended_by_event_id is null and e.retracted_by_event_id is null`;

/**
 * The recursive CTE `above(child, parent)`: the containers the lots or containers `codes` lie in
 * now, those these lie in, and so on to the outermost. UNION over the pairs ends the walk by itself,
 * even around a loop of packings: no depth cap, which a nesting deeper than it would slip past (a
 * hold on the outermost container then neither checked nor locked by a packing into the innermost).
 */
export function containersAboveWalk(codes: string[]): SQL {
  return sql`with recursive ${containersAbove(sql`above`, anyOf(sql`e.upstream_code`, codes))}`;
}

/** The walk of containersAboveWalk as the CTE `name(child, parent)`, from the lots or containers whose codes `starts` picks (of `e.upstream_code`). */
function containersAbove(name: SQL, starts: SQL): SQL {
  return sql`${name}(child, parent) as (
      select e.upstream_code, e.downstream_code from lineage_edges e
      where ${starts} and ${PACKED_NOW}
      union
      select e.upstream_code, e.downstream_code from lineage_edges e join ${name} on e.upstream_code = ${name}.parent
      where ${PACKED_NOW}
    )`;
}

/**
 * What the containers a pack lies in say of it: one held holds the pack, one a recall named recalls
 * it, one destroyed took it along. Of a case scanned, `onHold` is also a hold of a lot it holds now.
 * `recallHazards`: the hazards of the recalls that named one, in the order they opened.
 */
export type ContainersState = { onHold: boolean; recalled: boolean; destroyed: boolean; recallHazards: string[] };

/** An event's time and when it was recorded (a batch's events share one record time). */
export type Dated = { at: Date; recordedAt: Date };

/**
 * A packing link as the ledger keeps it: `childCode` packed into `parentCode` by `packing`, and the
 * unpacking that ended the link, null while it holds.
 */
export type PackingLink = { childCode: string; parentCode: string; packing: Dated; unpacking: Dated | null };

/** From this many lots a level is analysed before the next is joined to it (a few milliseconds per 10,000 lots). */
const ANALYSED_LEVEL = 20_000;

/** The condition on a walk's edge `e`: live, and for `current` not a packing link an unpacking ended. */
export const followedEdge = (packing: PackingLinks) =>
  packing === 'current' ? sql`e.retracted_by_event_id is null and e.ended_by_event_id is null` : sql`e.retracted_by_event_id is null`;

/**
 * The same walk, level by level, into a temporary table `table` (code, depth) of the caller's
 * transaction, dropped at commit (or by the caller, to walk again), following the packing links
 * `packing` says. Each level is one statement over the level before it, so it is planned for what
 * that level holds: index look-ups
 * from a few lots, one hash join over the edges from 100,000. A recursive CTE plans every level for one fixed guess and probes the index once per
 * lot, including for each of the leaves that most of a far-reaching walk ends in.
 */
export async function stageReachable(
  tx: Db,
  table: string,
  startCodes: string[],
  direction: Direction,
  maxDepth: number,
  packing: PackingLinks,
) {
  const [next, current] = walkColumns(direction);
  // the level tables are named after it: a longer name would be cut to PostgreSQL's 63 bytes and clash
  if (!/^[a-z_]{1,40}$/.test(table)) throw new Error(`stageReachable: ${JSON.stringify(table)} is not a short lower-case table name`);
  const walked = sql.identifier(table);
  const level = (depth: number) => sql.identifier(`${table}_${depth}`);
  await queryRows(
    tx,
    sql`create temporary table ${level(0)} on commit drop as select code from lots where ${anyOf(sql`code`, startCodes)}`,
  );
  await queryRows(tx, sql`create temporary table ${walked} on commit drop as select code, 0 as depth from ${level(0)}`);
  let last = 0;
  for (let depth = 1; depth <= maxDepth; depth++) {
    // distinct before the anti-join: each code reached is looked up among those walked once
    await queryRows(
      tx,
      sql`create temporary table ${level(depth)} on commit drop as
      select code from (
        select distinct e.${next} as code from ${level(depth - 1)} l join lineage_edges e on e.${current} = l.code
        where ${followedEdge(packing)}
      ) reached
      where not exists (select 1 from ${walked} w where w.code = reached.code)`,
    );
    const [{ count }] = await queryRows<{ count: number }>(
      tx,
      sql`with added as (insert into ${walked} (code, depth) select code, ${depth}::int from ${level(depth)} returning 1)
      select count(*)::int as count from added`,
    );
    // only the newest level is joined from now on
    await queryRows(tx, sql`drop table ${level(depth - 1)}`);
    last = depth;
    if (Number(count) === 0) break;
    // a temporary table has no statistics until analysed: without them the next join hashes every edge instead of this level
    if (Number(count) >= ANALYSED_LEVEL) await queryRows(tx, sql`analyze ${level(depth)}`);
  }
  // only `table` is left: the same walk can be staged again in the same transaction once it is dropped
  await queryRows(tx, sql`drop table ${level(last)}`);
}

/** From this many lots on hold, a case's scan walks down what it holds rather than up from each held lot (containersState). */
const MANY_HELD = 1_000;

/** The lineage walks on `db`; `manyHeld` is MANY_HELD but in a test that takes each of containersState's walks. */
export function createLineageRepository(db: Db, { manyHeld = MANY_HELD }: { manyHeld?: number } = {}) {
  return {
    /**
     * The state of the containers above a scanned pack or case (see ContainersState), in one statement;
     * undefined when they say nothing of it. Of a pack (`scanned` 'pack'), `code` is the container it lies
     * in, counted with those that one lies in, at any level. Of a case (`scanned` 'container'), `code` is
     * the case: the containers it lies in, and whether a lot it holds now, at any level, is on hold (a hold
     * of a lot stops the containers it lies in, as the event writer does; the case's own state is its lot's).
     * A container is recalled only by a recall that named it (namedByRecall: a recall of one lot marks the
     * containers it lies in, not what else they hold).
     */
    async containersState(code: string, scanned: 'pack' | 'container'): Promise<ContainersState | undefined> {
      const ofCase = scanned === 'container';
      // Whether the case holds a held lot now, at any level, asked from the cheaper end: up from the held lots
      // costs in proportion to them (few, as a rule), down the case in proportion to it (a pallet may hold
      // thousands); from manyHeld held lots on, down. Only the branch taken runs its walk. The case's code comes
      // through a subquery so that the down walk is planned for a case's few children, not for the largest
      // pallet's: planned for thousands, it scans every packing, and its cost alone turns on JIT compilation.
      const holdsHeldWalks = sql`, ${containersAbove(sql`held_above`, sql`e.upstream_code in (select code from lots where hold is not null)`)},
        below(code) as (
          select e.upstream_code from lineage_edges e where e.downstream_code = (select ${code}::text) and ${PACKED_NOW}
          union
          select e.upstream_code from lineage_edges e join below on e.downstream_code = below.code where ${PACKED_NOW}
        )`;
      const heldLotsAreFew = sql`(select count(*) from (select 1 from lots where hold is not null order by code limit ${manyHeld}) held) < ${manyHeld}`;
      const holdsHeld = sql`case when ${heldLotsAreFew} then exists (select 1 from held_above where parent = ${code})
        else exists (select 1 from lots c join below on c.code = below.code where c.hold is not null) end`;
      const containers = sql`(select parent from above${ofCase ? sql`` : sql` union select ${code}::text`})`;
      const [row] = await queryRows<ContainersState & { containers: number; holdsHeld: boolean }>(
        db,
        sql`${containersAboveWalk([code])}${ofCase ? holdsHeldWalks : sql``}
        select count(*)::int as containers, coalesce(bool_or(l.hold is not null), false) as "onHold",
          coalesce(bool_or(l.status = 'recalled' and ${namedByRecall(sql`l.code`)}), false) as recalled,
          coalesce(bool_or(l.status = 'destroyed'), false) as destroyed,
          ${ofCase ? holdsHeld : sql`false`} as "holdsHeld",
          -- asked only of a recalled container (an init plan runs when first needed)
          case when bool_or(l.status = 'recalled') then (select coalesce(json_agg(r.hazard order by r.order_number), '[]') from recalls r
            where exists (select 1 from lots c where c.code in ${containers} and c.status = 'recalled'
              and r.root_lot_codes @> jsonb_build_array(c.code))) else '[]' end as "recallHazards"
        from lots l where l.code in ${containers}`,
      );
      if (row.containers === 0 && !row.holdsHeld) return undefined;
      const recallHazards = [...new Set(row.recallHazards)];
      return { onHold: row.onHold || row.holdsHeld, recalled: row.recalled, destroyed: row.destroyed, recallHazards };
    },

    /**
     * Every live packing link of the lot and of the containers it was ever packed in, up to `levels`
     * containers deep, each with the times of its packing and of the unpacking that ended it
     * (ended_by_event_id): what the cold chain orders packings and unpackings by. One statement however
     * many containers.
     */
    async packingLinksAbove(lotCode: string, levels: number): Promise<PackingLink[]> {
      type Time = Date | string;
      const rows = await queryRows<{
        childCode: string;
        parentCode: string;
        packedAt: Time;
        packRecordedAt: Time;
        unpackedAt: Time | null;
        unpackRecordedAt: Time | null;
      }>(
        db,
        sql`with recursive walk(code, depth) as (
          select ${lotCode}::text, 0
          union
          select e.downstream_code, w.depth + 1 from walk w join lineage_edges e on e.upstream_code = w.code
          where w.depth < ${levels - 1} and e.kind = 'aggregate' and e.retracted_by_event_id is null
        )
        select e.upstream_code as "childCode", e.downstream_code as "parentCode", packing.event_time as "packedAt",
          packing.record_time as "packRecordedAt", unpacking.event_time as "unpackedAt", unpacking.record_time as "unpackRecordedAt"
        from lineage_edges e
        join events packing on packing.id = e.event_id
        left join events unpacking on unpacking.id = e.ended_by_event_id
        where e.upstream_code in (select code from walk) and e.kind = 'aggregate' and e.retracted_by_event_id is null`,
      );
      // a timestamp comes as a Date or as a string, by driver
      return rows.map((row) => ({
        childCode: row.childCode,
        parentCode: row.parentCode,
        packing: { at: new Date(row.packedAt), recordedAt: new Date(row.packRecordedAt) },
        unpacking:
          row.unpackedAt === null || row.unpackRecordedAt === null
            ? null
            : { at: new Date(row.unpackedAt), recordedAt: new Date(row.unpackRecordedAt) },
      }));
    },

    /** Every node reachable from the start lots, with its shortest distance (`reachableQuery`). */
    async reachable(startCodes: string[], direction: Direction, maxDepth: number): Promise<ReachedNode[]> {
      if (startCodes.length === 0) return [];
      // depth is an int4: a number from either driver, so the rows are the nodes as they are
      return queryRows<ReachedNode>(db, reachableQuery(startCodes, direction, maxDepth));
    },

    /**
     * The same walk one level at a time (`= any` per frontier). Slower on one node, but it
     * is the strategy that still works when lots are sharded by party (Citus runs recursive
     * CTEs only within one shard).
     */
    async reachableByFrontier(startCodes: string[], direction: Direction, maxDepth: number): Promise<ReachedNode[]> {
      const [nextColumn, currentColumn] =
        direction === 'backward'
          ? [lineageEdges.upstreamCode, lineageEdges.downstreamCode]
          : [lineageEdges.downstreamCode, lineageEdges.upstreamCode];
      const seen = new Map<string, number>();
      const existing = await queryRows<{ code: string }>(db, sql`select code from lots where ${anyOf(sql`code`, startCodes)}`);
      let frontier = existing.map((row) => row.code);
      for (const code of frontier) seen.set(code, 0);
      for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
        const rows = await db
          .selectDistinct({ code: nextColumn })
          .from(lineageEdges)
          .where(and(anyOf(currentColumn, frontier), live));
        frontier = [];
        for (const { code } of rows) {
          if (!seen.has(code)) {
            seen.set(code, depth);
            frontier.push(code);
          }
        }
      }
      return [...seen].map(([code, depth]) => ({ code, depth }));
    },
  };
}

export type LineageRepository = ReturnType<typeof createLineageRepository>;
