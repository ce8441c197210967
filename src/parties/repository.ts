import { and, eq, isNotNull, type SQL } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import type { Db } from '../db/client.js';
import { parties } from '../db/schema.js';

export type PartyRow = typeof parties.$inferSelect;

export function createPartiesRepository(db: Db) {
  return {
    async insert(row: typeof parties.$inferInsert, tx: Db = db): Promise<PartyRow> {
      const [inserted] = await tx.insert(parties).values(row).returning();
      return inserted;
    },
    async findByCodes(codes: string[], tx: Db = db): Promise<PartyRow[]> {
      if (codes.length === 0) return [];
      return tx.select().from(parties).where(anyOf(parties.code, codes));
    },
    async findByCode(code: string): Promise<PartyRow | undefined> {
      const [row] = await db.select().from(parties).where(eq(parties.code, code));
      return row;
    },
    async findByUscc(uscc: string, tx: Db = db): Promise<PartyRow | undefined> {
      const [row] = await tx.select().from(parties).where(eq(parties.uscc, uscc));
      return row;
    },
    list(filter: { kind?: string; regionCode?: string; limit: number; offset: number }): Promise<PartyRow[]> {
      const conditions: SQL[] = [];
      if (filter.kind) conditions.push(eq(parties.kind, filter.kind));
      if (filter.regionCode) conditions.push(eq(parties.regionCode, filter.regionCode));
      return db
        .select()
        .from(parties)
        .where(and(...conditions))
        .orderBy(parties.createdAt, parties.code)
        .limit(filter.limit)
        .offset(filter.offset);
    },
    async companyPrefixes(): Promise<string[]> {
      const rows = await db.select({ prefix: parties.gs1CompanyPrefix }).from(parties).where(isNotNull(parties.gs1CompanyPrefix));
      return rows.map((row) => row.prefix as string);
    },
  };
}

export type PartiesRepository = ReturnType<typeof createPartiesRepository>;
