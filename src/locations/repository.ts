import { eq } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import type { Db } from '../db/client.js';
import { locations } from '../db/schema.js';

export type LocationRow = typeof locations.$inferSelect;

export function createLocationsRepository(db: Db) {
  return {
    async insert(row: typeof locations.$inferInsert, tx: Db = db): Promise<LocationRow> {
      const [inserted] = await tx.insert(locations).values(row).returning();
      return inserted;
    },
    async findByCodes(codes: string[], tx: Db = db): Promise<LocationRow[]> {
      if (codes.length === 0) return [];
      return tx.select().from(locations).where(anyOf(locations.code, codes));
    },
    async findByCode(code: string): Promise<LocationRow | undefined> {
      const [row] = await db.select().from(locations).where(eq(locations.code, code));
      return row;
    },
    async findByGln(gln: string, tx: Db = db): Promise<LocationRow | undefined> {
      const [row] = await tx.select().from(locations).where(eq(locations.gln, gln));
      return row;
    },
    async findByGlns(glns: string[]): Promise<LocationRow[]> {
      if (glns.length === 0) return [];
      return db.select().from(locations).where(anyOf(locations.gln, glns));
    },
    listByParty(partyCode: string): Promise<LocationRow[]> {
      return db.select().from(locations).where(eq(locations.partyCode, partyCode)).orderBy(locations.createdAt);
    },
  };
}

export type LocationsRepository = ReturnType<typeof createLocationsRepository>;
