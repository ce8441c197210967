import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys } from '../db/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function createApiKeysRepository(db: Db) {
  return {
    async insert(row: typeof apiKeys.$inferInsert, tx: Db = db): Promise<ApiKeyRow> {
      const [inserted] = await tx.insert(apiKeys).values(row).returning();
      return inserted;
    },
    async findActiveByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
      return row;
    },
    /** A key by its hash, revoked or not. */
    async findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash));
      return row;
    },
    /** Whether an admin key was ever issued, revoked or not. */
    async hasAdminKey(): Promise<boolean> {
      const rows = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.role, 'admin')).limit(1);
      return rows.length > 0;
    },
    list(): Promise<ApiKeyRow[]> {
      return db.select().from(apiKeys).orderBy(apiKeys.createdAt);
    },
    async revoke(id: string, tx: Db = db): Promise<ApiKeyRow | undefined> {
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning();
      return row;
    },
  };
}

export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>;
