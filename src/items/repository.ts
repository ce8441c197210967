import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { codeJobs, items } from '../db/schema.js';

export type CodeJobRow = typeof codeJobs.$inferSelect;
export type ResolvedItem = {
  code: string;
  lotCode: string;
  partyCode: string;
  containerCode: string | null;
  scanCount: number;
  firstScannedAt: Date | null;
};
export type ScanOutcome = ResolvedItem & { previousRegion: string | null; previousScanAt: Date | null; lotStatus: string; flagged: boolean };

export function createItemsRepository(database: Pick<Database, 'db' | 'copyRows'>) {
  const { db } = database;
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
      return database.copyRows('items', ['code', 'lot_code', 'party_code', 'job_id'], codes.map((code) => [code, lotCode, partyCode, jobId]));
    },
    async existingCodes(codes: string[]): Promise<Set<string>> {
      const rows = await queryRows<{ code: string }>(db, sql`select code from items where code in ${codes}`);
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
    /** An issued code, only if its job finished. */
    async findItem(code: string): Promise<(ResolvedItem & { lotStatus: string; flagged: boolean }) | undefined> {
      const rows = await queryRows<ResolvedItem & { lotStatus: string; flagged: boolean; firstScannedAt: Date | string | null }>(db, sql`
        select i.code, i.lot_code as "lotCode", i.party_code as "partyCode", i.container_code as "containerCode",
               i.scan_count as "scanCount", i.first_scanned_at as "firstScannedAt", l.status as "lotStatus",
               exists (select 1 from code_flags f where f.code = i.code) as flagged
        from items i join code_jobs j on j.id = i.job_id join lots l on l.code = i.lot_code
        where i.code = ${code} and j.status = 'succeeded'`);
      const row = rows[0];
      return row && { ...row, scanCount: Number(row.scanCount), firstScannedAt: row.firstScannedAt === null ? null : new Date(row.firstScannedAt) };
    },
    /**
     * Counts a scan and logs it in one round trip; returns the item as it is now and where and
     * when it was scanned before (for the impossible-travel check).
     */
    async recordScan(scan: { id: string; code: string; region: string | null; ipHash: string; userAgent: string | null }): Promise<ScanOutcome | undefined> {
      const rows = await queryRows<ScanOutcome & { firstScannedAt: Date | string | null; previousScanAt: Date | string | null }>(db, sql`
        with previous as (
          select i.code, i.last_region, i.last_scanned_at from items i join code_jobs j on j.id = i.job_id
          where i.code = ${scan.code} and j.status = 'succeeded' for update of i
        ), counted as (
          update items i set scan_count = i.scan_count + 1, first_scanned_at = coalesce(i.first_scanned_at, now()),
                 last_scanned_at = now(), last_region = coalesce(${scan.region}, i.last_region)
          from previous p where i.code = p.code
          returning i.code, i.lot_code, i.party_code, i.container_code, i.scan_count, i.first_scanned_at, p.last_region, p.last_scanned_at
        ), logged as (
          insert into scans (id, item_code, raw_code, lot_code, party_code, region, ip_hash, user_agent)
          select ${scan.id}, code, code, lot_code, party_code, ${scan.region}, ${scan.ipHash}, ${scan.userAgent} from counted
        )
        select c.code, c.lot_code as "lotCode", c.party_code as "partyCode", c.container_code as "containerCode", c.scan_count as "scanCount",
               c.first_scanned_at as "firstScannedAt", c.last_region as "previousRegion", c.last_scanned_at as "previousScanAt",
               l.status as "lotStatus", exists (select 1 from code_flags f where f.code = c.code) as flagged
        from counted c join lots l on l.code = c.lot_code`);
      const row = rows[0];
      if (!row) return undefined;
      const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));
      return { ...row, scanCount: Number(row.scanCount), firstScannedAt: toDate(row.firstScannedAt), previousScanAt: toDate(row.previousScanAt) };
    },
    async recordUnknownScan(scan: { id: string; rawCode: string; region: string | null; ipHash: string; userAgent: string | null }): Promise<void> {
      await queryRows(db, sql`
        insert into scans (id, item_code, raw_code, region, ip_hash, user_agent)
        values (${scan.id}, null, ${scan.rawCode}, ${scan.region}, ${scan.ipHash}, ${scan.userAgent})`);
    },
    /** One issued (visible) code of a lot, for the demo banner. */
    async firstCodeOfLot(lotCode: string): Promise<string | undefined> {
      const rows = await queryRows<{ code: string }>(db, sql`
        select i.code from items i join code_jobs j on j.id = i.job_id
        where i.lot_code = ${lotCode} and j.status = 'succeeded' order by i.code limit 1`);
      return rows[0]?.code;
    },
    /** Issued (visible) items among the codes, with their lots. */
    async findIssued(codes: string[]): Promise<{ code: string; lotCode: string }[]> {
      if (codes.length === 0) return [];
      return queryRows<{ code: string; lotCode: string }>(db, sql`
        select i.code, i.lot_code as "lotCode" from items i join code_jobs j on j.id = i.job_id
        where i.code in ${codes} and j.status = 'succeeded'`);
    },
    async packInto(codes: string[], containerCode: string): Promise<void> {
      if (codes.length) await queryRows(db, sql`update items set container_code = ${containerCode} where code in ${codes}`);
    },
    async unpack(containerCode: string, lotCodes: string[]): Promise<void> {
      if (lotCodes.length) await queryRows(db, sql`update items set container_code = null where container_code = ${containerCode} and lot_code in ${lotCodes}`);
    },
  };
}

export type ItemsRepository = ReturnType<typeof createItemsRepository>;
