import { eq } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import type { Db } from '../db/client.js';
import { products } from '../db/schema.js';

export type ProductRow = typeof products.$inferSelect;

export function createProductsRepository(db: Db) {
  return {
    async insert(row: typeof products.$inferInsert, tx: Db = db): Promise<ProductRow> {
      const [inserted] = await tx.insert(products).values(row).returning();
      return inserted;
    },
    async findByCodes(codes: string[], tx: Db = db): Promise<ProductRow[]> {
      if (codes.length === 0) return [];
      return tx.select().from(products).where(anyOf(products.code, codes));
    },
    async findByCode(code: string): Promise<ProductRow | undefined> {
      const [row] = await db.select().from(products).where(eq(products.code, code));
      return row;
    },
    async findByGtins(gtins: string[], tx: Db = db): Promise<ProductRow[]> {
      if (gtins.length === 0) return [];
      return tx.select().from(products).where(anyOf(products.gtin, gtins));
    },
    async findByGtin(gtin: string, tx: Db = db): Promise<ProductRow | undefined> {
      const [row] = await tx.select().from(products).where(eq(products.gtin, gtin));
      return row;
    },
    list(partyCode?: string): Promise<ProductRow[]> {
      const query = db.select().from(products);
      return (partyCode ? query.where(eq(products.partyCode, partyCode)) : query).orderBy(products.createdAt);
    },
  };
}

export type ProductsRepository = ReturnType<typeof createProductsRepository>;
