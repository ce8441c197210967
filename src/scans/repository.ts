import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.js';
import { codeFlags, scans } from '../db/schema.js';

export type FlagRow = typeof codeFlags.$inferSelect;

export function createScansRepository(db: Db) {
  return {
    async raiseFlag(flag: {
      code: string;
      kind: string;
      lotCode: string | null;
      partyCode: string | null;
      detail: string;
      at: Date;
    }): Promise<void> {
      await db
        .insert(codeFlags)
        .values({
          code: flag.code,
          kind: flag.kind,
          lotCode: flag.lotCode,
          partyCode: flag.partyCode,
          detail: flag.detail,
          firstAt: flag.at,
          lastAt: flag.at,
        })
        .onConflictDoUpdate({
          target: [codeFlags.code, codeFlags.kind],
          set: { lastAt: flag.at, detail: flag.detail, occurrences: sql`${codeFlags.occurrences} + 1` },
        });
    },
    async isFlagged(code: string): Promise<boolean> {
      const rows = await db.select({ code: codeFlags.code }).from(codeFlags).where(eq(codeFlags.code, code)).limit(1);
      return rows.length > 0;
    },
    listFlags(filter: { kind?: string; lotCode?: string; limit: number; offset: number }): Promise<FlagRow[]> {
      const conditions: SQL[] = [];
      if (filter.kind) conditions.push(eq(codeFlags.kind, filter.kind));
      if (filter.lotCode) conditions.push(eq(codeFlags.lotCode, filter.lotCode));
      return db
        .select()
        .from(codeFlags)
        .where(and(...conditions))
        .orderBy(desc(codeFlags.lastAt), codeFlags.code)
        .limit(filter.limit)
        .offset(filter.offset);
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
