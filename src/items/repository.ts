import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { createBatchLoader } from '../db/batch-loader.js';
import { anyOf } from '../db/chunk.js';
import { type Database, type Db, queryRows } from '../db/client.js';
import { codeFlags, codeJobs, items, lots } from '../db/schema.js';
import type { PendingScan } from '../resolver/scan-buffer.js';

export type CodeJobRow = typeof codeJobs.$inferSelect;
export type ResolvedItem = {
  code: string;
  lotCode: string;
  partyCode: string;
  containerCode: string | null;
  scanCount: number;
  firstScannedAt: Date | null;
};
export type ScannedItem = ResolvedItem & { lastRegion: string | null; lastScannedAt: Date | null; lotStatus: string; flagged: boolean };

export function createItemsRepository(database: Pick<Database, 'db' | 'copyRows'>) {
  const { db } = database;
  const findItemsStatement = db
    .select({
      code: items.code,
      lotCode: items.lotCode,
      partyCode: items.partyCode,
      containerCode: items.containerCode,
      scanCount: items.scanCount,
      firstScannedAt: items.firstScannedAt,
      lastScannedAt: items.lastScannedAt,
      lastRegion: items.lastRegion,
      lotStatus: lots.status,
      flagged: sql<boolean>`exists (select 1 from ${codeFlags} where ${codeFlags.code} = ${items.code})`,
    })
    .from(items)
    .innerJoin(codeJobs, eq(codeJobs.id, items.jobId))
    .innerJoin(lots, eq(lots.code, items.lotCode))
    .where(and(sql`${items.code} = any(${sql.placeholder('codes')}::text[])`, eq(codeJobs.status, 'succeeded')))
    .prepare('find_items');
  const itemLoader = createBatchLoader(async (codes: string[]) => {
    const rows = await findItemsStatement.execute({ codes });
    return new Map(rows.map((row) => [row.code, row]));
  });
  return {
    async insertJob(row: typeof codeJobs.$inferInsert): Promise<CodeJobRow> {
      const [inserted] = await db.insert(codeJobs).values(row).returning();
      return inserted;
    },
    async findJob(id: string): Promise<CodeJobRow | undefined> {
      const [row] = await db.select().from(codeJobs).where(eq(codeJobs.id, id));
      return row;
    },
    async updateJob(id: string, values: Partial<typeof codeJobs.$inferInsert>): Promise<void> {
      await db.update(codeJobs).set(values).where(eq(codeJobs.id, id));
    },
    /** Jobs cut off by a restart: their codes never became visible. */
    async runningJobIds(): Promise<string[]> {
      const rows = await db.select({ id: codeJobs.id }).from(codeJobs).where(eq(codeJobs.status, 'running'));
      return rows.map((row) => row.id);
    },
    insertCodes(jobId: string, lotCode: string, partyCode: string, codes: string[]): Promise<void> {
      return database.copyRows(
        'items',
        ['code', 'lot_code', 'party_code', 'job_id'],
        codes.map((code) => [code, lotCode, partyCode, jobId]),
      );
    },
    async existingCodes(codes: string[]): Promise<Set<string>> {
      const rows = await queryRows<{ code: string }>(db, sql`select code from items where ${anyOf(sql`code`, codes)}`);
      return new Set(rows.map((row) => row.code));
    },
    async deleteJobCodes(jobId: string): Promise<void> {
      await db.delete(items).where(eq(items.jobId, jobId));
    },
    /** A page of a finished job's codes, in code order (keyset paging for streaming). */
    codesOfJob(jobId: string, after: string, limit: number): Promise<{ code: string }[]> {
      return db
        .select({ code: items.code })
        .from(items)
        .where(and(eq(items.jobId, jobId), gt(items.code, after)))
        .orderBy(asc(items.code))
        .limit(limit);
    },
    /**
     * An issued code, only if its job finished. Every scan runs this: a named prepared statement
     * (parsed once per connection, then a generic plan), shared by the scans of one loop turn.
     */
    findItem(code: string): Promise<ScannedItem | undefined> {
      return itemLoader.load(code);
    },
    /**
     * A batch of scans: logged, and each item's counters advanced once, in one transaction.
     * Columns travel as arrays (a fixed handful of parameters), so a batch costs next to
     * nothing to build however large it is.
     */
    async writeScans(batch: PendingScan[]): Promise<void> {
      const perItem = new Map<string, { n: number; first: Date; last: Date; region: string | null }>();
      for (const scan of batch) {
        if (!scan.itemCode) continue;
        const seen = perItem.get(scan.itemCode);
        perItem.set(scan.itemCode, {
          n: (seen?.n ?? 0) + 1,
          first: seen?.first ?? scan.at,
          last: scan.at,
          region: scan.region ?? seen?.region ?? null,
        });
      }
      const column = <T>(pick: (scan: PendingScan) => T) => sql.param(batch.map(pick));
      const items = [...perItem];
      const itemColumn = <T>(pick: (entry: [string, { n: number; first: Date; last: Date; region: string | null }]) => T) =>
        sql.param(items.map(pick));
      await db.transaction(async (tx) => {
        await queryRows(
          tx as unknown as Db,
          sql`
          insert into scans (id, item_code, raw_code, lot_code, party_code, scanned_at, region, ip_hash, user_agent)
          select * from unnest(${column((s) => s.id)}::text[], ${column((s) => s.itemCode)}::text[], ${column((s) => s.code)}::text[],
                               ${column((s) => s.lotCode)}::text[], ${column((s) => s.partyCode)}::text[], ${column((s) => s.at.toISOString())}::timestamptz[],
                               ${column((s) => s.region)}::text[], ${column((s) => s.ipHash)}::text[], ${column((s) => s.userAgent)}::text[])`,
        );
        if (items.length === 0) return;
        await queryRows(
          tx as unknown as Db,
          sql`
          update items i set scan_count = i.scan_count + v.n, first_scanned_at = coalesce(i.first_scanned_at, v.first_at),
                 last_scanned_at = greatest(i.last_scanned_at, v.last_at), last_region = coalesce(v.region, i.last_region)
          from unnest(${itemColumn(([code]) => code)}::text[], ${itemColumn(([, v]) => v.n)}::int[], ${itemColumn(([, v]) => v.first.toISOString())}::timestamptz[],
                      ${itemColumn(([, v]) => v.last.toISOString())}::timestamptz[], ${itemColumn(([, v]) => v.region)}::text[]) as v(code, n, first_at, last_at, region)
          where i.code = v.code`,
        );
      });
    },
    /** One issued (visible) code of a lot, for the demo banner. */
    async firstCodeOfLot(lotCode: string): Promise<string | undefined> {
      const rows = await queryRows<{ code: string }>(
        db,
        sql`
        select i.code from items i join code_jobs j on j.id = i.job_id
        where i.lot_code = ${lotCode} and j.status = 'succeeded' order by i.code limit 1`,
      );
      return rows[0]?.code;
    },
    /** Issued (visible) items among the codes, with their lots. */
    async findIssued(codes: string[]): Promise<{ code: string; lotCode: string }[]> {
      if (codes.length === 0) return [];
      return queryRows<{ code: string; lotCode: string }>(
        db,
        sql`
        select i.code, i.lot_code as "lotCode" from items i join code_jobs j on j.id = i.job_id
        where ${anyOf(sql`i.code`, codes)} and j.status = 'succeeded'`,
      );
    },
    async packInto(codes: string[], containerCode: string): Promise<void> {
      if (codes.length) await queryRows(db, sql`update items set container_code = ${containerCode} where ${anyOf(sql`code`, codes)}`);
    },
    async unpack(containerCode: string, lotCodes: string[]): Promise<void> {
      if (lotCodes.length)
        await queryRows(
          db,
          sql`update items set container_code = null where container_code = ${containerCode} and ${anyOf(sql`lot_code`, lotCodes)}`,
        );
    },
  };
}

export type ItemsRepository = ReturnType<typeof createItemsRepository>;
