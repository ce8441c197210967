import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { selectInChunks } from '../db/chunk.js';
import { parties } from '../db/schema.js';

export type PartyRow = typeof parties.$inferSelect;

export function createPartiesRepository(db: Db) {
  return {
    async insert(row: typeof parties.$inferInsert): Promise<PartyRow> {
      const [inserted] = await db.insert(parties).values(row).returning();
      return inserted;
    },
    findByCodes(codes: string[]): Promise<PartyRow[]> {
      return selectInChunks([...new Set(codes)], (slice) => db.select().from(parties).where(inArray(parties.code, slice)));
    },
    async findByCode(code: string): Promise<PartyRow | undefined> {
      const [row] = await db.select().from(parties).where(eq(parties.code, code));
      return row;
    },
    async findByUscc(uscc: string): Promise<PartyRow | undefined> {
      const [row] = await db.select().from(parties).where(eq(parties.uscc, uscc));
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
    async count(): Promise<number> {
      const rows = await db.select({ code: parties.code }).from(parties).limit(1);
      return rows.length;
    },
  };
}

export type PartiesRepository = ReturnType<typeof createPartiesRepository>;
