import { and, arrayContains, desc, eq, getTableColumns, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { codeFlagBrandNotes, codeFlagDismissals, codeFlagReopenings, codeFlags, scans } from '../db/schema.js';
import { type CountedKind, countedAs, type PendingScan, REPEAT_WINDOW_MS } from './buffer.js';
import { type FlagStatus, REOPENED_BY } from './flags.js';

type FlagRow = typeof codeFlags.$inferSelect;

/** A flag's dismissal as lists show it: why, by which key, when, at how many occurrences, and the evidence it cleared. */
const DISMISSAL_COLUMNS = {
  reason: codeFlagDismissals.reason,
  by: codeFlagDismissals.keyId,
  at: codeFlagDismissals.dismissedAt,
  occurrences: codeFlagDismissals.occurrences,
  detail: codeFlagDismissals.detail,
  evidence: codeFlagDismissals.evidence,
};
export type FlagDismissal = { reason: string; by: string; at: Date; occurrences: number; detail: string | null; evidence: number | null };

/**
 * reopensDismissed (src/scans/flags.ts) in SQL, for an occurrence of `kind` in the upsert (`excluded`) against the
 * dismissal `d`: never null, as `not` of it must keep the dismissal exactly when the rule says so.
 */
function reopensSql(kind: string): SQL {
  switch (REOPENED_BY[kind as keyof typeof REOPENED_BY] ?? 'every_occurrence') {
    case 'new_finding':
      // a line of the occurrence's detail that is none of the dismissal's (string_to_array of '' is no line)
      return sql`not (string_to_array(coalesce(excluded.detail, ''), E'\\n') <@ string_to_array(coalesce(d.detail, ''), E'\\n'))`;
    case 'doubled_evidence':
      return sql`coalesce(excluded.evidence, 0) >= 2 * coalesce(d.evidence, 0)`;
    default:
      return sql`true`;
  }
}

/** A flag a finding of which names the brand, as stored with it (brand_codes, by code_flags_brand_codes_idx). */
const namesBrand = (brandCode: string): SQL => arrayContains(codeFlags.brandCodes, [brandCode]);

/**
 * A client's last counted scan of a code is deleted once it is this far before a batch's earliest scan, and
 * this far before the database's clock (`now()`): it made repeats of the ten minutes after it, and the margin
 * beyond those covers a batch stored late (another instance's scans held in memory, or waiting on a lock) that
 * may still hold one of them, and instances whose clocks disagree by minutes. An hour, as migration 0052 keeps.
 */
export const FORGOTTEN_AFTER_MS = 6 * REPEAT_WINDOW_MS;
/** At most this many are deleted by one batch: a batch adds as many rows at most as it has scans (≤ 1,000). */
export const PRUNED_PER_BATCH = 1000;

/** The kind of a scan of the batch's rows `v` (countedAs): a pack's, else a lot's or case's own, else one naming nothing. */
const KIND_OF_V = sql.raw(`case when v.item_code is not null then 'item' when v.lot_code is not null then 'lot' else 'unknown' end`);
/** The code a scan of the batch's rows `v` counts for (countedAs): of its kind, else the code as the resolver read it. */
const CODE_OF_V = sql.raw('coalesce(v.item_code, v.lot_code, v.raw_code)');

/** A scan's key in last_counted_scans: its code and kind, and its client. */
const repeatKey = (scan: PendingScan) => {
  const counted = countedAs(scan);
  return `${counted.kind}|${counted.code}|${scan.clientHash}`;
};

/**
 * The batch in rounds: the first scan (by time) of each client's code, then each one's second, and so on. A
 * process holds one client's scan of a code at a time, so a batch is one round unless a test's clock moves more
 * than ten minutes while scans are held.
 */
function repeatRounds(batch: PendingScan[]): PendingScan[][] {
  const rounds: PendingScan[][] = [];
  const seen = new Map<string, number>();
  for (const scan of [...batch].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const key = repeatKey(scan);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    if (round === rounds.length) rounds.push([]);
    rounds[round].push(scan);
  }
  return rounds;
}

export function createScansRepository(db: Db) {
  return {
    /**
     * Which of these (code, client) pairs were scanned since `since`: keys `code|client`. The codes are
     * packs' (`item`), lots' and cases' scanned by their own labels (`lot`: scans of no pack), or codes that
     * name nothing, as the resolver read them (`unknown`: scans of no pack and no lot, by scans_unknown_idx).
     */
    async scannedSince(pairs: { code: string; client: string }[], since: Date, scanned: CountedKind): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const values = sql`unnest(${sql.param(pairs.map((pair) => pair.code))}::text[], ${sql.param(pairs.map((pair) => pair.client))}::text[]) as v(code, client)`;
      const rows = await queryRows<{ key: string }>(
        db,
        scanned === 'item'
          ? sql`select distinct s.item_code || '|' || s.client_hash as key from scans s
            join ${values} on s.item_code = v.code and s.client_hash = v.client
            where s.scanned_at > ${since.toISOString()}::timestamptz`
          : scanned === 'lot'
            ? sql`select distinct s.lot_code || '|' || s.client_hash as key from scans s
            join ${values} on s.lot_code = v.code and s.item_code is null and s.client_hash = v.client
            where s.scanned_at > ${since.toISOString()}::timestamptz`
            : sql`select distinct s.raw_code || '|' || s.client_hash as key from scans s
            join ${values} on s.raw_code = v.code and s.item_code is null and s.lot_code is null and s.client_hash = v.client
            where s.scanned_at > ${since.toISOString()}::timestamptz`,
      );
      return new Set(rows.map((row) => row.key));
    },
    /**
     * A batch of scans: logged, and each item's counters advanced once, in one transaction.
     * Columns travel as arrays (a fixed handful of parameters), so a batch costs next to
     * nothing to build however large it is. A scan counts only when the same client's last counted scan
     * of its code (last_counted_scans, by whichever process; a pack's, a lot's and one naming nothing apart)
     * is at least REPEAT_WINDOW_MS before it; else it is dropped and counts nothing (another process held
     * it in memory when this one looked): the scans dropped are returned. The upsert decides with the
     * client's row locked, so of two batches holding such scans the later decides after the earlier
     * commits, whatever their scans' times. The last statement deletes up to PRUNED_PER_BATCH rows counted
     * FORGOTTEN_AFTER_MS before the batch's earliest scan or the database's clock, whichever is earlier.
     * `began` learns the transaction's id before it commits (with the counters' update, so it costs no
     * statement of its own): a read's snapshot then tells whether that read saw the batch's counts.
     */
    async writeScans(batch: PendingScan[], began?: (xid: string) => void): Promise<PendingScan[]> {
      type Counts = { n: number; first: Date; last: Date; region: string | null; regionAt: Date | null; regionIpHash: string | null };
      if (batch.length === 0) return [];
      return db.transaction(async (tx) => {
        const stored = new Set<string>();
        // one statement per round; a round holds one scan of a client's code at most (its next by time),
        // so each is measured against the last counted before it: one round but in a test's clock
        for (const round of repeatRounds(batch)) {
          const column = <T>(pick: (scan: PendingScan) => T) => sql.param(round.map(pick));
          const inserted = await queryRows<{ id: string }>(
            tx as unknown as Db,
            sql`
            with v as (
              select * from unnest(${column((s) => s.id)}::text[], ${column((s) => s.itemCode)}::text[], ${column((s) => s.code)}::text[],
                                   ${column((s) => s.lotCode)}::text[], ${column((s) => s.partyCode)}::text[], ${column((s) => s.at.toISOString())}::timestamptz[],
                                   ${column((s) => s.region)}::text[], ${column((s) => s.ipHash)}::text[], ${column((s) => s.userAgent)}::text[],
                                   ${column((s) => s.clientHash)}::text[])
                     as v(id, item_code, raw_code, lot_code, party_code, scanned_at, region, ip_hash, user_agent, client_hash)),
            counted as (
              insert into last_counted_scans as r (kind, code, client_hash, counted_at)
              select ${KIND_OF_V}, ${CODE_OF_V}, v.client_hash, v.scanned_at from v
              where v.client_hash is not null
              -- in key order: two batches holding the same two clients' scans lock their rows in one order
              order by 1, 2, 3
              on conflict (kind, code, client_hash) do update set counted_at = excluded.counted_at
                where excluded.counted_at >= r.counted_at + ${sql.raw(`interval '${REPEAT_WINDOW_MS} milliseconds'`)}
              returning r.kind, r.code, r.client_hash)
            insert into scans (id, item_code, raw_code, lot_code, party_code, scanned_at, region, ip_hash, user_agent, client_hash)
            select v.* from v
            where v.client_hash is null
               or exists (select 1 from counted c where c.kind = ${KIND_OF_V} and c.code = ${CODE_OF_V} and c.client_hash = v.client_hash)
            returning id`,
          );
          for (const row of inserted) stored.add(row.id);
        }
        const perItem = new Map<string, Counts>();
        for (const scan of batch) {
          if (!scan.itemCode || !stored.has(scan.id)) continue;
          const seen = perItem.get(scan.itemCode);
          perItem.set(scan.itemCode, {
            n: (seen?.n ?? 0) + 1,
            first: seen?.first ?? scan.at,
            last: scan.at,
            // the region of the latest scan that had one, with that scan's time
            region: scan.region ?? seen?.region ?? null,
            regionAt: scan.region !== null ? scan.at : (seen?.regionAt ?? null),
            regionIpHash: scan.region !== null ? scan.ipHash : (seen?.regionIpHash ?? null),
          });
        }
        // in code order: two batches counting the same two items lock their rows in one order, not deadlock
        const items = [...perItem].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const itemColumn = <T>(pick: (entry: [string, Counts]) => T) => sql.param(items.map(pick));
        const earliest = new Date(Math.min(...batch.map((scan) => scan.at.getTime())));
        const [updated] = await queryRows<{ xid: string }>(
          tx as unknown as Db,
          sql`
          -- after this batch's upserts, so its locks are taken in key order first; rows another batch locked are
          -- skipped, not waited for: this delete makes no batch wait on another
          with forgotten as (
          delete from last_counted_scans where ctid = any(array(
            -- measured on the scans' clock, as repeats are, but never past the database's: a batch of an instance
            -- whose clock is far ahead would forget the rows the instances on the database's time still need
            select ctid from last_counted_scans
            where counted_at < least(${earliest.toISOString()}::timestamptz, now()) - ${sql.raw(`interval '${FORGOTTEN_AFTER_MS} milliseconds'`)}
            limit ${PRUNED_PER_BATCH} for update skip locked))),
          updated as (
          update items i set scan_count = i.scan_count + v.n, first_scanned_at = coalesce(i.first_scanned_at, v.first_at),
                 last_scanned_at = greatest(i.last_scanned_at, v.last_at),
                 -- the region of the latest scan that had one, with its time and address, whatever order batches are stored in
                 last_region = case when v.region is not null and v.region_at >= coalesce(i.last_region_at, '-infinity') then v.region else i.last_region end,
                 last_region_at = case when v.region is not null and v.region_at >= coalesce(i.last_region_at, '-infinity') then v.region_at else i.last_region_at end,
                 last_region_ip_hash = case when v.region is not null and v.region_at >= coalesce(i.last_region_at, '-infinity') then v.region_ip_hash else i.last_region_ip_hash end
          from unnest(${itemColumn(([code]) => code)}::text[], ${itemColumn(([, v]) => v.n)}::int[], ${itemColumn(([, v]) => v.first.toISOString())}::timestamptz[],
                      ${itemColumn(([, v]) => v.last.toISOString())}::timestamptz[], ${itemColumn(([, v]) => v.region)}::text[],
                      ${itemColumn(([, v]) => v.regionAt?.toISOString() ?? null)}::timestamptz[], ${itemColumn(([, v]) => v.regionIpHash)}::text[])
                 as v(code, n, first_at, last_at, region, region_at, region_ip_hash)
          where i.code = v.code
          returning 1)
          select pg_current_xact_id()::text as xid where exists (select 1 from updated)`,
        );
        // no row updated: no item's stored counts changed, so no read needs to know
        if (updated) began?.(updated.xid);
        return batch.filter((scan) => !stored.has(scan.id));
      });
    },
    /**
     * The addresses (hashed) a pack's stored scans came from, `limit` of them at most: the over-scanned check asks
     * only whether there are more than its threshold.
     */
    async scannersOf(itemCode: string, limit: number): Promise<string[]> {
      const rows = await queryRows<{ ip_hash: string }>(
        db,
        sql`select distinct ip_hash from scans where item_code = ${itemCode} limit ${limit}`,
      );
      return rows.map((row) => row.ip_hash);
    },
    /**
     * Raises a flag, or counts a new occurrence of it. Whether the occurrence reopens a dismissed flag is decided in
     * this one statement, on the row it locks (reopensDismissed in src/scans/flags.ts, in SQL): only new evidence
     * reopens it. The brands its findings name are written with its detail, those of its latest occurrence.
     * Whether the flag is open afterwards.
     */
    async raiseFlag(flag: {
      code: string;
      kind: string;
      lotCode: string | null;
      partyCode: string | null;
      detail: string;
      /** For over_scanned, the addresses the code was scanned from. */
      evidence?: number;
      /** For brand_misuse, the brands its findings name (misuseFindings). */
      brandCodes?: readonly string[];
      at: Date;
    }): Promise<boolean> {
      const brandCodes = [...new Set(flag.brandCodes ?? [])].sort();
      const [row] = await db
        .insert(codeFlags)
        .values({
          code: flag.code,
          kind: flag.kind,
          lotCode: flag.lotCode,
          partyCode: flag.partyCode,
          detail: flag.detail,
          evidence: flag.evidence ?? null,
          brandCodes,
          firstAt: flag.at,
          lastAt: flag.at,
        })
        .onConflictDoUpdate({
          target: [codeFlags.code, codeFlags.kind],
          set: {
            lastAt: flag.at,
            detail: flag.detail,
            evidence: flag.evidence ?? null,
            brandCodes,
            occurrences: sql`${codeFlags.occurrences} + 1`,
            // kept only while its dismissal cleared what this occurrence shows
            dismissalId: sql`case when exists (
              select 1 from ${codeFlagDismissals} d where d.id = ${codeFlags.dismissalId} and not (${reopensSql(flag.kind)})
            ) then ${codeFlags.dismissalId} end`,
          },
        })
        .returning({ open: sql<boolean>`${codeFlags.dismissalId} is null` });
      return row.open;
    },
    /** The flag, locked until the transaction ends: a dismissal decides on it as no scan's upsert can change it meanwhile. */
    async lockFlag(
      code: string,
      kind: string,
      tx: Db,
    ): Promise<
      | { occurrences: number; detail: string | null; evidence: number | null; dismissal: (FlagDismissal & { id: string }) | null }
      | undefined
    > {
      const [row] = await tx
        .select({
          occurrences: codeFlags.occurrences,
          detail: codeFlags.detail,
          evidence: codeFlags.evidence,
          dismissalId: codeFlags.dismissalId,
        })
        .from(codeFlags)
        .where(and(eq(codeFlags.code, code), eq(codeFlags.kind, kind)))
        .for('update');
      if (!row) return undefined;
      const { dismissalId, ...flag } = row;
      if (dismissalId === null) return { ...flag, dismissal: null };
      const [dismissal] = await tx
        .select({ id: codeFlagDismissals.id, ...DISMISSAL_COLUMNS })
        .from(codeFlagDismissals)
        .where(eq(codeFlagDismissals.id, dismissalId));
      return { ...flag, dismissal };
    },
    /** Records a dismissal, with the evidence it cleared, and marks its flag dismissed by it. */
    async dismissFlag(
      dismissal: {
        id: string;
        code: string;
        kind: string;
        reason: string;
        keyId: string;
        at: Date;
        occurrences: number;
        detail: string | null;
        evidence: number | null;
      },
      tx: Db,
    ): Promise<void> {
      const { at, ...row } = dismissal;
      // its flag.dismiss entry covers the evidence
      await tx.insert(codeFlagDismissals).values({ ...row, dismissedAt: at, evidenceAudited: true });
      await tx
        .update(codeFlags)
        .set({ dismissalId: dismissal.id })
        .where(and(eq(codeFlags.code, dismissal.code), eq(codeFlags.kind, dismissal.kind)));
    },
    /** Records a reopening by hand of the dismissal it ends, and opens its flag; the dismissal stays in its table. */
    async reopenFlag(
      reopening: { id: string; code: string; kind: string; dismissalId: string; reason: string; keyId: string; at: Date },
      tx: Db,
    ): Promise<void> {
      const { at, ...row } = reopening;
      await tx.insert(codeFlagReopenings).values({ ...row, reopenedAt: at });
      await tx
        .update(codeFlags)
        .set({ dismissalId: null })
        .where(and(eq(codeFlags.code, reopening.code), eq(codeFlags.kind, reopening.kind)));
    },
    /**
     * Flags, open ones unless asked otherwise, each with the dismissal it stands dismissed by (null while open);
     * of a brand (`brandCode`: a finding of its latest occurrence naming it, as stored with it: brand_codes) and of
     * a party (the pack's maker) when asked. The latest occurrence first, one code before another at one instant,
     * so that pages neither repeat nor skip one.
     */
    async listFlags(filter: {
      kind?: string;
      lotCode?: string;
      brandCode?: string;
      partyCode?: string;
      status?: FlagStatus;
      limit: number;
      offset: number;
    }): Promise<(Omit<FlagRow, 'dismissalId' | 'evidence' | 'brandCodes'> & { dismissal: FlagDismissal | null })[]> {
      const status = filter.status ?? 'open';
      const conditions: (SQL | undefined)[] = [
        filter.kind === undefined ? undefined : eq(codeFlags.kind, filter.kind),
        filter.lotCode === undefined ? undefined : eq(codeFlags.lotCode, filter.lotCode),
        filter.brandCode === undefined ? undefined : namesBrand(filter.brandCode),
        filter.partyCode === undefined ? undefined : eq(codeFlags.partyCode, filter.partyCode),
        status === 'open' ? isNull(codeFlags.dismissalId) : status === 'dismissed' ? isNotNull(codeFlags.dismissalId) : undefined,
      ];
      const { dismissalId: _, evidence: __, brandCodes: ___, ...flag } = getTableColumns(codeFlags);
      const rows = await db
        .select({ flag, dismissal: DISMISSAL_COLUMNS })
        .from(codeFlags)
        .leftJoin(codeFlagDismissals, eq(codeFlagDismissals.id, codeFlags.dismissalId))
        .where(and(...conditions))
        .orderBy(desc(codeFlags.lastAt), codeFlags.code)
        .limit(filter.limit)
        .offset(filter.offset);
      return rows.map((row) => ({ ...row.flag, dismissal: row.dismissal }));
    },
    /** The `brand_misuse` flag on a code, when a finding of it names the brand (see listFlags). */
    async findBrandMisuse(
      brandCode: string,
      code: string,
      tx: Db = db,
    ): Promise<(Omit<FlagRow, 'dismissalId' | 'evidence' | 'brandCodes'> & { dismissal: FlagDismissal | null }) | undefined> {
      const { dismissalId: _, evidence: __, brandCodes: ___, ...flag } = getTableColumns(codeFlags);
      const [row] = await tx
        .select({ flag, dismissal: DISMISSAL_COLUMNS })
        .from(codeFlags)
        .leftJoin(codeFlagDismissals, eq(codeFlagDismissals.id, codeFlags.dismissalId))
        .where(and(eq(codeFlags.code, code), eq(codeFlags.kind, 'brand_misuse'), namesBrand(brandCode)));
      return row && { ...row.flag, dismissal: row.dismissal };
    },
    /** Records a brand office's finding on a misuse flag of its brand (the flag exists: its key refers to it). */
    async addBrandNote(
      note: { id: string; code: string; brandCode: string; note: string; keyId: string; at: Date },
      tx: Db,
    ): Promise<void> {
      const { at, ...row } = note;
      await tx.insert(codeFlagBrandNotes).values({ ...row, kind: 'brand_misuse', notedAt: at });
    },
    /** The brand office's findings on misuse flags of these codes, of its brand, oldest first. */
    async brandNotes(brandCode: string, codes: string[]): Promise<{ code: string; note: string; at: Date }[]> {
      if (codes.length === 0) return [];
      return db
        .select({ code: codeFlagBrandNotes.code, note: codeFlagBrandNotes.note, at: codeFlagBrandNotes.notedAt })
        .from(codeFlagBrandNotes)
        .where(
          and(
            eq(codeFlagBrandNotes.brandCode, brandCode),
            eq(codeFlagBrandNotes.kind, 'brand_misuse'),
            anyOf(codeFlagBrandNotes.code, codes),
          ),
        )
        .orderBy(codeFlagBrandNotes.notedAt, codeFlagBrandNotes.id);
    },
    /**
     * Codes flagged for brand misuse (冒用) per party whose first misuse scan fell in [from, to):
     * one of the inputs of an enterprise's credit.
     */
    /** Open brand misuse flags raised in the period, per party (or for the one named). */
    async countBrandMisuseByParty(period: { from: Date; to: Date }, partyCode?: string): Promise<Map<string, number>> {
      const rows = await db
        .select({ partyCode: codeFlags.partyCode, flags: sql<number>`count(*)::int` })
        .from(codeFlags)
        .where(
          and(
            eq(codeFlags.kind, 'brand_misuse'),
            // a misuse flag a regulator dismissed was cleared: it counts again once raised anew
            isNull(codeFlags.dismissalId),
            partyCode === undefined ? undefined : eq(codeFlags.partyCode, partyCode),
            sql`${codeFlags.firstAt} >= ${period.from.toISOString()}::timestamptz`,
            sql`${codeFlags.firstAt} < ${period.to.toISOString()}::timestamptz`,
          ),
        )
        .groupBy(codeFlags.partyCode);
      return new Map(rows.filter((row) => row.partyCode !== null).map((row) => [row.partyCode as string, Number(row.flags)]));
    },
    async scansOfLot(lotCode: string, limit: number) {
      const [totals] = await queryRows<{ scans: number; codes: number; first: Date | null; last: Date | null }>(
        db,
        sql`
        select count(*)::int as scans, count(distinct item_code)::int as codes, min(scanned_at) as first, max(scanned_at) as last
        from scans where lot_code = ${lotCode}`,
      );
      const byRegion = await queryRows<{ region: string | null; scans: number }>(
        db,
        sql`
        select region, count(*)::int as scans from scans where lot_code = ${lotCode} group by region order by scans desc, region`,
      );
      const recent = await db
        .select({ itemCode: scans.itemCode, scannedAt: scans.scannedAt, region: scans.region, userAgent: scans.userAgent })
        .from(scans)
        .where(eq(scans.lotCode, lotCode))
        .orderBy(desc(scans.scannedAt))
        .limit(limit);
      const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));
      return {
        totalScans: Number(totals.scans),
        distinctCodes: Number(totals.codes),
        firstAt: toDate(totals.first),
        lastAt: toDate(totals.last),
        byRegion,
        recent,
      };
    },
  };
}

export type ScansRepository = ReturnType<typeof createScansRepository>;
